package io.daprx.scheduler.time;

import java.time.Duration;
import java.time.Instant;

/** What happens to a tick the sidecar answers FAILED. */
public sealed interface FailurePolicy {

  /** A job's policy when it names none: retry every second, three times. */
  FailurePolicy DEFAULT = new Constant(Duration.ofSeconds(1), 3L);

  /** Whether a tick that failed {@code attempts} times (≥ 1) is tried again. */
  boolean retries(long attempts);

  /** When a tick scheduled at {@code tickAt} that failed {@code attempts} times is tried again. */
  Instant retryAt(Instant tickAt, long attempts);

  /** Failed ticks are not retried. */
  record Drop() implements FailurePolicy {
    @Override
    public boolean retries(long attempts) {
      return false;
    }

    @Override
    public Instant retryAt(Instant tickAt, long attempts) {
      return tickAt;
    }
  }

  /**
   * Retried every {@code interval} after the tick's time, {@code maxRetries} times (null: until it succeeds).
   * Counted from the tick's scheduled time, as upstream does, so an overdue tick's retries are not delayed further.
   */
  record Constant(Duration interval, Long maxRetries) implements FailurePolicy {
    public Constant {
      if (interval == null || interval.isNegative()) {
        throw new IllegalArgumentException("failure policy interval must not be negative");
      }
    }

    @Override
    public boolean retries(long attempts) {
      return maxRetries == null || maxRetries >= attempts;
    }

    @Override
    public Instant retryAt(Instant tickAt, long attempts) {
      return tickAt.plus(interval.multipliedBy(attempts));
    }
  }
}
