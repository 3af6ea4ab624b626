package io.daprx.manager.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.manager.engine.ClusterResources;
import io.daprx.manager.model.ArmIds;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.engine.Clusters;
import io.daprx.manager.engine.ConnectedClusters;
import io.daprx.manager.deploy.Target;
import io.daprx.manager.engine.ExtensionRequest;
import io.daprx.manager.engine.Extensions;
import io.daprx.manager.engine.Json;
import io.daprx.manager.engine.LocalClusters;
import io.daprx.manager.engine.Registrations;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.StoreException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ARM-shaped REST API: routes, authentication and error mapping. Handlers only translate HTTP to
 * calls on the services and back; every rule lives in the services.
 */
public final class ManagementApi {

  private static final Logger LOG = LoggerFactory.getLogger(ManagementApi.class);
  static final String SUB = "/subscriptions/{sub}";
  static final String CLUSTER = SUB + "/resourceGroups/{rg}/providers/{rp}/{ctype}/{cluster}";
  static final String EXTENSIONS = CLUSTER + "/providers/Microsoft.KubernetesConfiguration/extensions";

  private final String subscription;
  private final byte[] token;
  private final byte[] readerToken;
  private final Registrations registrations;
  private final Clusters clusters;
  private final Extensions extensions;
  private final io.daprx.manager.engine.LocalClusters local;
  private final ClusterResources resources;
  private final ConnectedClusters connected;
  private final Target target;
  private io.daprx.manager.engine.SchedulerJobs scheduler;
  private final LogStreams logs = new LogStreams(LogStreams.DEFAULT_MAX_FOLLOWING);
  private KubeApi kube;

  /** @param readerToken a token accepted for GET and HEAD only (the local dashboard's), or null for none */
  public ManagementApi(String subscription, String token, String readerToken, Registrations registrations, Clusters clusters,
      Extensions extensions, io.daprx.manager.engine.LocalClusters local, ClusterResources resources, ConnectedClusters connected,
      Target target) {
    this.connected = connected;
    this.target = target;
    this.subscription = subscription;
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.readerToken = readerToken == null ? null : readerToken.getBytes(StandardCharsets.UTF_8);
    this.registrations = registrations;
    this.clusters = clusters;
    this.extensions = extensions;
    this.local = local;
    this.resources = resources;
  }

  /** Serves the scheduler's jobs with {@code jobs}; without it those routes answer that the server has no scheduler support. */
  public ManagementApi withScheduler(io.daprx.manager.engine.SchedulerJobs jobs) {
    this.scheduler = jobs;
    return this;
  }

  /**
   * Serves each local cluster's Kubernetes API (what kubectl needs: discovery, pods, logs, Services, namespaces, events,
   * dapr.io resources) under {@code <cluster id>/kube}, with ages counted on {@code clock}.
   */
  public ManagementApi withKubernetesApi(java.time.Clock clock, io.daprx.manager.engine.ClusterWorkloads workloads, ApiTls tls) {
    this.kube = new KubeApi(this::localCluster, workloads, resources, logs, clock, tls == null ? null : tls.caPem());
    return this;
  }

  private io.daprx.manager.engine.SchedulerJobs scheduler() {
    if (scheduler == null) {
      throw new ApiException(501, "NotImplemented", "This management server does not manage scheduler jobs.");
    }
    return scheduler;
  }

