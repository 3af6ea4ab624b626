package io.daprx.manager.engine;

import io.daprx.manager.model.DomainException;
import io.daprx.proto.scheduler.admin.v1.ActorRef;
import io.daprx.proto.scheduler.admin.v1.JobKind;
import io.daprx.proto.scheduler.admin.v1.JobRef;
import io.daprx.proto.scheduler.admin.v1.JobSelector;
import java.util.List;
import java.util.Locale;

/**
 * Jobs named as the Dapr CLI's {@code dapr scheduler} names them: {@code app/<app id>/<job>},
 * {@code actor/<actor type>/<actor id>/<reminder>}, {@code workflow/<app id>/<instance id>/<reminder>},
 * {@code activity/<app id>/<activity id>}; and its {@code delete-all} keys ({@code all}, {@code app[/<app id>]},
 * {@code actor/<type>[/<id>]}, {@code workflow[/<app id>[/<instance id>]]}). Pure functions.
 */
public final class JobNames {

  private static final String INTERNAL = "dapr.internal.";
  /** The one reminder an activity actor has; the Dapr CLI leaves it out of the activity's name. */
  static final String RUN_ACTIVITY = "run-activity";

  private JobNames() {}

  /** The name a user sees and types. */
  public static String name(JobRef ref) {
    if (ref.hasActor()) {
      String type = ref.getActor().getType();
      String id = ref.getActor().getId();
      String app = workflowApp(ref.getNamespace(), type);
      if (app != null && type.endsWith(".workflow")) {
        return "workflow/" + app + "/" + id + "/" + ref.getName();
      }
      if (app != null && type.endsWith(".activity") && ref.getName().equals(RUN_ACTIVITY)) {
        return "activity/" + app + "/" + id;
      }
      return "actor/" + type + "/" + id + "/" + ref.getName();
    }
    return "app/" + ref.getAppId() + "/" + ref.getName();
  }

  /** The user's word for a job's kind: app, actor, workflow or activity. */
  public static String kind(JobRef ref) {
    return name(ref).substring(0, name(ref).indexOf('/'));
  }

  /** The app of an internal workflow actor type {@code dapr.internal.<ns>.<app>.<kind>}; null for any other type. */
  static String workflowApp(String namespace, String type) {
    String prefix = INTERNAL + namespace + ".";
    if (!type.startsWith(prefix)) {
      return null;
    }
    String rest = type.substring(prefix.length());
    int dot = rest.lastIndexOf('.');
    return dot <= 0 ? null : rest.substring(0, dot);
  }

  /**
   * The job a name refers to in {@code namespace}.
   *
   * @throws DomainException naming the expected shape
   */
  public static JobRef parse(String name, String namespace) {
    String[] p = name.split("/", -1);
    JobRef.Builder b = JobRef.newBuilder().setNamespace(namespace);
    String kind = p[0].toLowerCase(Locale.ROOT);
    switch (kind) {
      case "app" -> {
        require(p.length == 3, name, "app/{app ID}/{job name}");
        return b.setAppId(p[1]).setName(p[2]).build();
      }
      case "actor" -> {
        require(p.length == 4, name, "actor/{actor type}/{actor ID}/{reminder name}");
        return b.setActor(ActorRef.newBuilder().setType(p[1]).setId(p[2])).setName(p[3]).build();
      }
      case "workflow" -> {
        require(p.length == 4, name, "workflow/{app ID}/{instance ID}/{reminder name}");
        return b.setActor(ActorRef.newBuilder().setType(INTERNAL + namespace + "." + p[1] + ".workflow").setId(p[2])).setName(p[3]).build();
      }
      case "activity" -> {
        require(p.length == 3, name, "activity/{app ID}/{activity ID}");
        return b.setActor(ActorRef.newBuilder().setType(INTERNAL + namespace + "." + p[1] + ".activity").setId(p[2]))
            .setName(RUN_ACTIVITY).build();
      }
      default -> throw DomainException.invalid("InvalidJobName", "unsupported job type '" + p[0]
          + "' in '" + name + "': use app/{app ID}/{job name}, actor/{actor type}/{actor ID}/{reminder name},"
          + " workflow/{app ID}/{instance ID}/{reminder name} or activity/{app ID}/{activity ID}");
    }
  }

  /**
   * The jobs a {@code delete-all} key covers in {@code namespace}.
   *
   * @throws DomainException naming the accepted keys
   */
  public static List<JobSelector> deleteAllKey(String key, String namespace) {
    String[] p = key.split("/", -1);
    JobSelector.Builder s = JobSelector.newBuilder().setNamespace(namespace);
    for (String part : p) {
      if (part.isEmpty()) {
        throw badKey(key);
      }
    }
    switch (p[0].toLowerCase(Locale.ROOT)) {
      case "all" -> {
        requireKey(p.length == 1, key);
        return List.of(s.setKind(JobKind.JOB_KIND_ALL).build());
      }
      case "app" -> {
        requireKey(p.length <= 2, key);
        s.setKind(JobKind.JOB_KIND_APP);
        return List.of(p.length == 2 ? s.setAppId(p[1]).build() : s.build());
      }
      case "actor" -> {
        requireKey(p.length <= 3, key);
        s.setKind(JobKind.JOB_KIND_ACTOR);
        if (p.length >= 2) {
          s.setActorType(p[1]);
        }
        return List.of(p.length == 3 ? s.setActorId(p[2]).build() : s.build());
      }
      case "workflow", "activity" -> {
        requireKey(p.length <= 3, key);
        s.setKind(p[0].equalsIgnoreCase("workflow") ? JobKind.JOB_KIND_WORKFLOW : JobKind.JOB_KIND_ACTIVITY);
        if (p.length >= 2) {
          s.setAppId(p[1]);
        }
        return List.of(p.length == 3 ? s.setActorId(p[2]).build() : s.build());
      }
      default -> throw badKey(key);
    }
  }

  /** A listing filter: all, app, actor, workflow or activity. */
  public static JobKind filter(String filter) {
    return switch (filter == null || filter.isBlank() ? "all" : filter.toLowerCase(Locale.ROOT)) {
      case "all" -> JobKind.JOB_KIND_ALL;
      case "app" -> JobKind.JOB_KIND_APP;
      case "actor" -> JobKind.JOB_KIND_ACTOR;
      case "workflow" -> JobKind.JOB_KIND_WORKFLOW;
      case "activity" -> JobKind.JOB_KIND_ACTIVITY;
      default -> throw DomainException.invalid("InvalidFilter", "invalid value '" + filter
          + "' for --filter. Supported values are all, app, actor, workflow, activity");
    };
  }

  private static void require(boolean ok, String name, String shape) {
    if (!ok) {
      throw DomainException.invalid("InvalidJobName", "expecting the job name in the format '" + shape + "', got '" + name + "'");
    }
  }

  private static void requireKey(boolean ok, String key) {
    if (!ok) {
      throw badKey(key);
    }
  }

  private static DomainException badKey(String key) {
    return DomainException.invalid("InvalidDeleteAllKey", "invalid key '" + key + "': use all, app, app/{app ID},"
        + " actor/{actor type}, actor/{actor type}/{actor ID}, workflow, workflow/{app ID}, workflow/{app ID}/{instance ID},"
        + " activity or activity/{app ID}");
  }
}
