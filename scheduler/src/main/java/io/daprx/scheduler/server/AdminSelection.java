package io.daprx.scheduler.server;

import com.google.protobuf.Timestamp;
import io.daprx.proto.scheduler.admin.v1.ActorRef;
import io.daprx.proto.scheduler.admin.v1.AdminJob;
import io.daprx.proto.scheduler.admin.v1.JobKind;
import io.daprx.proto.scheduler.admin.v1.JobRef;
import io.daprx.scheduler.job.InvalidJobException;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.job.JobOwner;
import io.daprx.scheduler.job.JobSelector;
import io.daprx.scheduler.job.StoredJob;
import java.time.Instant;
import java.util.Optional;

/**
 * What the admin API's selectors and references mean in the job model: pure functions, no store. Workflow reminders
 * are those of the engine's internal actor types {@code dapr.internal.<ns>.<app>.<workflow|activity|executor|…>}; an
 * actor reminder is any other.
 */
final class AdminSelection {

  static final String INTERNAL_PREFIX = "dapr.internal.";

  private AdminSelection() {}

  /** A selector made usable: its fields checked, with the store scan that covers it. */
  record Selection(io.daprx.proto.scheduler.admin.v1.JobSelector wire, JobSelector scan, boolean exact) {

    boolean matches(JobKey key) {
      return AdminSelection.matches(wire, key);
    }
  }

  /**
   * @throws InvalidJobException for a field that makes no sense with the kind (e.g. an actor type for app jobs)
   */
  static Selection selection(io.daprx.proto.scheduler.admin.v1.JobSelector s) {
    String ns = s.getNamespace();
    JobKind kind = s.getKind();
    if (kind == JobKind.UNRECOGNIZED) {
      throw new InvalidJobException("unknown job kind " + s.getKindValue() + ": use all, app, actor, workflow or activity");
    }
    if (!s.getActorType().isEmpty() && kind != JobKind.JOB_KIND_ACTOR) {
      throw new InvalidJobException("an actor type narrows actor reminders only (kind actor)");
    }
    if (!s.getAppId().isEmpty() && (kind == JobKind.JOB_KIND_ALL || kind == JobKind.JOB_KIND_ACTOR)) {
      throw new InvalidJobException("an app id narrows app jobs, workflows or activities only: reminders belong to actors");
    }
    if (!s.getActorId().isEmpty() && (kind == JobKind.JOB_KIND_ALL || kind == JobKind.JOB_KIND_APP
        || kind == JobKind.JOB_KIND_ACTOR && s.getActorType().isEmpty())) {
      throw new InvalidJobException("an actor id needs an actor type (kind actor), a workflow app (kind workflow) or kind activity");
    }
    if ((kind == JobKind.JOB_KIND_WORKFLOW || kind == JobKind.JOB_KIND_ACTIVITY) && !s.getActorId().isEmpty() && s.getAppId().isEmpty()) {
      throw new InvalidJobException("a workflow instance or activity id needs the app id of the workflow");
    }
    if (ns.isEmpty()) {
      return new Selection(s, JobSelector.all(), kind == JobKind.JOB_KIND_ALL);
    }
    return switch (kind) {
      case JOB_KIND_ALL -> new Selection(s, JobSelector.namespace(ns), true);
      case JOB_KIND_APP -> s.getAppId().isEmpty() ? new Selection(s, JobSelector.namespace(ns), false)
          : new Selection(s, JobSelector.app(ns, s.getAppId()), true);
      case JOB_KIND_ACTOR -> s.getActorType().isEmpty() || s.getActorType().startsWith(INTERNAL_PREFIX)
          ? new Selection(s, JobSelector.namespace(ns), false)
          : new Selection(s, JobSelector.actor(ns, s.getActorType(), s.getActorId(), false), true);
      default -> new Selection(s, JobSelector.namespace(ns), false);
    };
  }

