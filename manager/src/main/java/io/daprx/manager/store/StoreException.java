package io.daprx.manager.store;

/** A store call that cannot be done as asked; {@link Reason} tells the API which status to answer. */
public final class StoreException extends RuntimeException {

  /** Why a store call failed. */
  public enum Reason { NOT_FOUND, CONFLICT, PRECONDITION_FAILED, UNAVAILABLE }

  private final Reason reason;

  public StoreException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public StoreException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
