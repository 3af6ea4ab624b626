package io.daprx.manager.deploy;

/** A reconcile that did not reach the desired state; the message says which part and why. */
public final class ReconcileException extends Exception {
  public ReconcileException(String message) {
    super(message);
  }

  public ReconcileException(String message, Throwable cause) {
    super(message, cause);
  }
}
