package io.daprx.scheduler.job;

import com.google.protobuf.util.Durations;
import io.daprx.proto.common.v1.JobFailurePolicy;
import io.daprx.proto.common.v1.JobFailurePolicyConstant;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.scheduler.time.FailurePolicy;
import io.daprx.scheduler.time.JobTiming;
import io.daprx.scheduler.time.Ticks;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns what a sidecar sends into the job model, refusing what upstream refuses with a reason
 * ({@link InvalidJobException}). Authorization (who may act for which app) is the server's, not this.
 */
public final class JobRequests {

  /** Upstream's limit on a job's full key ({@code actorreminder||ns||type||id||name}). */
  public static final int MAX_KEY_LENGTH = 512;

  private static final String FORBIDDEN = "/\\#?";

  private JobRequests() {}

  /**
   * The owner a request's metadata names.
   *
   * @param requireActorId false where an empty actor id means "every actor of the type" (DeleteByMetadata, ListJobs)
   */
  public static JobOwner owner(JobMetadata metadata, boolean requireActorId) {
    JobTargetMetadata target = metadata.getTarget();
    return switch (target.getTypeCase()) {
      case JOB -> new JobOwner.App(metadata.getNamespace(), metadata.getAppId());
      case ACTOR -> {
        if (target.getActor().getType().isEmpty()) {
          throw new InvalidJobException("metadata.target.actor.type must not be empty");
        }
        if (requireActorId && target.getActor().getId().isEmpty()) {
          throw new InvalidJobException("metadata.target.actor.id must not be empty");
        }
        yield new JobOwner.Actor(metadata.getNamespace(), target.getActor().getType(), target.getActor().getId());
      }
      case TYPE_NOT_SET -> throw new InvalidJobException("metadata.target must be a job or an actor reminder");
    };
  }

  /** Upstream's name rules: not empty, no {@code / \ # ?}, no control characters, not {@code .} or {@code ..}. */
  public static void requireValidName(String name, JobOwner owner) {
    if (name.isEmpty()) {
      throw new InvalidJobException("job name cannot be empty");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (FORBIDDEN.indexOf(c) >= 0) {
        throw new InvalidJobException("job name " + quote(name) + " is invalid: must not contain '/', '\\', '#' or '?'");
      }
      if (Character.isISOControl(c)) {
        throw new InvalidJobException("job name " + quote(name) + " is invalid: must not contain control characters");
      }
    }
    if (name.contains("||")) {
      throw new InvalidJobException("job name " + quote(name) + " is invalid: '||' is reserved as a key delimiter");
    }
    if (name.equals(".") || name.equals("..")) {
      throw new InvalidJobException("job name " + quote(name) + " is invalid: must not be a path traversal sequence");
    }
    int keyLength = upstreamKeyLength(owner, name);
    if (keyLength > MAX_KEY_LENGTH) {
      throw new InvalidJobException("job name " + quote(name) + " is invalid: with its owner it is " + keyLength
          + " characters long; at most " + MAX_KEY_LENGTH + " are accepted");
    }
  }

  private static int upstreamKeyLength(JobOwner owner, String name) {
    if (owner instanceof JobOwner.Actor a) {
      return ("actorreminder||" + a.namespace() + "||" + a.type() + "||" + a.id() + "||" + name).length();
    }
    JobOwner.App a = (JobOwner.App) owner;
    return ("app||" + a.namespace() + "||" + a.appId() + "||" + name).length();
  }

  /**
   * A job ready to store: timing resolved against {@code now}, failure policy read (the default filled in), size
   * checked, and a random partition, drawn here so the command that stores it is deterministic.
   */
  public static StoredJob toStored(String name, JobMetadata metadata, Job job, Instant now, int maxBytes) {
    JobOwner owner = owner(metadata, true);
    requireValidName(name, owner);
    long size = (long) name.length() + metadata.getSerializedSize() + job.getSerializedSize();
    if (size > maxBytes) {
      throw new InvalidJobException("job " + quote(name) + " is " + size + " bytes; at most " + maxBytes + " are accepted");
    }
    JobTiming timing;
    try {
      timing = JobTiming.resolve(job.hasSchedule() ? job.getSchedule() : null,
          job.hasRepeats() ? Integer.toUnsignedLong(job.getRepeats()) : null, job.hasDueTime() ? job.getDueTime() : null,
          job.hasTtl() ? job.getTtl() : null, now);
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException(e.getMessage());
    }
    JobFailurePolicy wire = job.hasFailurePolicy() && job.getFailurePolicy().getPolicyCase() != JobFailurePolicy.PolicyCase.POLICY_NOT_SET
        ? job.getFailurePolicy() : defaultPolicy();
    FailurePolicy policy = policy(wire);
    Job spec = job.toBuilder().setFailurePolicy(wire).build();
    int partition = ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE);
    return new StoredJob(new JobKey(owner, name), 0, partition, metadata, spec, timing, policy, Ticks.NONE);
  }

  /** Upstream's default, as GetJob shows it: constant, 1 s, 3 retries. */
  public static JobFailurePolicy defaultPolicy() {
    return JobFailurePolicy.newBuilder().setConstant(JobFailurePolicyConstant.newBuilder()
        .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(1)).setMaxRetries(3)).build();
  }

  static FailurePolicy policy(JobFailurePolicy wire) {
    return switch (wire.getPolicyCase()) {
      case DROP -> new FailurePolicy.Drop();
      case CONSTANT -> {
        JobFailurePolicyConstant c = wire.getConstant();
        if (c.hasInterval() && !Durations.isValid(c.getInterval())) {
          throw new InvalidJobException("failure_policy.constant.interval is not a valid duration");
        }
        Duration interval = c.hasInterval() ? Duration.ofSeconds(c.getInterval().getSeconds(), c.getInterval().getNanos())
            : Duration.ZERO;
        if (interval.isNegative()) {
          throw new InvalidJobException("failure_policy.constant.interval must not be negative");
        }
        yield new FailurePolicy.Constant(interval, c.hasMaxRetries() ? Integer.toUnsignedLong(c.getMaxRetries()) : null);
      }
      case POLICY_NOT_SET -> FailurePolicy.DEFAULT;
    };
  }

  private static String quote(String name) {
    String shown = name.length() > 80 ? name.substring(0, 80) + "…" : name;
    StringBuilder sb = new StringBuilder("'");
    for (char c : shown.toCharArray()) {
      sb.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return sb.append('\'').toString();
  }
}
