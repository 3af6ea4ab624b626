package io.daprx.manager.local;

import java.time.Instant;

/**
 * What {@code kubectl get pods} would show for one supervised process.
 *
 * @param status {@link #PENDING}, {@link #RUNNING}, {@link #CRASH_LOOP_BACK_OFF} or {@link #TERMINATING}
 * @param restarts how many times the process was restarted after exiting on its own, kept across supervisor
 *     restarts
 * @param createdAt when the pod was created with its current spec (a replacement is a new pod)
 * @param pid the running process, null while none runs
 * @param lastExitReason why the last process exited, e.g. {@code exit code 1}, {@code killed by signal 9}; null if
 *     none did
 * @param version the daprx version the pod runs, null if its record predates versions
 * @param ordinal which replica of its workload the pod is (its ports come with it); null if its record predates ordinals
 */
public record PodStatus(
    String name,
    String component,
    boolean ready,
    String status,
    int restarts,
    Instant createdAt,
    Long pid,
    String lastExitReason,
    String version,
    Integer ordinal) {

  /** Accepted, no process launched yet. */
  public static final String PENDING = "Pending";
  /** A process runs; {@link #ready()} tells whether its readiness probe passes. */
  public static final String RUNNING = "Running";
  /** The process exited on its own; the supervisor waits out the back-off before restarting it. */
  public static final String CRASH_LOOP_BACK_OFF = "CrashLoopBackOff";
  /** Stopping: SIGTERM sent, SIGKILL follows after the grace period. */
  public static final String TERMINATING = "Terminating";
}
