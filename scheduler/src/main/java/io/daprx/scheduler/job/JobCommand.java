package io.daprx.scheduler.job;

import io.daprx.scheduler.time.Ticks;

/**
 * Every change to the job store, as data: a replicated store writes these to its log and applies them in order on
 * each replica, so each must apply deterministically (no clock, no randomness: times are resolved before).
 */
public sealed interface JobCommand {

  /** Stores a job; an existing one of the same key is replaced only with {@code overwrite}. */
  record Put(StoredJob job, boolean overwrite) implements JobCommand {}

  /** Deletes one job (a no-op when there is none). */
  record Delete(JobKey key) implements JobCommand {}

  /** Deletes every job the selector matches. */
  record DeleteWhere(JobSelector selector) implements JobCommand {}

  /**
   * Records a job's progress after a trigger's result, if the job still has {@code revision}; {@code ticks} null
   * means the job is over and is deleted.
   */
  record Advance(JobKey key, long revision, Ticks ticks) implements JobCommand {}
}
