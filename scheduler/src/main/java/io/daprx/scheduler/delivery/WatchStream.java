package io.daprx.scheduler.delivery;

import io.daprx.proto.scheduler.v1.ConcurrencyLimit;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.grpc.Status;
import java.util.List;

/**
 * One sidecar's WatchJobs stream as the trigger loop sees it, after a valid {@code initial}. The loop is the only
 * caller of {@link #send} and {@link #close}, so they are never called concurrently.
 */
public interface WatchStream {

  String namespace();

  String appId();

  /** Whether the app's own jobs go here (the initial accepted JOB, or named no job types, as older daprd does). */
  boolean acceptsJobs();

  /** The actor types whose reminders may go here. */
  List<String> actorTypes();

  /**
   * The 1.18 concurrency limits of the stream's {@code initial}: for as long as the stream is open, they cap the
   * reminders in flight per actor type (or type and name) in its namespace. None from older daprd.
   */
  default List<ConcurrencyLimit> concurrencyLimits() {
    return List.of();
  }

  /** Whether the transport takes more now (gRPC flow control); the loop prefers streams that do. */
  default boolean isReady() {
    return true;
  }

  void send(WatchJobsResponse trigger);

  /** Ends the call: OK completes it, anything else is an error status. */
  void close(Status status);
}
