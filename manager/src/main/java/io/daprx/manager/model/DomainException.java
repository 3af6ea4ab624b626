package io.daprx.manager.model;

/**
 * A request the manager refuses, said in its own words: why (the {@link Reason}), an ARM-style error code and a message
 * that says what was wrong and what to do. The engine and the targets raise it; only the API turns it into an HTTP status
 * and an error body, so nothing below the API knows it is served over HTTP.
 */
public final class DomainException extends RuntimeException {

  /** Why a request was refused; the API maps each to one HTTP status. */
  public enum Reason { INVALID, NOT_FOUND, CONFLICT, PRECONDITION_FAILED }

  private final Reason reason;
  private final String code;

  public DomainException(Reason reason, String code, String message) {
    super(message, null, false, false);
    this.reason = reason;
    this.code = code;
  }

  public Reason reason() {
    return reason;
  }

  public String code() {
    return code;
  }

  public static DomainException invalid(String code, String message) {
    return new DomainException(Reason.INVALID, code, message);
  }

  public static DomainException notFound(String code, String message) {
    return new DomainException(Reason.NOT_FOUND, code, message);
  }

  public static DomainException conflict(String code, String message) {
    return new DomainException(Reason.CONFLICT, code, message);
  }

  public static DomainException preconditionFailed(String code, String message) {
    return new DomainException(Reason.PRECONDITION_FAILED, code, message);
  }
}
