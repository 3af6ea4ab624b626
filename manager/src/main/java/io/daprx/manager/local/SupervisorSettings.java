package io.daprx.manager.local;

import java.time.Duration;
import java.util.Objects;

/**
 * Every timing of the {@link Supervisor}, with its default in {@link #defaults()}.
 *
 * @param restartBackoff the wait before the first restart of a crashed process; doubles with each crash in a row
 * @param restartBackoffMax the longest wait between restarts
 * @param backoffResetAfter a process that ran this long before exiting starts again from {@code restartBackoff}
 * @param probePeriod how often readiness URLs are probed
 * @param probeTimeout how long one probe may take before it counts as failed
 * @param stopGracePeriod time between SIGTERM and SIGKILL
 * @param rolloutReadyTimeout how long a replaced pod may take to become ready before the next one is replaced anyway
 */
public record SupervisorSettings(
    Duration restartBackoff,
    Duration restartBackoffMax,
    Duration backoffResetAfter,
    Duration probePeriod,
    Duration probeTimeout,
    Duration stopGracePeriod,
    Duration rolloutReadyTimeout) {

  public SupervisorSettings {
    positive(restartBackoff, "restartBackoff");
    positive(restartBackoffMax, "restartBackoffMax");
    positive(backoffResetAfter, "backoffResetAfter");
    positive(probePeriod, "probePeriod");
    positive(probeTimeout, "probeTimeout");
    positive(stopGracePeriod, "stopGracePeriod");
    positive(rolloutReadyTimeout, "rolloutReadyTimeout");
    if (restartBackoffMax.compareTo(restartBackoff) < 0) {
      throw new IllegalArgumentException("restartBackoffMax must not be shorter than restartBackoff");
    }
  }

  /** Kubelet-like: 1 s doubling to 30 s, reset after 60 s running; probes every 500 ms; 10 s grace. */
  public static SupervisorSettings defaults() {
    return new SupervisorSettings(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(2));
  }

  /** The wait before restarting after the {@code crashesInARow}-th crash in a row (1 for the first). */
  public Duration backoff(int crashesInARow) {
    Duration delay = restartBackoff;
    for (int i = 1; i < crashesInARow && delay.compareTo(restartBackoffMax) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(restartBackoffMax) > 0 ? restartBackoffMax : delay;
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }
}