  static boolean matches(io.daprx.proto.scheduler.admin.v1.JobSelector s, JobKey key) {
    JobOwner owner = key.owner();
    if (!s.getNamespace().isEmpty() && !owner.namespace().equals(s.getNamespace())) {
      return false;
    }
    return switch (s.getKind()) {
      case JOB_KIND_ALL -> true;
      case JOB_KIND_APP -> owner instanceof JobOwner.App a && (s.getAppId().isEmpty() || a.appId().equals(s.getAppId()));
      case JOB_KIND_ACTOR -> owner instanceof JobOwner.Actor a && !a.type().startsWith(INTERNAL_PREFIX)
          && (s.getActorType().isEmpty() || a.type().equals(s.getActorType()))
          && (s.getActorId().isEmpty() || a.id().equals(s.getActorId()));
      case JOB_KIND_WORKFLOW -> owner instanceof JobOwner.Actor a && workflowApp(a).isPresent()
          && (s.getAppId().isEmpty() || workflowApp(a).get().equals(s.getAppId()))
          // an instance's reminders, and those of its activities (actor ids "<instance>::<task>::<generation>")
          && (s.getActorId().isEmpty() || a.id().equals(s.getActorId()) || a.id().startsWith(s.getActorId() + "::"));
      case JOB_KIND_ACTIVITY -> owner instanceof JobOwner.Actor a && a.type().endsWith(".activity") && workflowApp(a).isPresent()
          && (s.getAppId().isEmpty() || workflowApp(a).get().equals(s.getAppId()))
          && (s.getActorId().isEmpty() || a.id().equals(s.getActorId()));
      case UNRECOGNIZED -> false;
    };
  }

  /** The app of a workflow engine's internal actor type {@code dapr.internal.<ns>.<app>.<kind>}; empty for any other type. */
  static Optional<String> workflowApp(JobOwner.Actor a) {
    String prefix = INTERNAL_PREFIX + a.namespace() + ".";
    if (!a.type().startsWith(prefix)) {
      return Optional.empty();
    }
    String rest = a.type().substring(prefix.length());
    int dot = rest.lastIndexOf('.');
    return dot <= 0 ? Optional.empty() : Optional.of(rest.substring(0, dot));
  }

  /** @throws InvalidJobException when the reference names no owner or no job */
  static JobKey key(JobRef ref) {
    if (ref.getNamespace().isEmpty() || ref.getName().isEmpty()) {
      throw new InvalidJobException("a job reference needs a namespace and a name");
    }
    return switch (ref.getOwnerCase()) {
      case APP_ID -> {
        if (ref.getAppId().isEmpty()) {
          throw new InvalidJobException("a job reference needs an app id");
        }
        yield new JobKey(new JobOwner.App(ref.getNamespace(), ref.getAppId()), ref.getName());
      }
      case ACTOR -> {
        if (ref.getActor().getType().isEmpty() || ref.getActor().getId().isEmpty()) {
          throw new InvalidJobException("a reminder reference needs an actor type and an actor id");
        }
        yield new JobKey(new JobOwner.Actor(ref.getNamespace(), ref.getActor().getType(), ref.getActor().getId()), ref.getName());
      }
      case OWNER_NOT_SET -> throw new InvalidJobException("a job reference needs an app id or an actor");
    };
  }

  static JobRef ref(JobKey key) {
    JobRef.Builder b = JobRef.newBuilder().setNamespace(key.owner().namespace()).setName(key.name());
    if (key.owner() instanceof JobOwner.Actor a) {
      b.setActor(ActorRef.newBuilder().setType(a.type()).setId(a.id()));
    } else {
      b.setAppId(((JobOwner.App) key.owner()).appId());
    }
    return b.build();
  }

  /** A stored job as the admin API shows it; {@code withData} false leaves the (possibly large, possibly secret) data out. */
  static AdminJob view(StoredJob j, boolean withData) {
    AdminJob.Builder b = AdminJob.newBuilder().setRef(ref(j.key())).setMetadata(j.metadata())
        .setJob(withData ? j.spec() : j.spec().toBuilder().clearData().build())
        .setBegin(timestamp(j.timing().begin()))
        .setCount(j.ticks().count())
        .setAttempts(j.ticks().attempts());
    if (j.timing().expiration() != null) {
      b.setExpiration(timestamp(j.timing().expiration()));
    }
    if (j.ticks().lastTrigger() != null) {
      b.setLastTrigger(timestamp(j.ticks().lastTrigger()));
    }
    j.timing().attemptAt(j.ticks(), j.policy()).ifPresent(t -> b.setNextTrigger(timestamp(t)));
    return b.build();
  }

  static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
