package io.daprx.scheduler.job;

import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.scheduler.time.FailurePolicy;
import io.daprx.scheduler.time.JobTiming;
import io.daprx.scheduler.time.Ticks;
import java.time.Instant;
import java.util.Optional;

/**
 * A job as the store keeps it: what the sidecar sent (returned unchanged by GetJob and ListJobs, with the default
 * failure policy filled in as upstream does), its timing resolved when it was scheduled, and its progress.
 *
 * @param revision set by the store on every put (the replicated store uses the log index, so it only grows); a
 *     result for an older revision (the job was replaced meanwhile) is ignored
 * @param partition chosen at random when the job is scheduled (never negative); with N live replicas, replica i
 *     triggers the jobs whose {@code partition % N == i}
 */
public record StoredJob(JobKey key, long revision, int partition, JobMetadata metadata, Job spec, JobTiming timing,
    FailurePolicy policy, Ticks ticks) {

  public StoredJob {
    if (partition < 0) {
      throw new IllegalArgumentException("partition must not be negative, got " + partition);
    }
  }

  public StoredJob withRevision(long r) {
    return new StoredJob(key, r, partition, metadata, spec, timing, policy, ticks);
  }

  public StoredJob withTicks(Ticks t) {
    return new StoredJob(key, revision, partition, metadata, spec, timing, policy, t);
  }

  /** When the next attempt is due; empty when the job is over. */
  public Optional<Instant> attemptAt() {
    return timing.attemptAt(ticks, policy);
  }

  /** What the trigger loop keeps of this job. */
  public DueJob due() {
    return new DueJob(key, revision, partition, attemptAt().orElse(null));
  }
}
