package io.daprx.common.trust;

/** A CA bundle that cannot be used; the message says what is wrong and what to do. */
public final class CaBundleException extends RuntimeException {
  public CaBundleException(String message) {
    super(message);
  }

  public CaBundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
