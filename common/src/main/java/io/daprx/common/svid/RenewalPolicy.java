package io.daprx.common.svid;

import java.time.Duration;
import java.time.Instant;

/** When to renew an SVID and how long to wait after a failed attempt: pure functions, so they are tested without time passing. */
public final class RenewalPolicy {

  /** Longest pause between failed attempts; daprd retries every 10 s. */
  public static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(10);
  private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(500);

  private RenewalPolicy() {}

  /** Half-way through the validity, as daprd does: leaves time for many retries before expiry. */
  public static Instant renewAt(Instant notBefore, Instant notAfter) {
    return notBefore.plus(Duration.between(notBefore, notAfter).dividedBy(2));
  }

  /** Exponential back-off from 0.5 s, capped at 10 s; {@code attempt} counts failures so far (1 = first failure). */
  public static Duration retryDelay(int attempt) {
    if (attempt <= 1) {
      return FIRST_RETRY_DELAY;
    }
    int shift = Math.min(attempt - 1, 10);
    Duration d = FIRST_RETRY_DELAY.multipliedBy(1L << shift);
    return d.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : d;
  }

  /** How long to wait from {@code now} until {@code at}, never negative. */
  public static Duration delayUntil(Instant now, Instant at) {
    Duration d = Duration.between(now, at);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