  /** Registers every route on {@code app}. */
  public void install(Javalin app) {
    app.before(this::authenticate);
    app.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.code(), e.getMessage()));
    // a body over the limit (io.daprx.common.runtime.HttpLimits), chunked or not, is refused as soon as it passes it
    app.exception(io.daprx.common.runtime.BodyLimit.TooLarge.class, (e, ctx) -> error(ctx, 413, "RequestTooLarge", e.getMessage()));
    app.exception(DomainException.class, (e, ctx) -> error(ctx, status(e.reason()), e.code(), e.getMessage()));
    app.exception(StoreException.class, (e, ctx) -> {
      switch (e.reason()) {
        case NOT_FOUND -> error(ctx, 404, "ResourceNotFound", e.getMessage());
        case CONFLICT -> error(ctx, 409, "Conflict", e.getMessage());
        case PRECONDITION_FAILED -> error(ctx, 412, "PreconditionFailed", e.getMessage());
        default -> {
          LOG.error("store unavailable: {}", e.getMessage());
          error(ctx, 503, "StoreUnavailable", "The management store is unavailable: " + e.getMessage());
        }
      }
    });
    app.exception(Exception.class, (e, ctx) -> {
      LOG.error("request {} {} failed", ctx.method(), ctx.path(), e);
      error(ctx, 500, "InternalServerError", "The server failed to handle the request; see the server log (daprx server logs).");
    });
    app.error(404, ctx -> {
      if (ctx.result() == null) {
        error(ctx, 404, "NotFound", "No route for " + ctx.method() + " " + ctx.path() + ".");
      }
    });
    app.error(405, ctx -> error(ctx, 405, "MethodNotAllowed", ctx.method() + " is not allowed on " + ctx.path() + "."));

    app.get("/subscriptions", ctx -> ctx.json(value(Json.MAPPER.createArrayNode().add(subscriptionJson()))));
    app.get(SUB, ctx -> {
      sub(ctx);
      ctx.json(subscriptionJson());
    });

    // features
    app.get(SUB + "/providers/Microsoft.Features/features", ctx -> {
      sub(ctx);
      ctx.json(value(registrations.features(null)));
    });
    app.get(SUB + "/providers/Microsoft.Features/providers/{ns}/features", ctx -> ctx.json(value(registrations.features(ns(ctx)))));
    app.get(SUB + "/providers/Microsoft.Features/providers/{ns}/features/{name}", ctx -> ctx.json(registrations.feature(ns(ctx), ctx.pathParam("name"))));
    app.post(SUB + "/providers/Microsoft.Features/providers/{ns}/features/{name}/register",
        ctx -> ctx.json(registrations.registerFeature(ns(ctx), ctx.pathParam("name"), true)));
    app.post(SUB + "/providers/Microsoft.Features/providers/{ns}/features/{name}/unregister",
        ctx -> ctx.json(registrations.registerFeature(ns(ctx), ctx.pathParam("name"), false)));

    // providers
    app.get(SUB + "/providers", ctx -> {
      sub(ctx);
      ctx.json(value(registrations.providers()));
    });
    app.get(SUB + "/providers/{ns}", ctx -> ctx.json(registrations.provider(ns(ctx))));
    app.post(SUB + "/providers/{ns}/register", ctx -> ctx.json(registrations.registerProvider(ns(ctx), true)));
    app.post(SUB + "/providers/{ns}/unregister", ctx -> ctx.json(registrations.registerProvider(ns(ctx), false)));

    // resource groups
    app.get(SUB + "/resourcegroups", ctx -> {
      sub(ctx);
      ctx.json(value(clusters.resourceGroups()));
    });
    app.put(SUB + "/resourcegroups/{rg}", ctx -> {
      sub(ctx);
      boolean existed = exists(() -> clusters.resourceGroup(ctx.pathParam("rg")));
      ctx.status(existed ? 200 : 201).json(clusters.putResourceGroup(ctx.pathParam("rg"), bodyOrEmpty(ctx).path("location").asText(null)));
    });
    app.get(SUB + "/resourcegroups/{rg}", ctx -> ctx.json(clusters.resourceGroup(rg(ctx))));
    app.delete(SUB + "/resourcegroups/{rg}", ctx -> {
      clusters.deleteResourceGroup(rg(ctx));
      ctx.status(200);
    });

    // clusters
    app.get(SUB + "/providers/{rp}/{ctype}", ctx -> {
      String type = checkClusterType(ctx);
      sub(ctx);
      ctx.json(value(clusters.clusters(null, type)));
    });
    app.get(SUB + "/resourceGroups/{rg}/providers/{rp}/{ctype}", ctx -> {
      String type = checkClusterType(ctx);
      ctx.json(value(clusters.clusters(rg(ctx), type)));
    });
    app.put(CLUSTER, ctx -> {
      if (!checkClusterType(ctx).equals("managedclusters")) {
        JsonNode b = body(ctx);
        boolean existed = exists(() -> cluster(ctx));
        ctx.status(existed ? 200 : 201).json(connected.connect(rg(ctx), ctx.pathParam("cluster"), b.path("kubeconfig").asText(null),
            b.path("context").isTextual() ? b.path("context").asText() : null, b.path("location").asText(null)));
        return;
      }
      ctx.status(201).json(clusters.createManaged(rg(ctx), ctx.pathParam("cluster"), bodyOrEmpty(ctx).path("location").asText(null)));
    });
    app.get(CLUSTER, ctx -> ctx.json(Json.external(cluster(ctx).body())));
    app.delete(CLUSTER, ctx -> {
      Doc c = cluster(ctx);
      if (ConnectedClusters.isConnected(c)) {
        connected.delete(c, target);
        ctx.status(200);
        return;
      }
      local.deleteCluster(c);
      ctx.status(200);
    });
    app.post(CLUSTER + "/start", ctx -> ctx.json(local.start(localCluster(ctx))));
    app.post(CLUSTER + "/stop", ctx -> ctx.json(local.stop(localCluster(ctx))));
    app.get(CLUSTER + "/pods", ctx -> ctx.json(value(local.pods(localCluster(ctx), ctx.queryParam("namespace")))));
    app.get(CLUSTER + "/services", ctx -> ctx.json(value(local.services(localCluster(ctx), ctx.queryParam("namespace")))));
    app.get(CLUSTER + "/pods/{pod}/log", ctx -> {
      java.nio.file.Path file = local.logFile(localCluster(ctx), ctx.queryParam("namespace"), ctx.pathParam("pod"));
      logs.serve(ctx, file, "true".equalsIgnoreCase(ctx.queryParam("follow")));
    });
    // dapr.io resources of the cluster (kubectl apply/get/delete); the Kind comes from the path
    app.post(CLUSTER + "/apply", ctx -> {
      JsonNode b = body(ctx);
      ArrayNode results = Json.MAPPER.createArrayNode();
      for (ClusterResources.Applied a : resources.apply(cluster(ctx), b.path("items"), b.path("namespace").asText(null))) {
        ObjectNode o = results.addObject();
        o.put("reference", a.reference());
        o.put("namespace", a.namespace());
        o.put("name", a.name());
        o.put("result", a.result());
      }
      ctx.json(value(results));
    });
    app.get(CLUSTER + "/resources/{kind}", ctx -> ctx.json(value(resources.list(cluster(ctx), kind(ctx), ctx.queryParam("namespace")))));
    app.get(CLUSTER + "/resources/{kind}/{name}", ctx -> ctx.json(resources.get(cluster(ctx), kind(ctx), ctx.queryParam("namespace"),
        ctx.pathParam("name"))));
    app.delete(CLUSTER + "/resources/{kind}/{name}", ctx -> {
      resources.delete(cluster(ctx), kind(ctx), ctx.queryParam("namespace"), ctx.pathParam("name"));
      ctx.status(200).json(Json.object());
    });
    app.get(CLUSTER + "/trustBundle", ctx -> ctx.json(local.trustBundle(localCluster(ctx))));
    // the scheduler's jobs, actor reminders and workflow timers (daprx scheduler list|get|delete|...; the dashboard);
    // names as the Dapr CLI writes them (app/ID/JOB, actor/TYPE/ID/NAME, workflow/APP/INSTANCE/NAME), slashes included
    app.get(CLUSTER + "/scheduler", ctx -> ctx.json(scheduler().status(cluster(ctx))));
    app.get(CLUSTER + "/scheduler/jobs", ctx -> ctx.json(value(scheduler().list(cluster(ctx), ctx.queryParam("namespace"),
        ctx.queryParam("filter")))));
    app.post(CLUSTER + "/scheduler/jobs/delete", ctx -> {
      JsonNode b = body(ctx);
      ctx.json(scheduler().deleteAll(cluster(ctx), b.path("namespace").asText(null), b.path("key").asText(null)));
    });
    app.get(CLUSTER + "/scheduler/jobs/<name>", ctx -> ctx.json(scheduler().get(cluster(ctx), ctx.queryParam("namespace"),
        ctx.pathParam("name"))));
    app.delete(CLUSTER + "/scheduler/jobs/<name>", ctx -> {
      scheduler().delete(cluster(ctx), ctx.queryParam("namespace"), ctx.pathParam("name"));
      ctx.status(200).json(Json.object());
    });
    app.get(CLUSTER + "/scheduler/export", ctx -> ctx.json(scheduler().export(cluster(ctx))));
    app.post(CLUSTER + "/scheduler/import", ctx -> ctx.json(scheduler().importJobs(cluster(ctx), body(ctx),
        "true".equalsIgnoreCase(ctx.queryParam("overwrite")))));

    if (kube != null) {
      kube.install(app);
    }

    // extensions
    app.get(EXTENSIONS, ctx -> ctx.json(value(extensions.list(cluster(ctx)))));
    app.put(EXTENSIONS + "/{name}", ctx -> accepted(ctx, extensions.create(cluster(ctx), ctx.pathParam("name"), ExtensionRequest.parse(body(ctx)),
        "*".equals(ctx.header("If-None-Match")), ifMatch(ctx))));
    app.patch(EXTENSIONS + "/{name}", ctx -> accepted(ctx, extensions.update(cluster(ctx), ctx.pathParam("name"), ExtensionRequest.parse(body(ctx)),
        ifMatch(ctx))));
    app.get(EXTENSIONS + "/{name}", ctx -> {
      Doc c = cluster(ctx);
      Doc d = extensions.doc(c, ctx.pathParam("name"));
      ctx.header("ETag", EntityTags.quote(d.etag())).json(extensions.shown(c, d));
    });
    app.delete(EXTENSIONS + "/{name}", ctx -> {
      Extensions.Accepted a = extensions.delete(cluster(ctx), ctx.pathParam("name"), "true".equalsIgnoreCase(ctx.queryParam("forceDelete")),
          ifMatch(ctx));
      if (a == null) {
        ctx.status(204);
      } else {
        accepted(ctx, a);
      }
    });
    app.get(EXTENSIONS + "/{name}/operations", ctx -> ctx.json(value(extensions.operations(cluster(ctx), ctx.pathParam("name")))));
    app.get(CLUSTER + "/providers/Microsoft.KubernetesConfiguration/extensionTypes/{type}/versions", ctx -> ctx.json(value(
        extensions.versions(cluster(ctx), ctx.pathParam("type"), ctx.queryParam("releaseTrain"), ctx.queryParam("majorVersion"),
            "true".equalsIgnoreCase(ctx.queryParam("showLatest"))))));
    app.get(EXTENSIONS + "/{name}/operations/{op}", ctx -> ctx.json(extensions.operation(cluster(ctx), ctx.pathParam("name"), ctx.pathParam("op"))));
  }

  // ---- helpers

  private void authenticate(Context ctx) {
    String h = ctx.header("Authorization");
    byte[] given = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
    // an empty credential never matches, whatever a token file held (the server refuses short tokens at start too)
    if (given.length > 0 && MessageDigest.isEqual(given, token)) {
      return;
    }
    if (given.length > 0 && readerToken != null && MessageDigest.isEqual(given, readerToken)) {
      if (ctx.method() == io.javalin.http.HandlerType.GET || ctx.method() == io.javalin.http.HandlerType.HEAD) {
        return;
      }
      throw new ApiException(403, "ReadOnlyToken", "This token may only read (GET): " + ctx.method() + " " + ctx.path()
          + " needs the server's admin token.");
    }
    throw new ApiException(401, "AuthenticationFailed", h == null
        ? "Authentication is required: send 'Authorization: Bearer <token>' (the CLI reads the token from the server's token file)."
        : "The bearer token is not valid for this server.");
  }

  private static void error(Context ctx, int status, String code, String message) {
    if (KubeApi.isKubePath(ctx.path())) {
      KubeApi.fail(ctx, status, message); // kubectl reads a v1 Status
      return;
    }
    ObjectNode body = Json.object();
    ObjectNode e = body.putObject("error");
    e.put("code", code);
    e.put("message", message);
    ctx.status(status).json(body);
  }

  private static void accepted(Context ctx, Extensions.Accepted a) {
    String opUrl = ctx.scheme() + "://" + ctx.host() + a.body().path("id").asText() + "/operations/" + a.operationId();
    ctx.header("Azure-AsyncOperation", opUrl);
    ctx.header("Location", opUrl);
    ctx.header("ETag", EntityTags.quote(a.etag()));
    ctx.status(a.status()).json(a.body());
  }

  /** The store tag the request's If-Match asks for (see {@link EntityTags#ifMatch}); null without one. */
  private String ifMatch(Context ctx) {
    return EntityTags.ifMatch(ctx.header("If-Match"), () -> {
      try {
        return extensions.doc(cluster(ctx), ctx.pathParam("name")).etag();
      } catch (DomainException | StoreException | ApiException missing) {
        return null;
      }
    });
  }

  private String sub(Context ctx) {
    String s = ctx.pathParam("sub");
    if (!s.equalsIgnoreCase(subscription)) {
      throw ApiException.notFound("SubscriptionNotFound", "The subscription '" + s + "' could not be found; this server's subscription is "
          + subscription + ".");
    }
    return s;
  }

  private String ns(Context ctx) {
    sub(ctx);
    return ctx.pathParam("ns");
  }

  private String rg(Context ctx) {
    sub(ctx);
    return ctx.pathParam("rg");
  }

  private static String checkClusterType(Context ctx) {
    String rp = ctx.pathParam("rp");
    String type = ctx.pathParam("ctype").toLowerCase(Locale.ROOT);
    String expected = ArmIds.clusterProvider(type);
    if (!expected.equalsIgnoreCase(rp + "/" + ctx.pathParam("ctype"))) {
      throw ApiException.notFound("NotFound", "No route for " + ctx.method() + " " + ctx.path() + ".");
    }
    return type;
  }

  private Doc cluster(Context ctx) {
    String type = checkClusterType(ctx);
    return clusters.clusterDoc(rg(ctx), type, ctx.pathParam("cluster"));
  }

  /** A local managed cluster; a connected one is refused, since kubectl, not daprx, inspects and powers it. */
  private Doc localCluster(Context ctx) {
    Doc c = cluster(ctx);
    if (ConnectedClusters.isConnected(c)) {
      throw ApiException.badRequest("NotALocalCluster", "'" + c.body().path("name").asText()
          + "' is a connected Kubernetes cluster: use kubectl with its kubeconfig to start, stop or inspect it.");
    }
    return c;
  }

  private static ResourceKind kind(Context ctx) {
    ResourceKind k = ResourceKind.resolve(ctx.pathParam("kind")).orElse(null);
    if (k == null) {
      throw ApiException.notFound("ResourceTypeNotFound", "the server doesn't have a resource type \"" + ctx.pathParam("kind")
          + "\"; the Dapr kinds are " + ResourceKind.known());
    }
    return k;
  }

  private ObjectNode subscriptionJson() {
    ObjectNode s = Json.object();
    s.put("id", ArmIds.subscription(subscription));
    s.put("subscriptionId", subscription);
    s.put("displayName", "daprx local subscription");
    s.put("state", "Enabled");
    return s;
  }

  /** ARM wraps lists as {@code {"value": [...]}}. */
  private static ObjectNode value(ArrayNode items) {
    ObjectNode o = Json.object();
    o.set("value", items);
    return o;
  }

  private static JsonNode body(Context ctx) {
    return jsonObject(ctx.body());
  }

  /** A request body as a JSON object, or a 400 saying what is wrong with it; no HTTP here, so it is fuzzed as it is. */
  public static JsonNode jsonObject(String text) {
    if (text.isBlank()) {
      throw ApiException.badRequest("InvalidRequestContent", "The request content was empty; send a JSON object.");
    }
    try {
      JsonNode n = Json.MAPPER.readTree(text);
      if (n == null || !n.isObject()) {
        throw ApiException.badRequest("InvalidRequestContent", "The request content must be a JSON object.");
      }
      return n;
    } catch (JsonProcessingException e) {
      // a limit of the parser (nesting, number length) has no location; the parser's text may quote the body: kept short
      String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
      throw ApiException.badRequest("InvalidRequestContent", "The request content was invalid and could not be deserialized: "
          + shorten(e.getOriginalMessage()) + where + ".");
    }
  }

  private static String shorten(String s) {
    if (s == null) {
      return "malformed JSON";
    }
    String line = s.lines().findFirst().orElse("").replaceAll("[^\\x20-\\x7e]", "?");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }

  /** The HTTP status ARM answers for each reason the manager refuses a request. */
  static int status(DomainException.Reason reason) {
    return switch (reason) {
      case INVALID -> 400;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case PRECONDITION_FAILED -> 412;
    };
  }

  private static JsonNode bodyOrEmpty(Context ctx) {
    return ctx.body().isBlank() ? Json.object() : body(ctx);
  }

  private static boolean exists(Runnable probe) {
    try {
      probe.run();
      return true;
    } catch (ApiException | DomainException e) {
      return false;
    }
  }
}
