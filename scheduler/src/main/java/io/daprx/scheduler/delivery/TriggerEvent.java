package io.daprx.scheduler.delivery;

import io.daprx.scheduler.job.JobChange;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;

/** Everything that can happen to the jobs being triggered, handled one at a time by the {@link TriggerLoop}. */
public sealed interface TriggerEvent {

  /** The store applied a change (a job stored, replaced, deleted or ended). */
  record Changed(JobChange change) implements TriggerEvent {}

  /**
   * The live replicas changed: from now on this replica triggers the jobs {@code ownership} names, dropping the
   * others. {@code reset}: the store was replaced (a snapshot from the leader), so forget every job and read them
   * again.
   */
  record Assigned(Ownership ownership, boolean reset) implements TriggerEvent {}

  /** A stream sent a valid initial: its triggers may flow. */
  record Opened(WatchStream stream) implements TriggerEvent {}

  /**
   * A stream ended: the sidecar went away ({@code closeWith} null), or the server ends it with {@code closeWith}.
   * Its triggers in flight are delivered again.
   */
  record Ended(WatchStream stream, Status closeWith) implements TriggerEvent {}

  /** A sidecar answered trigger {@code id} of its stream. */
  record Result(WatchStream stream, long id, boolean success) implements TriggerEvent {}

  /** The earliest due time has come (or may have: the loop checks the clock). */
  record Wake() implements TriggerEvent {}

  /** Asks for a snapshot of the loop's state (tests, metrics, the dashboard later). */
  record Query(CompletableFuture<LoopState> result) implements TriggerEvent {}

  /** Ends every stream with {@code status} and stops the loop. */
  record Shutdown(Status status, CompletableFuture<Void> done) implements TriggerEvent {}

  /**
   * @param jobs jobs known to the loop
   * @param inFlight triggers sent and not yet answered
   * @param held jobs due with no stream to take them
   * @param streams open streams
   * @param waiting triggers waiting for a concurrency slot (1.18 concurrency limits)
   */
  record LoopState(int jobs, int inFlight, int held, int streams, int waiting) {}
}
