package io.daprx.sentry.validator;

/**
 * A request that does not prove its identity. The message is short and safe to return to the caller;
 * the detail (which may name pods or claims) is only for debug logs.
 */
public final class ValidationException extends Exception {

  private final String detail;

  public ValidationException(String message) {
    this(message, null);
  }

  public ValidationException(String message, String detail) {
    super(message, null, false, false);
    this.detail = detail;
  }

  public String detail() {
    return detail == null ? getMessage() : detail;
  }
}
