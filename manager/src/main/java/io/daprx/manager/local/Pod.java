package io.daprx.manager.local;

import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/** Mutable state of one pod; touched only on the supervisor's event loop. */
final class Pod {

  enum Phase { PENDING, RUNNING, BACKOFF, TERMINATING }

  /** What follows once a terminating pod's process has exited. */
  enum AfterStop { REMOVE, REPLACE }

  final String group;
  ProcessSpec spec;
  Phase phase = Phase.PENDING;
  ChildProcess process;
  boolean ready;
  boolean probing;
  /** When the last probe of the current process started; a ready pod is probed again only after readyProbePeriod. */
  Instant probedAt;
  int restarts;
  Instant createdAt;
  /** When the current process started; decides whether a crash continues a crash loop. */
  Instant startedAt;
  int crashesInARow;
  String lastExitReason;
  /** What the restart marker in the log says caused the restart. */
  String restartCause;
  AfterStop afterStop;
  /** Set while this pod's replacement has not yet proven ready; holds back the next replacement of its component. */
  Instant rolloutStartedAt;
  /** The pending restart or SIGKILL. */
  ScheduledFuture<?> timer;
  /** Identifies the current back-off, so a stale restart timer does nothing. */
  Object backoffToken;

  Pod(String group, ProcessSpec spec, Instant createdAt) {
    this.group = group;
    this.spec = spec;
    this.createdAt = createdAt;
  }

  String name() {
    return spec.name();
  }

  /** The resource as logs name it. */
  String ref() {
    return "Pod(" + group + "/" + spec.name() + ")";
  }

  void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    backoffToken = null;
  }

  PodStatus status() {
    String status = switch (phase) {
      case PENDING -> PodStatus.PENDING;
      case RUNNING -> PodStatus.RUNNING;
      case BACKOFF -> PodStatus.CRASH_LOOP_BACK_OFF;
      case TERMINATING -> PodStatus.TERMINATING;
    };
    return new PodStatus(spec.name(), spec.component(), ready && phase == Phase.RUNNING, status, restarts, createdAt,
        process == null ? null : process.pid(), lastExitReason, spec.version(), spec.ordinal());
  }
}
