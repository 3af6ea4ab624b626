package io.daprx.scheduler.job;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * Where jobs live. Changes go through {@link #apply} only, as {@link JobCommand}s applied in one order; an
 * implementation replicates them ({@code store.ReplicatedJobStore}) or not ({@link InMemoryJobStore}).
 */
public interface JobStore {

  /** Applies a command once it is durable; completes with what it did. */
  CompletableFuture<Outcome> apply(JobCommand command);

  Optional<StoredJob> get(JobKey key);

  /** The jobs the selector matches, in key order. */
  List<StoredJob> list(JobSelector selector);

  /**
   * This replica's applied copy of a job, without waiting for the others: for the trigger loop, which hears every
   * change anyway. {@link #get} may be slower (the replicated store makes it linearizable).
   */
  default Optional<StoredJob> peek(JobKey key) {
    return get(key);
  }

  /** Hands {@code out} what the trigger loop keeps of each job whose partition {@code partitions} accepts. */
  default void scan(IntPredicate partitions, Consumer<DueJob> out) {
    for (StoredJob j : list(JobSelector.all())) {
      if (partitions.test(j.partition())) {
        out.accept(j.due());
      }
    }
  }

  /** How many jobs and reminders this replica's copy holds (the jobs-stored gauge: read at each scrape). */
  default long count() {
    long[] n = {0};
    scan(p -> true, d -> n[0]++);
    return n[0];
  }

  /**
   * Hears every change after it is applied, in apply order, on the applying thread (so keep it short: hand the
   * change to an event loop).
   */
  void subscribe(Consumer<JobChange> listener);

  /**
   * @param applied false when a put found an existing job without overwrite, or an advance found another revision
   * @param revision the stored job's revision after a put; 0 otherwise
   * @param removed the keys a delete removed
   */
  record Outcome(boolean applied, long revision, List<JobKey> removed) {
    public static Outcome notApplied() {
      return new Outcome(false, 0, List.of());
    }
  }
}
