package io.daprx.scheduler.job;

/** A request the scheduler refuses as it is (INVALID_ARGUMENT on the wire); nothing was stored. */
public final class InvalidJobException extends IllegalArgumentException {

  public InvalidJobException(String message) {
    super(message);
  }
}
