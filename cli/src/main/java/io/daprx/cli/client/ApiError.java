package io.daprx.cli.client;

/** An error answer of the management server: HTTP status and ARM's {@code {"error":{"code","message"}}}. */
public final class ApiError extends RuntimeException {

  private final int status;
  private final String code;

  public ApiError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
