package io.daprx.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.common.placement.PlacementLookup;
import io.daprx.common.placement.PlacementState;
import io.daprx.dashboard.source.AppView;
import io.daprx.dashboard.source.ClusterSource;
import io.daprx.dashboard.source.PodView;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.dashboard.source.Snapshot;
import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.StatePlacementTable;
import io.daprx.proto.placement.v1.StatePlacementTables;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the pages and the JSON API show, as JSON: read from the {@link ClusterSource}, placement's leader and
 * sentry's metrics, with secret values masked. The pages render exactly these objects, so a script reading
 * {@code /api/...} sees what a person sees.
 */
public final class DashboardData {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ISSUER_GAUGE = "dapr_sentry_issuercert_expiry_timestamp";

  private final ClusterSource source;
  private final String namespace;
  private final long replicationFactor;
  private final Duration caWarning;
  private final Clock clock;
  private final PlacementState placement;
  private final HttpClient http;
  private final Duration timeout;

  public DashboardData(ClusterSource source, String namespace, long replicationFactor, Duration caWarning, Duration timeout, Clock clock) {
    this.source = source;
    this.namespace = namespace;
    this.replicationFactor = replicationFactor;
    this.caWarning = caWarning;
    this.clock = clock;
    this.timeout = timeout;
    this.placement = new PlacementState(timeout);
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** The placement replica that answered as leader, with its tables; or why none did. */
  record Leader(PodView pod, StatePlacementTables state, List<String> problems) {}

  /** Each component and replica, the placement leader and the CA's expiry. */
  public ObjectNode controlPlane() {
    Snapshot s = source.snapshot();
    Instant now = clock.instant();
    ObjectNode out = header(s);
    Map<String, ArrayNode> byComponent = new LinkedHashMap<>();
    for (PodView p : s.pods().stream().sorted(PodView.ORDER).toList()) {
      ObjectNode r = byComponent.computeIfAbsent(p.component(), c -> JSON.createArrayNode()).addObject();
      r.put("name", p.name());
      r.put("ready", p.ready());
      r.put("status", p.status());
      r.put("restarts", p.restarts());
      r.put("version", p.version());
      r.put("createdAt", p.createdAt() == null ? null : p.createdAt().toString());
      r.put("age", p.createdAt() == null ? "" : age(Duration.between(p.createdAt(), now)));
    }
    ArrayNode components = out.putArray("components");
    byComponent.forEach((c, replicas) -> {
      ObjectNode o = components.addObject();
      o.put("component", c);
      long ready = 0;
      for (JsonNode r : replicas) {
        ready += s.pods().stream().anyMatch(p -> p.name().equals(r.path("name").asText()) && p.isReady()) ? 1 : 0;
      }
      o.put("ready", ready + "/" + replicas.size());
      o.set("replicas", replicas);
    });
    out.put("pods", s.pods().size());
    Leader leader = leader(s.pods());
    ObjectNode pl = out.putObject("placement");
    pl.put("leader", leader.pod() == null ? null : leader.pod().name());
    leader.problems().forEach(pl.withArray("problems")::add);
    ObjectNode ca = out.putObject("ca");
    if (s.trustAnchorsPem() == null) {
      ca.putArray("roots");
      ca.put("problem", "no trust bundle yet");
    } else {
      try {
        ca.set("roots", CaExpiry.roots(s.trustAnchorsPem(), now, caWarning));
      } catch (RuntimeException e) {
        ca.putArray("roots");
        ca.put("problem", "the trust bundle's ca.crt cannot be read: " + e.getMessage());
      }
    }
    Instant issuer = issuerExpiry(s.pods());
    if (issuer != null) {
      ca.set("issuer", CaExpiry.entry("issuer", null, issuer, now, caWarning));
    } else {
      ca.putNull("issuer");
    }
    ca.put("warningDays", caWarning.toDays());
    return out;
  }

  /** Placement's tables: per namespace its version, actor types and hosts. */
  public ObjectNode placement() {
    Snapshot s = source.snapshot();
    ObjectNode out = header(s);
    Leader leader = leader(s.pods());
    out.put("leader", leader.pod() == null ? null : leader.pod().name());
    leader.problems().forEach(out.withArray("problems")::add);
    out.put("replicationFactor", replicationFactor);
    ArrayNode tables = out.putArray("tables");
    if (leader.state() != null) {
      new TreeMap<>(leader.state().getTablesMap()).forEach((ns, table) -> tables.add(table(ns, table)));
    }
    return out;
  }

  private static ObjectNode table(String ns, StatePlacementTable table) {
    ObjectNode t = JSON.createObjectNode();
    t.put("namespace", ns);
    t.put("version", Long.toUnsignedString(table.getVersion()));
    Map<String, TreeSet<String>> types = new TreeMap<>();
    ArrayNode hosts = t.putArray("hosts");
    table.getHostsList().stream().sorted(Comparator.comparing(Host::getName)).forEach(h -> {
      ObjectNode o = hosts.addObject();
      o.put("name", h.getName());
      o.put("appId", h.getId());
      o.put("port", h.getPort());
      ArrayNode e = o.putArray("actorTypes");
      h.getEntitiesList().stream().sorted().forEach(type -> {
        e.add(type);
        types.computeIfAbsent(type, k -> new TreeSet<>()).add(h.getName());
      });
    });
    ArrayNode at = t.putArray("actorTypes");
    types.forEach((type, names) -> {
      ObjectNode o = at.addObject();
      o.put("actorType", type);
      names.forEach(o.withArray("hosts")::add);
    });
    return t;
  }

  /**
   * Who owns actor {@code actorId} of type {@code actorType}, computed like daprd from the leader's table.
   *
   * @throws IllegalArgumentException when the namespace or type is not hosted (saying what is)
   * @throws IllegalStateException when no placement replica answers as leader
   */
  public ObjectNode lookup(String ns, String actorType, String actorId) {
    Leader leader = leader(source.snapshot().pods());
    if (leader.state() == null) {
      throw new IllegalStateException("no placement replica answered as the leader: " + String.join("; ", leader.problems()));
    }
    PlacementLookup.Owner owner = PlacementLookup.lookup(leader.state(), ns, actorType, actorId, replicationFactor);
    ObjectNode o = owner.toJson();
    o.put("leader", leader.pod().name());
    return o;
  }

  /** Dapr-enabled workloads; on a local cluster the sidecars connected to placement. */
  public ObjectNode apps() {
    Snapshot s = source.snapshot();
    ObjectNode out = header(s);
    List<AppView> apps = s.workloads();
    if (apps == null) {
      out.put("from", "placement");
      out.put("note", "A local cluster has no workload objects: these are the sidecars connected to placement (hosts of actor types).");
      Leader leader = leader(s.pods());
      leader.problems().forEach(out.withArray("problems")::add);
      apps = new ArrayList<>();
      if (leader.state() != null) {
        for (Map.Entry<String, StatePlacementTable> t : new TreeMap<>(leader.state().getTablesMap()).entrySet()) {
          for (Host h : t.getValue().getHostsList()) {
            apps.add(new AppView(t.getKey(), h.getId(), h.getName(), h.getPort() == 0 ? null : Long.toString(h.getPort()), true,
                "connected", h.getEntitiesList().stream().sorted().toList()));
          }
        }
      }
    } else {
      out.put("from", "kubernetes");
    }
    ArrayNode items = out.putArray("apps");
    for (AppView a : apps) {
      ObjectNode o = items.addObject();
      o.put("namespace", a.namespace());
      o.put("appId", a.appId());
      o.put("workload", a.workload());
      o.put("appPort", a.appPort());
      o.put("injected", a.injected());
      o.put("ready", a.ready());
      a.actorTypes().forEach(o.withArray("actorTypes")::add);
    }
    return out;
  }

  /** The objects of one Dapr kind, redacted, with the columns {@code daprx get} shows. */
  public ObjectNode resources(ResourceKind kind, String ns) {
    ObjectNode out = JSON.createObjectNode();
    out.put("kind", kind.plural());
    out.put("namespace", ns);
    ArrayNode items = out.putArray("items");
    Instant now = clock.instant();
    List<JsonNode> list = new ArrayList<>(source.resources(kind, ns));
    list.sort(Comparator.comparing((JsonNode n) -> n.path("metadata").path("namespace").asText())
        .thenComparing(n -> n.path("metadata").path("name").asText()));
    for (JsonNode r : list) {
      ObjectNode o = items.addObject();
      JsonNode meta = r.path("metadata");
      o.put("namespace", meta.path("namespace").asText("default"));
      o.put("name", meta.path("name").asText());
      if (kind == ResourceKind.COMPONENT) {
        o.put("type", r.path("spec").path("type").asText());
        o.put("version", r.path("spec").path("version").asText());
      }
      ArrayNode scopes = o.putArray("scopes");
      r.path("scopes").forEach(scopes::add);
      Instant created = io.daprx.dashboard.source.ManagerSource.instant(meta.path("creationTimestamp").asText(null));
      o.put("age", created == null ? "" : age(Duration.between(created, now)));
      o.set("object", Redaction.redact(r));
    }
    return out;
  }

  /** One object, redacted, or null when there is none. */
  public JsonNode resource(ResourceKind kind, String ns, String name) {
    for (JsonNode r : source.resources(kind, ns)) {
      if (r.path("metadata").path("name").asText().equals(name)) {
        return Redaction.redact(r);
      }
    }
    return null;
  }

  /**
   * The scheduler: replicas and what each triggers, the trigger loop's counts, jobs per namespace and owner, the soonest
   * triggers and the failing jobs, as the source reports them; {@code problems} says why when it cannot.
   */
  public ObjectNode scheduler() {
    ObjectNode out = JSON.createObjectNode();
    out.put("namespace", namespace);
    out.put("source", source.toString());
    out.put("generatedAt", clock.instant().toString());
    try {
      JsonNode s = source.scheduler();
      out.put("available", true);
      s.fields().forEachRemaining(f -> {
        if (!f.getKey().equals("namespace")) {
          out.set(f.getKey(), f.getValue());
        }
      });
    } catch (IllegalStateException e) {
      out.put("available", false);
      out.withArray("problems").add("scheduler: " + e.getMessage());
    }
    return out;
  }

  /** The Dapr extension: version, train, auto-upgrade, provisioning state, statuses and operations. */
  public ObjectNode extension() {
    Snapshot s = source.snapshot();
    ObjectNode out = header(s);
    JsonNode ext = s.extension();
    out.put("reported", ext != null);
    if (ext == null) {
      return out;
    }
    JsonNode p = ext.path("properties");
    out.put("name", ext.path("name").asText(null));
    out.put("id", ext.path("id").asText(null));
    for (String f : List.of("extensionType", "version", "currentVersion", "releaseTrain", "provisioningState")) {
      out.put(f, p.path(f).isNull() || p.path(f).isMissingNode() ? null : p.path(f).asText());
    }
    out.put("autoUpgradeMinorVersion", p.path("autoUpgradeMinorVersion").asBoolean(false));
    out.set("statuses", p.path("statuses").isArray() ? p.path("statuses").deepCopy() : JSON.createArrayNode());
    if (p.path("configurationSettings").isObject()) {
      out.set("configurationSettings", p.path("configurationSettings").deepCopy());
    }
    if (s.operations() == null) {
      out.putNull("operations");
    } else {
      ArrayNode ops = out.putArray("operations");
      // the API wraps them as {"value": [...]}; the cluster's ConfigMap holds the bare array
      for (JsonNode op : s.operations().isArray() ? s.operations() : s.operations().path("value")) {
        ObjectNode o = ops.addObject();
        o.put("name", op.path("name").asText(null));
        o.put("operation", op.path("properties").path("operation").asText(null));
        o.put("status", op.path("status").asText(null));
        o.put("fromVersion", op.path("properties").path("fromVersion").asText(null));
        o.put("toVersion", op.path("properties").path("toVersion").asText(null));
        o.put("rolledBackTo", op.path("properties").path("rolledBackTo").asText(null));
        o.put("startTime", op.path("startTime").asText(null));
        o.put("endTime", op.path("endTime").asText(null));
        o.put("error", op.path("error").isObject() ? op.path("error").path("message").asText(op.path("error").toString()) : null);
      }
    }
    return out;
  }

  private ObjectNode header(Snapshot s) {
    ObjectNode out = JSON.createObjectNode();
    out.put("namespace", namespace);
    out.put("source", source.toString());
    out.put("generatedAt", clock.instant().toString());
    if (!s.problems().isEmpty()) {
      s.problems().forEach(out.withArray("problems")::add);
    }
    return out;
  }

  /** Asks each placement replica (ready ones first) for its state; the leader answers. */
  Leader leader(List<PodView> pods) {
    List<String> problems = new ArrayList<>();
    List<PodView> replicas = pods.stream().filter(p -> p.component().equals("placement") && p.healthz() != null)
        .sorted(Comparator.comparing((PodView p) -> !p.isReady())).toList();
    for (PodView p : replicas) {
      try {
        return new Leader(p, placement.fetch(p.healthz()), List.of());
      } catch (PlacementState.NotLeaderException e) {
        // a follower: ask the next
      } catch (IllegalStateException e) {
        problems.add(p.name() + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (replicas.isEmpty()) {
      problems.add("no placement replicas");
    } else if (problems.isEmpty()) {
      problems.add("no replica is the leader right now (an election may be under way)");
    }
    return new Leader(null, null, problems);
  }

  /** Sentry publishes its issuer's expiry as a gauge: the first sentry that answers tells. */
  private Instant issuerExpiry(List<PodView> pods) {
    for (PodView p : pods) {
      if (!p.component().equals("sentry") || p.metrics() == null || !p.isReady()) {
        continue;
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + p.metrics() + "/metrics")).timeout(timeout).build(),
            HttpResponse.BodyHandlers.ofString());
        Double v = r.statusCode() == 200 ? CaExpiry.gauge(r.body(), ISSUER_GAUGE) : null;
        if (v != null) {
          return Instant.ofEpochSecond(v.longValue());
        }
      } catch (IOException e) {
        // the next sentry may answer
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  /** kubectl's AGE: 45s, 12m, 3h, 2d. */
  static String age(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 2 * 3600) {
      return s / 60 + "m";
    }
    if (s < 2 * 86400) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }
}
