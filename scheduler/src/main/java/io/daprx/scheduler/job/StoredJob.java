package io.daprx.scheduler.job;

import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.scheduler.time.FailurePolicy;
import io.daprx.scheduler.time.JobTiming;
import io.daprx.scheduler.time.Ticks;

/**
 * A job as the store keeps it: what the sidecar sent (returned unchanged by GetJob and ListJobs, with the default
 * failure policy filled in as upstream does), its timing resolved when it was scheduled, and its progress.
 *
 * @param revision set by the store on every put; a result for an older revision (the job was replaced meanwhile) is
 *     ignored
 */
public record StoredJob(JobKey key, long revision, JobMetadata metadata, Job spec, JobTiming timing, FailurePolicy policy,
    Ticks ticks) {

  public StoredJob withRevision(long r) {
    return new StoredJob(key, r, metadata, spec, timing, policy, ticks);
  }

  public StoredJob withTicks(Ticks t) {
    return new StoredJob(key, revision, metadata, spec, timing, policy, t);
  }
}
