package io.daprx.manager.local;

import java.time.Duration;
import java.util.Objects;

/**
 * Every timing of the {@link Supervisor}, with its default in {@link #defaults()}.
 *
 * @param restartBackoff the wait before the first restart of a crashed process; doubles with each crash in a row
 * @param restartBackoffMax the longest wait between restarts
 * @param backoffResetAfter a process that ran this long before exiting starts again from {@code restartBackoff}
 * @param probePeriod how often the readiness URL of a pod that is not ready (yet) is probed: an install waits for it
 * @param readyProbePeriod how often the readiness URL of a ready pod is probed: each probe costs the pod and the server
 *     CPU, and sixteen pods probed twice a second kept an idle install busy; a process that exits is seen at once
 *     anyway (its exit, not a probe)
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
    Duration rolloutReadyTimeout,
    Duration readyProbePeriod) {

  public SupervisorSettings {
    positive(restartBackoff, "restartBackoff");
    positive(restartBackoffMax, "restartBackoffMax");
    positive(backoffResetAfter, "backoffResetAfter");
    positive(probePeriod, "probePeriod");
    positive(probeTimeout, "probeTimeout");
    positive(stopGracePeriod, "stopGracePeriod");
    positive(rolloutReadyTimeout, "rolloutReadyTimeout");
    positive(readyProbePeriod, "readyProbePeriod");
    if (readyProbePeriod.compareTo(probePeriod) < 0) {
      throw new IllegalArgumentException("readyProbePeriod must not be shorter than probePeriod");
    }
    if (restartBackoffMax.compareTo(restartBackoff) < 0) {
      throw new IllegalArgumentException("restartBackoffMax must not be shorter than restartBackoff");
    }
  }

  /** Every pod probed every {@code probePeriod}, ready or not. */
  public SupervisorSettings(Duration restartBackoff, Duration restartBackoffMax, Duration backoffResetAfter,
      Duration probePeriod, Duration probeTimeout, Duration stopGracePeriod, Duration rolloutReadyTimeout) {
    this(restartBackoff, restartBackoffMax, backoffResetAfter, probePeriod, probeTimeout, stopGracePeriod,
        rolloutReadyTimeout, probePeriod);
  }

  /**
   * Kubelet-like: 1 s doubling to 30 s, reset after 60 s running; 10 s grace. A starting pod is probed every 250 ms
   * (an install or a rolling update waits for each readiness), a ready one every 5 s (the readiness period of the
   * rendered Kubernetes manifests).
   */
  public static SupervisorSettings defaults() {
    return new SupervisorSettings(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60),
        Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(2),
        Duration.ofSeconds(5));
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
