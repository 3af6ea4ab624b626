package io.daprx.manager.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.manager.engine.ClusterResources;
import io.daprx.manager.engine.ClusterWorkloads;
import io.daprx.manager.engine.Json;
import io.daprx.manager.engine.Versions;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.store.Doc;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.api.model.EventListBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceListBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceListBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.zjsonpatch.JsonPatch;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The part of the Kubernetes API kubectl needs to work on a local cluster, served under the cluster's own path
 * ({@code <cluster id>/kube}, the kubeconfig's server URL, so each cluster is its own API server). Workloads are
 * read-only — the control plane owns its pods — and the {@code dapr.io} resources read-write through the same
 * {@link ClusterResources} {@code daprx apply} writes with. Discovery is the legacy one (kubectl falls back to it when
 * the answer to its aggregated-discovery request is plain JSON). Authentication and error bodies are the management
 * API's: its before-handler checks the bearer token (the reader token reads only), and its error mapping answers
 * {@code v1 Status} objects on these paths ({@link #isKubePath}).
 */
final class KubeApi {

  static final String PREFIX = ManagementApi.CLUSTER + "/kube";
  /** The Kubernetes minor version whose API subset this serves (kubectl warns past one minor of skew). */
  static final String KUBE_MINOR = "32";
  private static final String TABLE = "as=Table";
  private static final int MAX_WATCHES = 4;

  private final Function<Context, Doc> cluster;
  private final ClusterWorkloads workloads;
  private final ClusterResources resources;
  private final LogStreams logs;
  private final Clock clock;
  private final String caPem;
  private final java.util.concurrent.Semaphore watches = new java.util.concurrent.Semaphore(MAX_WATCHES);

  /** @param caPem the CA of the server's TLS, which kubeconfigs carry; null when the server serves no TLS */
  KubeApi(Function<Context, Doc> cluster, ClusterWorkloads workloads, ClusterResources resources, LogStreams logs, Clock clock,
      String caPem) {
    this.caPem = caPem;
    this.cluster = cluster;
    this.workloads = workloads;
    this.resources = resources;
    this.logs = logs;
    this.clock = clock;
  }

  static boolean isKubePath(String path) {
    return path.toLowerCase(java.util.Locale.ROOT).matches(".*/providers/[^/]+/[^/]+/[^/]+/kube(/.*)?");
  }

  /** Writes a failure as the API server does; kubectl prints "Error from server (REASON): MESSAGE". */
  static void fail(Context ctx, int status, String message) {
    write(ctx.status(status), KubeObjects.failure(status, KubeObjects.reason(status), message));
  }

  void install(Javalin app) {
    // as AKS's: a kubeconfig for the cluster, base64 in {"kubeconfigs": [...]}; its user carries the token that asked
    app.post(ManagementApi.CLUSTER + "/listClusterUserCredential", ctx -> {
      cluster.apply(ctx);
      if (caPem == null) {
        throw ApiException.badRequest("NoTls", "this management server serves no TLS, and kubectl sends its token only over TLS;"
            + " start it with its defaults (daprx server) to get credentials");
      }
      String path = ctx.path().substring(0, ctx.path().length() - "/listClusterUserCredential".length());
      String name = ctx.pathParam("cluster");
      String token = ctx.header("Authorization").substring(7).trim();
      io.fabric8.kubernetes.api.model.Config config = new io.fabric8.kubernetes.api.model.ConfigBuilder().withApiVersion("v1")
          .withKind("Config").addNewCluster().withName(name).withNewCluster().withServer("https://" + ctx.host() + path + "/kube")
          .withCertificateAuthorityData(java.util.Base64.getEncoder().encodeToString(caPem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
          .endCluster().endCluster()
          .addNewUser().withName("clusterUser_" + ctx.pathParam("rg") + "_" + name).withNewUser().withToken(token).endUser().endUser()
          .addNewContext().withName(name).withNewContext().withCluster(name).withUser("clusterUser_" + ctx.pathParam("rg") + "_" + name)
          .endContext().endContext().withCurrentContext(name).build();
      String yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()
          .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)).writeValueAsString(config);
      ObjectNode out = Json.object();
      out.putArray("kubeconfigs").addObject().put("name", "clusterUser")
          .put("value", java.util.Base64.getEncoder().encodeToString(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      write(ctx, out);
    });
    app.get(PREFIX + "/version", ctx -> {
      ObjectNode v = Json.object();
      v.put("major", "1");
      v.put("minor", KUBE_MINOR);
      v.put("gitVersion", "v1." + KUBE_MINOR + ".0+daprx-" + Versions.CURRENT);
      v.put("platform", "linux/amd64");
      write(ctx, v);
    });
    app.get(PREFIX + "/api", ctx -> write(ctx, new APIVersionsBuilder().withVersions("v1").addNewServerAddressByClientCIDR()
        .withClientCIDR("0.0.0.0/0").withServerAddress(ctx.host()).endServerAddressByClientCIDR().build()));
    app.get(PREFIX + "/api/v1", ctx -> write(ctx, new APIResourceListBuilder().withGroupVersion("v1").withResources(
        core("pods", "Pod", true, List.of("po"), "get", "list", "watch"), core("pods/log", "Pod", true, List.of(), "get"),
        core("services", "Service", true, List.of("svc"), "get", "list"), core("namespaces", "Namespace", false, List.of("ns"), "get", "list"),
        core("events", "Event", true, List.of("ev"), "get", "list")).build()));
    app.get(PREFIX + "/apis", ctx -> write(ctx, new APIGroupListBuilder().withGroups(daprGroup()).build()));
    app.get(PREFIX + "/apis/dapr.io", ctx -> write(ctx, daprGroup()));
    app.get(PREFIX + "/apis/dapr.io/{version}", ctx -> {
      String version = ctx.pathParam("version");
      List<APIResource> rs = new ArrayList<>();
      for (ResourceKind k : ResourceKind.values()) {
        if (k.versions().contains(version)) {
          rs.add(new APIResourceBuilder().withName(k.plural()).withSingularName(k.kind().toLowerCase(java.util.Locale.ROOT))
              .withKind(k.kind()).withNamespaced(true).withCategories("dapr")
              .withVerbs("get", "list", "create", "update", "patch", "delete").build());
        }
      }
      if (rs.isEmpty()) {
        throw ApiException.notFound("NotFound", "the server could not find the requested resource (dapr.io/" + version + ")");
      }
      write(ctx, new APIResourceListBuilder().withGroupVersion("dapr.io/" + version).withResources(rs).build());
    });

    // OpenAPI v3, only what kubectl apply asks before it writes: whether the server validates fields itself (the PATCH
    // of each dapr.io kind takes fieldValidation), so kubectl need not download a schema to validate with
    app.get(PREFIX + "/openapi/v3", ctx -> {
      ObjectNode root = Json.object();
      ObjectNode paths = root.putObject("paths");
      for (String v : daprVersions()) {
        paths.putObject("apis/dapr.io/" + v).put("serverRelativeURL", "/openapi/v3/apis/dapr.io/" + v + "?hash=" + Versions.CURRENT + "-" + v);
      }
      write(ctx, root);
    });
    app.get(PREFIX + "/openapi/v3/apis/dapr.io/{version}", ctx -> write(ctx, openApi(ctx.pathParam("version"))));

    // pods, read-only
    app.get(PREFIX + "/api/v1/pods", ctx -> pods(ctx, null));
    app.get(PREFIX + "/api/v1/namespaces/{ns}/pods", ctx -> pods(ctx, ctx.pathParam("ns")));
    app.get(PREFIX + "/api/v1/namespaces/{ns}/pods/{name}", ctx -> {
      Pod p = selectedPods(ctx, ctx.pathParam("ns")).stream().filter(x -> x.getMetadata().getName().equals(ctx.pathParam("name")))
          .findFirst().orElseThrow(() -> notFound("pods", ctx.pathParam("name")));
      one(ctx, p, KubeTable.POD, o -> KubeTable.podRow(p, clock.instant(), o));
    });
    app.get(PREFIX + "/api/v1/namespaces/{ns}/pods/{name}/log", this::log);
    Handler readOnly = ctx -> {
      throw new ApiException(403, "Forbidden", "pods are read-only on a local cluster: its control plane owns them."
          + " Change them with 'daprx k8s-extension update', restart them with 'daprx cluster stop' and 'start'");
    };
    for (String path : List.of("/api/v1/namespaces/{ns}/pods", "/api/v1/namespaces/{ns}/pods/{name}")) {
      app.post(PREFIX + path, readOnly);
      app.put(PREFIX + path, readOnly);
      app.patch(PREFIX + path, readOnly);
      app.delete(PREFIX + path, readOnly);
    }

    // services, namespaces, events, read-only
    app.get(PREFIX + "/api/v1/services", ctx -> services(ctx, null));
    app.get(PREFIX + "/api/v1/namespaces/{ns}/services", ctx -> services(ctx, ctx.pathParam("ns")));
    app.get(PREFIX + "/api/v1/namespaces/{ns}/services/{name}", ctx -> {
      Service s = services(cluster.apply(ctx), ctx.pathParam("ns")).stream().filter(x -> x.getMetadata().getName().equals(ctx.pathParam("name")))
          .findFirst().orElseThrow(() -> notFound("services", ctx.pathParam("name")));
      one(ctx, s, KubeTable.SERVICE, o -> KubeTable.serviceRow(s, clock.instant(), o));
    });
    app.get(PREFIX + "/api/v1/namespaces", this::namespaces);
    app.get(PREFIX + "/api/v1/namespaces/{name}", ctx -> {
      Namespace n = namespaces(cluster.apply(ctx)).stream().filter(x -> x.getMetadata().getName().equals(ctx.pathParam("name")))
          .findFirst().orElseThrow(() -> notFound("namespaces", ctx.pathParam("name")));
      one(ctx, n, KubeTable.NAMESPACE, o -> KubeTable.namespaceRow(n, "Active", clock.instant(), o));
    });
    // the local supervisor records no events: an empty list, so 'kubectl get events' says there are none
    Handler events = ctx -> {
      cluster.apply(ctx);
      EventList none = new EventListBuilder().withNewMetadata().withResourceVersion("1").endMetadata().build();
      write(ctx, wantsTable(ctx) ? KubeTable.of(KubeTable.EVENT, List.of()) : none);
    };
    app.get(PREFIX + "/api/v1/events", events);
    app.get(PREFIX + "/api/v1/namespaces/{ns}/events", events);

    // dapr.io resources, read-write through daprx apply's path
    app.get(PREFIX + "/apis/dapr.io/{version}/{plural}", ctx -> listResources(ctx, null));
    app.get(PREFIX + "/apis/dapr.io/{version}/namespaces/{ns}/{plural}", ctx -> listResources(ctx, ctx.pathParam("ns")));
    app.get(PREFIX + "/apis/dapr.io/{version}/namespaces/{ns}/{plural}/{name}", ctx -> {
      ObjectNode o = resources.get(cluster.apply(ctx), kind(ctx), ctx.pathParam("ns"), ctx.pathParam("name"));
      if (wantsTable(ctx)) {
        write(ctx, KubeTable.of(KubeTable.RESOURCE, List.of(KubeTable.resourceRow(o, clock.instant(), include(ctx)))));
      } else {
        write(ctx, o);
      }
    });
    app.post(PREFIX + "/apis/dapr.io/{version}/namespaces/{ns}/{plural}", ctx -> {
      Doc c = cluster.apply(ctx);
      ResourceKind k = kind(ctx);
      JsonNode body = body(ctx);
      String name = body.path("metadata").path("name").asText();
      if (exists(c, k, ctx.pathParam("ns"), name)) {
        throw new ApiException(409, "AlreadyExists", k.plural() + ".dapr.io \"" + name + "\" already exists");
      }
      write(ctx.status(201), store(ctx, c, k, body));
    });
    app.put(PREFIX + "/apis/dapr.io/{version}/namespaces/{ns}/{plural}/{name}", ctx -> {
      Doc c = cluster.apply(ctx);
      ResourceKind k = kind(ctx);
      boolean existed = exists(c, k, ctx.pathParam("ns"), ctx.pathParam("name"));
      write(ctx.status(existed ? 200 : 201), store(ctx, c, k, named(ctx, body(ctx))));
    });
    app.patch(PREFIX + "/apis/dapr.io/{version}/namespaces/{ns}/{plural}/{name}", ctx -> {
      Doc c = cluster.apply(ctx);
      ResourceKind k = kind(ctx);
      ObjectNode current = resources.get(c, k, ctx.pathParam("ns"), ctx.pathParam("name"));
      write(ctx, store(ctx, c, k, named(ctx, patch(ctx, current))));
    });
    app.delete(PREFIX + "/apis/dapr.io/{version}/namespaces/{ns}/{plural}/{name}", ctx -> {
      ResourceKind k = kind(ctx);
      refuseDryRun(ctx);
      resources.delete(cluster.apply(ctx), k, ctx.pathParam("ns"), ctx.pathParam("name"));
      write(ctx, new StatusBuilder().withStatus("Success").withNewDetails().withName(ctx.pathParam("name")).withGroup("dapr.io")
          .withKind(k.plural()).endDetails().withNewMetadata().endMetadata().build());
    });
  }

  // ---- pods

  private void pods(Context ctx, String namespace) throws IOException {
    if (isWatch(ctx)) {
      watchPods(ctx, namespace);
      return;
    }
    List<Pod> pods = selectedPods(ctx, namespace);
    if (wantsTable(ctx)) {
      KubeTable.Include inc = include(ctx);
      write(ctx, KubeTable.of(KubeTable.POD, pods.stream().map(p -> KubeTable.podRow(p, clock.instant(), inc)).toList()));
    } else {
      write(ctx, new PodListBuilder().withNewMetadata().withResourceVersion("1").endMetadata().withItems(pods).build());
    }
  }

  private List<Pod> selectedPods(Context ctx, String namespace) {
    Predicate<HasMetadata> selected = selector(ctx);
    List<Pod> out = new ArrayList<>();
    for (JsonNode v : workloads.pods(cluster.apply(ctx), namespace)) {
      Pod p = KubeObjects.pod(v);
      if (selected.test(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /**
   * {@code kubectl get pods -w}: the pods' changes as watch events, one JSON object a line, found by looking at the
   * pods every second. A watch from a resourceVersion (what kubectl sends after its list) starts with what it already
   * has; one without starts by adding every pod. It ends when the client goes or after its timeoutSeconds.
   */
  private void watchPods(Context ctx, String namespace) throws IOException {
    if (!watches.tryAcquire()) {
      throw new ApiException(429, "TooManyRequests", "this server already serves " + MAX_WATCHES + " watches, the most it serves at once;"
          + " stop one (Ctrl-C a 'kubectl get -w') and try again");
    }
    try {
      boolean table = wantsTable(ctx);
      KubeTable.Include inc = include(ctx);
      String rv = ctx.queryParam("resourceVersion");
      long timeout = parseLong(ctx.queryParam("timeoutSeconds"), 1800);
      java.time.Instant end = clock.instant().plusSeconds(timeout);
      ctx.contentType("application/json");
      java.util.function.BooleanSupplier gone = LogStreams.clientGone(ctx);
      OutputStream out = ctx.res().getOutputStream();
      Map<String, String> seen = new LinkedHashMap<>();
      Map<String, Pod> last = new LinkedHashMap<>();
      boolean first = true;
      while (!gone.getAsBoolean() && clock.instant().isBefore(end)) {
        Map<String, Pod> now = new LinkedHashMap<>();
        selectedPods(ctx, namespace).forEach(p -> now.put(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(), p));
        List<ObjectNode> events = new ArrayList<>();
        for (Map.Entry<String, Pod> e : now.entrySet()) {
          String text = Json.MAPPER.writeValueAsString(e.getValue());
          String before = seen.put(e.getKey(), text);
          boolean quietStart = first && rv != null && !rv.isBlank() && !rv.equals("0");
          if (before == null && !quietStart) {
            events.add(event("ADDED", e.getValue(), table, inc));
          } else if (before != null && !before.equals(text)) {
            events.add(event("MODIFIED", e.getValue(), table, inc));
          }
        }
        for (Map.Entry<String, Pod> e : last.entrySet()) {
          if (!now.containsKey(e.getKey())) {
            seen.remove(e.getKey());
            events.add(event("DELETED", e.getValue(), table, inc));
          }
        }
        last = now;
        first = false;
        for (ObjectNode ev : events) {
          out.write(Json.MAPPER.writeValueAsBytes(ev));
          out.write('\n');
        }
        out.flush();
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    } catch (IOException e) {
      // the watcher went away
    } finally {
      watches.release();
    }
  }

  private ObjectNode event(String type, Pod p, boolean table, KubeTable.Include inc) {
    ObjectNode ev = Json.object();
    ev.put("type", type);
    ev.set("object", table ? Json.MAPPER.valueToTree(KubeTable.of(KubeTable.POD, List.of(KubeTable.podRow(p, clock.instant(), inc))))
        : Json.MAPPER.valueToTree(p));
    return ev;
  }

  /**
   * {@code kubectl logs [-f] [--tail N] [--since D] [-p] [-c CONTAINER]}: the pod's only container is its component; a
   * restart's earlier run is the part of the log before the supervisor's restart marker.
   */
  private void log(Context ctx) {
    String ns = ctx.pathParam("ns");
    String name = ctx.pathParam("name");
    Doc c = cluster.apply(ctx);
    Path file = workloads.logFile(c, ns, name);
    String container = ctx.queryParam("container");
    if (container != null && !container.isBlank()) {
      String only = null;
      for (JsonNode v : workloads.pods(c, ns)) {
        if (v.path("name").asText().equals(name)) {
          only = KubeObjects.container(v.path("component").asText());
        }
      }
      if (!container.equals(only)) {
        throw ApiException.badRequest("BadRequest", "container " + container + " is not valid for pod " + name + " (its container is "
            + only + ")");
      }
    }
    java.time.Instant since = null;
    if (ctx.queryParam("sinceSeconds") != null) {
      since = clock.instant().minusSeconds(parseLong(ctx.queryParam("sinceSeconds"), 0));
    } else if (ctx.queryParam("sinceTime") != null) {
      since = KubeObjects.instant(ctx.queryParam("sinceTime"));
      if (since == null) {
        throw ApiException.badRequest("BadRequest", "sinceTime \"" + ctx.queryParam("sinceTime") + "\" is not an RFC 3339 time");
      }
    }
    logs.serve(ctx, file, "true".equalsIgnoreCase(ctx.queryParam("follow")), parseLong(ctx.queryParam("tailLines"), -1), since,
        "true".equalsIgnoreCase(ctx.queryParam("previous")));
  }

  // ---- services and namespaces

  private void services(Context ctx, String namespace) {
    List<Service> ss = services(cluster.apply(ctx), namespace).stream().filter(selector(ctx)).toList();
    if (wantsTable(ctx)) {
      KubeTable.Include inc = include(ctx);
      write(ctx, KubeTable.of(KubeTable.SERVICE, ss.stream().map(s -> KubeTable.serviceRow(s, clock.instant(), inc)).toList()));
    } else {
      write(ctx, new ServiceListBuilder().withNewMetadata().withResourceVersion("1").endMetadata().withItems(ss).build());
    }
  }

  private List<Service> services(Doc c, String namespace) {
    List<Service> out = new ArrayList<>();
    workloads.services(c, namespace).forEach(v -> out.add(KubeObjects.service(v)));
    return out;
  }

  private void namespaces(Context ctx) {
    List<Namespace> ns = namespaces(cluster.apply(ctx)).stream().filter(selector(ctx)).toList();
    if (wantsTable(ctx)) {
      KubeTable.Include inc = include(ctx);
      write(ctx, KubeTable.of(KubeTable.NAMESPACE, ns.stream().map(n -> KubeTable.namespaceRow(n, "Active", clock.instant(), inc)).toList()));
    } else {
      write(ctx, new NamespaceListBuilder().withNewMetadata().withResourceVersion("1").endMetadata().withItems(ns).build());
    }
  }

  /** The namespaces in use: default, every install's, every Dapr resource's; each as old as the cluster. */
  private List<Namespace> namespaces(Doc c) {
    TreeSet<String> names = new TreeSet<>(List.of("default"));
    workloads.pods(c, null).forEach(p -> names.add(p.path("namespace").asText()));
    for (ResourceKind k : ResourceKind.values()) {
      try {
        resources.list(c, k, null).forEach(o -> names.add(o.path("metadata").path("namespace").asText()));
      } catch (DomainException noDaprYet) {
        break; // no extension installed: no resources either
      }
    }
    String created = KubeObjects.timestamp(c.body().path("properties").path("createdAt").asText(null));
    return names.stream().map(n -> KubeObjects.namespace(n, created)).toList();
  }

  // ---- dapr.io resources

  private void listResources(Context ctx, String namespace) {
    ResourceKind k = kind(ctx);
    Predicate<Map<String, String>> labels = LabelSelector.parse(ctx.queryParam("labelSelector"));
    String fieldName = fieldName(ctx);
    List<ObjectNode> items = new ArrayList<>();
    for (JsonNode o : resources.list(cluster.apply(ctx), k, namespace)) {
      if (labels.test(KubeObjects.labels(o.path("metadata"))) && (fieldName == null || fieldName.equals(o.path("metadata").path("name").asText()))) {
        items.add((ObjectNode) o);
      }
    }
    if (wantsTable(ctx)) {
      KubeTable.Include inc = include(ctx);
      write(ctx, KubeTable.of(KubeTable.RESOURCE, items.stream().map(o -> KubeTable.resourceRow(o, clock.instant(), inc)).toList()));
      return;
    }
    ObjectNode list = Json.object();
    list.put("apiVersion", "dapr.io/" + ctx.pathParam("version"));
    list.put("kind", k.kind() + "List");
    list.putObject("metadata").put("resourceVersion", "1");
    ArrayNode arr = list.putArray("items");
    items.forEach(arr::add);
    write(ctx, list);
  }

  /** Writes one object through the apply path and answers it as stored (with its uid, times and versions). */
  private ObjectNode store(Context ctx, Doc c, ResourceKind k, JsonNode body) {
    refuseDryRun(ctx);
    String version = ctx.pathParam("version");
    if (!body.path("apiVersion").asText().equals("dapr.io/" + version) || !body.path("kind").asText().equals(k.kind())) {
      throw ApiException.badRequest("BadRequest", "the object is " + body.path("apiVersion").asText() + " " + body.path("kind").asText()
          + ", sent to dapr.io/" + version + " " + k.plural() + ": send a " + k.kind() + " of dapr.io/" + version);
    }
    ArrayNode items = Json.MAPPER.createArrayNode().add(body.deepCopy());
    ClusterResources.Applied a = resources.apply(c, items, ctx.pathParam("ns")).get(0);
    return resources.get(c, k, a.namespace(), a.name());
  }

  private boolean exists(Doc c, ResourceKind k, String ns, String name) {
    try {
      resources.get(c, k, ns, name);
      return true;
    } catch (DomainException e) {
      if (e.reason() == DomainException.Reason.NOT_FOUND && !"ResourceTypeNotFound".equals(e.code())) {
        return false;
      }
      throw e;
    }
  }

  /** The path names the object: a body naming another is refused, one naming none gets the path's name. */
  private static JsonNode named(Context ctx, JsonNode body) {
    String name = ctx.pathParam("name");
    ObjectNode meta = ((ObjectNode) body).with("metadata");
    if (meta.hasNonNull("name") && !meta.path("name").asText().equals(name)) {
      throw ApiException.badRequest("BadRequest", "the name of the object (" + meta.path("name").asText() + ") does not match the name on"
          + " the URL (" + name + ")");
    }
    meta.put("name", name);
    return body;
  }

  /**
   * The object after a patch: a JSON merge patch (what kubectl apply and edit send for custom resources) or a JSON
   * patch. A strategic merge patch needs the schema of a built-in type, and server-side apply field managers, so the API
   * server refuses both for objects like these, and so does this.
   */
  private static JsonNode patch(Context ctx, ObjectNode current) {
    String type = String.valueOf(ctx.contentType()).split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
    JsonNode patch = parse(ctx.body());
    return switch (type) {
      case "application/merge-patch+json" -> mergePatch(current.deepCopy(), patch);
      case "application/json-patch+json" -> {
        try {
          yield JsonPatch.apply(patch, current);
        } catch (RuntimeException e) {
          throw new ApiException(422, "Invalid", "the JSON patch cannot be applied: " + e.getMessage());
        }
      }
      default -> throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format ("
          + type + "): dapr.io resources take application/merge-patch+json or application/json-patch+json;"
          + " use client-side 'kubectl apply' (not --server-side) or 'kubectl patch --type merge'");
    };
  }

  /** RFC 7386: members of the patch replace the target's, objects merge, null removes. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode out = target != null && target.isObject() ? (ObjectNode) target : Json.object();
    patch.fields().forEachRemaining(e -> {
      if (e.getValue().isNull()) {
        out.remove(e.getKey());
      } else {
        out.set(e.getKey(), mergePatch(out.get(e.getKey()), e.getValue()));
      }
    });
    return out;
  }

  private static void refuseDryRun(Context ctx) {
    if (ctx.queryParam("dryRun") != null) {
      throw ApiException.badRequest("BadRequest", "this server does not do server-side dry runs; use --dry-run=client");
    }
  }

  private static ResourceKind kind(Context ctx) {
    String plural = ctx.pathParam("plural");
    ResourceKind k = ResourceKind.resolve(plural).filter(x -> x.plural().equalsIgnoreCase(plural)).orElse(null);
    if (k == null || !k.versions().contains(ctx.pathParam("version"))) {
      throw ApiException.notFound("NotFound", "the server could not find the requested resource (" + plural + ".dapr.io/"
          + ctx.pathParam("version") + ")");
    }
    return k;
  }

  // ---- helpers

  private static TreeSet<String> daprVersions() {
    TreeSet<String> versions = new TreeSet<>();
    for (ResourceKind k : ResourceKind.values()) {
      versions.addAll(k.versions());
    }
    return versions;
  }

  /** The OpenAPI v3 document of one dapr.io version: each kind's PATCH, with its group-version-kind and fieldValidation. */
  private static ObjectNode openApi(String version) {
    ObjectNode doc = Json.object();
    doc.put("openapi", "3.0.0");
    doc.putObject("info").put("title", "daprx local cluster").put("version", Versions.CURRENT);
    ObjectNode paths = doc.putObject("paths");
    for (ResourceKind k : ResourceKind.values()) {
      if (!k.versions().contains(version)) {
        continue;
      }
      ObjectNode patch = paths.putObject("/apis/dapr.io/" + version + "/namespaces/{namespace}/" + k.plural() + "/{name}").putObject("patch");
      patch.putObject("x-kubernetes-group-version-kind").put("group", ResourceKind.GROUP).put("version", version).put("kind", k.kind());
      patch.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query").putObject("schema").put("type", "string");
      ObjectNode content = patch.putObject("requestBody").putObject("content");
      content.putObject("application/merge-patch+json");
      content.putObject("application/json-patch+json");
      patch.putObject("responses").putObject("200").put("description", "OK");
    }
    doc.putObject("components").putObject("schemas");
    return doc;
  }

  private static APIGroup daprGroup() {
    TreeSet<String> versions = daprVersions();
    List<GroupVersionForDiscovery> gvs = versions.stream().map(v -> new io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder()
        .withGroupVersion(ResourceKind.GROUP + "/" + v).withVersion(v).build()).toList();
    GroupVersionForDiscovery preferred = gvs.stream().filter(g -> g.getVersion().equals("v1alpha1")).findFirst().orElse(gvs.get(0));
    return new APIGroupBuilder().withName(ResourceKind.GROUP).withVersions(gvs).withPreferredVersion(preferred).build();
  }

  private static APIResource core(String name, String kind, boolean namespaced, List<String> shortNames, String... verbs) {
    return new APIResourceBuilder().withName(name).withSingularName(name.contains("/") ? "" : kind.toLowerCase(java.util.Locale.ROOT))
        .withKind(kind).withNamespaced(namespaced).withShortNames(shortNames).withVerbs(verbs).build();
  }

  private <T extends HasMetadata> void one(Context ctx, T object, List<KubeTable.Column> columns,
      Function<KubeTable.Include, KubeTable.Row> row) {
    write(ctx, wantsTable(ctx) ? KubeTable.of(columns, List.of(row.apply(include(ctx)))) : object);
  }

  private static Predicate<HasMetadata> selector(Context ctx) {
    Predicate<Map<String, String>> labels = LabelSelector.parse(ctx.queryParam("labelSelector"));
    String name = fieldName(ctx);
    return o -> labels.test(o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels())
        && (name == null || name.equals(o.getMetadata().getName()));
  }

  /** The one field selector kubectl sends by itself, {@code metadata.name=NAME} ({@code get pod NAME -w}); others are refused. */
  private static String fieldName(Context ctx) {
    String f = ctx.queryParam("fieldSelector");
    if (f == null || f.isBlank()) {
      return null;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("metadata\\.name==?([-a-z0-9.]+)").matcher(f.trim());
    if (!m.matches()) {
      throw ApiException.badRequest("BadRequest", "field selector \"" + f + "\": only metadata.name=NAME is supported here");
    }
    return m.group(1);
  }

  private static boolean wantsTable(Context ctx) {
    String accept = ctx.header("Accept");
    return accept != null && accept.contains(TABLE);
  }

  private static boolean isWatch(Context ctx) {
    String w = ctx.queryParam("watch");
    return "true".equalsIgnoreCase(w) || "1".equals(w);
  }

  private static KubeTable.Include include(Context ctx) {
    return KubeTable.Include.parse(ctx.queryParam("includeObject"));
  }

  private static long parseLong(String s, long otherwise) {
    if (s == null || s.isBlank()) {
      return otherwise;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("BadRequest", "\"" + s + "\" is not a whole number");
    }
  }

  private static ApiException notFound(String plural, String name) {
    return ApiException.notFound("NotFound", plural + " \"" + name + "\" not found");
  }

  private static JsonNode body(Context ctx) {
    JsonNode n = parse(ctx.body());
    if (!n.isObject()) {
      throw ApiException.badRequest("BadRequest", "the request body must be a JSON object (a dapr.io resource)");
    }
    return n;
  }

  private static JsonNode parse(String text) {
    try {
      JsonNode n = Json.MAPPER.readTree(text);
      if (n == null) {
        throw ApiException.badRequest("BadRequest", "the request body is empty: send a JSON object");
      }
      return n;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ApiException.badRequest("BadRequest", "the request body is not JSON: " + e.getOriginalMessage());
    }
  }

  private static void write(Context ctx, Object body) {
    try {
      ctx.contentType("application/json").result(Json.MAPPER.writeValueAsBytes(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + body.getClass().getSimpleName() + " as JSON", e);
    }
  }
}
