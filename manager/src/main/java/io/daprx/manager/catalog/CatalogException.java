package io.daprx.manager.catalog;

/** A catalog that cannot be read, or a version request the catalog refuses; the message says which and why. */
public final class CatalogException extends IllegalArgumentException {

  public CatalogException(String message) {
    super(message);
  }

  public CatalogException(String message, Throwable cause) {
    super(message, cause);
  }
}
