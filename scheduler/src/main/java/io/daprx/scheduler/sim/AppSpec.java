package io.daprx.scheduler.sim;

import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.JobTargetType;
import io.daprx.proto.scheduler.v1.TargetActorReminder;
import io.daprx.proto.scheduler.v1.TargetJob;
import io.daprx.proto.scheduler.v1.WatchJobsRequestInitial;
import java.util.List;

/**
 * A simulated daprd as the scheduler sees it.
 *
 * @param acceptsJobs its app is up, so it takes Jobs API triggers (daprd's {@code accept_job_types} JOB)
 * @param actorTypes the actor types it hosts; non-empty means it takes reminders (ACTOR_REMINDER) for them
 * @param jobStreams WatchJobs streams per scheduler host (daprd's {@code --scheduler-job-streams}, default 3)
 */
public record AppSpec(String namespace, String appId, boolean acceptsJobs, List<String> actorTypes, int jobStreams) {

  public static final int DAPRD_JOB_STREAMS = 3;

  public AppSpec {
    actorTypes = List.copyOf(actorTypes);
    if (jobStreams < 1) {
      throw new IllegalArgumentException("an app opens at least one stream per host, got " + jobStreams);
    }
  }

  /** An app that takes jobs and hosts {@code actorTypes}, with daprd's default stream count. */
  public static AppSpec of(String namespace, String appId, String... actorTypes) {
    return new AppSpec(namespace, appId, true, List.of(actorTypes), DAPRD_JOB_STREAMS);
  }

  /** The first message of each of its streams, as daprd sends it. */
  public WatchJobsRequestInitial initial() {
    WatchJobsRequestInitial.Builder b = WatchJobsRequestInitial.newBuilder().setNamespace(namespace).setAppId(appId)
        .addAllActorTypes(actorTypes);
    if (acceptsJobs) {
      b.addAcceptJobTypes(JobTargetType.JOB_TARGET_TYPE_JOB);
    }
    if (!actorTypes.isEmpty()) {
      b.addAcceptJobTypes(JobTargetType.JOB_TARGET_TYPE_ACTOR_REMINDER);
    }
    return b.build();
  }

  /** The metadata of a Jobs API job this app schedules. */
  public JobMetadata jobMetadata() {
    return JobMetadata.newBuilder().setNamespace(namespace).setAppId(appId)
        .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
  }

  /** The metadata of a reminder this app schedules for an actor (of any type: a reminder belongs to the actor). */
  public JobMetadata reminderMetadata(String actorType, String actorId) {
    return JobMetadata.newBuilder().setNamespace(namespace).setAppId(appId)
        .setTarget(JobTargetMetadata.newBuilder().setActor(TargetActorReminder.newBuilder().setType(actorType).setId(actorId)))
        .build();
  }
}
