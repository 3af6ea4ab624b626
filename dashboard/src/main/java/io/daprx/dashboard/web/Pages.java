package io.daprx.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.common.dapr.ResourceKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The server-rendered pages. Each page is a shell (title, navigation, forms) around a live part that
 * {@code dashboard.js} fetches again every two seconds ({@code ?part=live}) and swaps in place, so the page follows
 * the cluster without a reload. Every part is rendered here from the same JSON the API serves.
 */
public final class Pages {

  /** Navigation: path → label. */
  static final Map<String, String> NAV = new LinkedHashMap<>();

  static {
    NAV.put("/controlplane", "Control plane");
    NAV.put("/placement", "Placement");
    NAV.put("/scheduler", "Scheduler");
    NAV.put("/apps", "Apps");
    NAV.put("/resources/components", "Components");
    NAV.put("/resources/configurations", "Configurations");
    NAV.put("/resources/resiliencies", "Resiliencies");
    NAV.put("/resources/subscriptions", "Subscriptions");
    NAV.put("/resources/mcpservers", "MCP servers");
    NAV.put("/resources/workflowaccesspolicies", "Workflow access");
    NAV.put("/extension", "Extension");
  }

  private Pages() {}

  /** A whole page: navigation, heading, {@code before} (forms that must survive refreshes), the live part. */
  public static String page(String active, String title, String subtitle, String before, String live, String liveUrl) {
    Html h = new Html();
    h.raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .el("title", title + " · daprx dashboard")
        .raw("<link rel=\"stylesheet\" href=\"/static/dashboard.css\"></head><body>");
    h.open("nav").el("span", "daprx", "class", "brand");
    NAV.forEach((path, label) -> h.el("a", label, "href", path, "class", path.equals(active) ? "active" : null));
    h.el("span", "", "id", "updated", "class", "updated").close("nav");
    h.open("main").el("h1", title);
    if (subtitle != null) {
      h.el("p", subtitle, "class", "sub");
    }
    h.raw(before == null ? "" : before);
    h.open("div", "id", "live", "data-src", liveUrl).raw(live).close("div");
    h.close("main").raw("<script src=\"/static/dashboard.js\"></script></body></html>");
    return h.toString();
  }

  /** Control plane: components and replicas, placement's leader, the CA's expiry. */
  public static String controlPlane(JsonNode d) {
    Html h = new Html().problems(d.path("problems"));
    h.open("section").el("h2", "Components (" + d.path("pods").asText() + " pods)");
    h.open("table", "id", "pods").head(List.of("Component", "Pod", "Ready", "Status", "Restarts", "Version", "Age")).open("tbody");
    for (JsonNode c : d.path("components")) {
      boolean first = true;
      for (JsonNode r : c.path("replicas")) {
        boolean restarting = r.path("restarts").asInt() > 0 || !"Running".equals(r.path("status").asText())
            || !r.path("ready").asText().matches("([1-9]\\d*)/\\1");
        h.open("tr", "data-pod", r.path("name").asText(), "class", restarting ? "degraded" : null);
        h.el("td", first ? c.path("component").asText() + " " + c.path("ready").asText() : "", "class", "component");
        h.el("td", r.path("name").asText(), "class", "name").el("td", r.path("ready").asText(), "class", "ready")
            .el("td", r.path("status").asText(), "class", "status").el("td", r.path("restarts").asText(), "class", "restarts")
            .el("td", Html.text(r.path("version")), "class", "version").el("td", r.path("age").asText(), "class", "age");
        h.close("tr");
        first = false;
      }
    }
    h.close("tbody").close("table").close("section");
    JsonNode ca = d.path("ca");
    h.open("section", "class", "ca").el("h2", "Certificates");
    if (ca.hasNonNull("problem")) {
      h.el("p", ca.path("problem").asText(), "class", "problems");
    }
    h.open("table", "id", "ca").head(List.of("Certificate", "Subject", "Expires", "Days left", ""));
    h.open("tbody");
    for (JsonNode r : ca.path("roots")) {
      expiryRow(h, r);
    }
    if (ca.path("issuer").isObject()) {
      expiryRow(h, ca.path("issuer"));
    } else {
      h.open("tr").el("td", "issuer").el("td", "").el("td", "unknown (no sentry answered with its metrics)").el("td", "").el("td", "").close("tr");
    }
    h.close("tbody").close("table");
    h.el("p", "Warning band: " + ca.path("warningDays").asText() + " days before expiry.", "class", "note").close("section");

    h.open("section").el("h2", "Placement");
    JsonNode leader = d.path("placement").path("leader");
    h.open("p", "id", "placement-leader").text("Leader: ").el("strong", leader.isNull() ? "none" : leader.asText()).close("p");
    h.problems(d.path("placement").path("problems")).close("section");

    return h.toString();
  }

  private static void expiryRow(Html h, JsonNode e) {
    String state = e.path("state").asText();
    h.open("tr", "class", "expiry " + state, "data-certificate", e.path("certificate").asText())
        .el("td", e.path("certificate").asText()).el("td", Html.text(e.path("subject"))).el("td", e.path("notAfter").asText())
        .el("td", e.path("daysLeft").asText())
        .el("td", switch (state) {
          case "expired" -> "EXPIRED";
          case "warning" -> "expires soon: renew (daprx mtls renew-certificate)";
          default -> "ok";
        }, "class", "state")
        .close("tr");
  }

  /** The lookup box: a plain GET form (works without script), answered in place by dashboard.js. */
  public static String lookupForm(String namespace, String actorType, String actorId, JsonNode answer, String error) {
    Html h = new Html().open("section", "class", "lookup").el("h2", "Who owns an actor?");
    h.open("form", "id", "lookup", "method", "get", "action", "/placement", "data-api", "/api/placement/lookup");
    h.open("label").text("Namespace ").open("input", "name", "namespace", "id", "lookup-namespace", "value",
        namespace == null ? "default" : namespace, "required", "required").close("label");
    h.open("label").text("Actor type ").open("input", "name", "actorType", "id", "lookup-type", "value", actorType, "required", "required")
        .close("label");
    h.open("label").text("Actor id ").open("input", "name", "actorId", "id", "lookup-id", "value", actorId, "required", "required")
        .close("label");
    h.el("button", "Look up", "type", "submit", "id", "lookup-submit");
    h.close("form");
    h.open("p", "id", "lookup-result", "class", error != null ? "problems" : "answer");
    if (answer != null) {
      h.text(lookupAnswer(answer));
    } else if (error != null) {
      h.text(error);
    }
    return h.close("p").close("section").toString();
  }

  /** One sentence; dashboard.js writes the same sentence from the API's answer. */
  static String lookupAnswer(JsonNode a) {
    return "Actor " + a.path("actorType").asText() + "/" + a.path("actorId").asText() + " in " + a.path("namespace").asText()
        + " is owned by " + a.path("host").asText() + " (app " + a.path("appId").asText() + "), table version "
        + a.path("tableVersion").asText() + ".";
  }

  /** Placement: per namespace its table version, actor types and hosts. */
  public static String placement(JsonNode d) {
    Html h = new Html().problems(d.path("problems"));
    JsonNode leader = d.path("leader");
    h.open("p", "id", "placement-leader").text("Leader: ").el("strong", leader.isNull() ? "none" : leader.asText())
        .text(" · replication factor " + d.path("replicationFactor").asText()).close("p");
    if (d.path("tables").isEmpty()) {
      h.el("p", "No sidecar has reported actor types yet.", "class", "note");
    }
    for (JsonNode t : d.path("tables")) {
      h.open("section", "class", "table", "data-namespace", t.path("namespace").asText())
          .el("h2", "Namespace " + t.path("namespace").asText() + " · table version " + t.path("version").asText());
      h.open("table", "class", "actor-types").head(List.of("Actor type", "Hosts")).open("tbody");
      for (JsonNode at : t.path("actorTypes")) {
        h.open("tr").el("td", at.path("actorType").asText()).el("td", join(at.path("hosts"))).close("tr");
      }
      h.close("tbody").close("table");
      h.open("table", "class", "hosts").head(List.of("Host", "App id", "App port", "Actor types")).open("tbody");
      for (JsonNode host : t.path("hosts")) {
        h.open("tr").el("td", host.path("name").asText()).el("td", host.path("appId").asText()).el("td", host.path("port").asText())
            .el("td", join(host.path("actorTypes"))).close("tr");
      }
      h.close("tbody").close("table").close("section");
    }
    return h.toString();
  }

  /** Apps: dapr-enabled workloads (or, locally, the sidecars placement knows). */
  public static String apps(JsonNode d) {
    Html h = new Html().problems(d.path("problems"));
    if (d.hasNonNull("note")) {
      h.el("p", d.path("note").asText(), "class", "note");
    }
    boolean local = "placement".equals(d.path("from").asText());
    h.open("table", "id", "apps").head(List.of("Namespace", "App id", local ? "Host" : "Workload", "App port",
        local ? "Sidecar" : "Sidecar injected", local ? "Actor types" : "Ready")).open("tbody");
    for (JsonNode a : d.path("apps")) {
      h.open("tr", "data-app", a.path("appId").asText()).el("td", a.path("namespace").asText()).el("td", a.path("appId").asText())
          .el("td", a.path("workload").asText()).el("td", Html.text(a.path("appPort")))
          .el("td", local ? "connected" : a.path("injected").asBoolean() ? "yes" : "no")
          .el("td", local ? join(a.path("actorTypes")) : a.path("ready").asText()).close("tr");
    }
    h.close("tbody").close("table");
    if (d.path("apps").isEmpty()) {
      h.el("p", local ? "No sidecar is connected to placement." : "No workload has dapr.io/enabled: \"true\".", "class", "note");
    }
    return h.toString();
  }

  /** The namespace filter of a resource list (outside the live part, so a choice survives refreshes). */
  public static String namespaceFilter(ResourceKind kind, String selected, TreeSet<String> namespaces) {
    Html h = new Html().open("form", "method", "get", "action", "/resources/" + kind.plural(), "class", "filter");
    h.open("label").text("Namespace ").open("select", "name", "namespace", "data-autosubmit", "true");
    h.el("option", "all namespaces", "value", "", "selected", selected == null ? "selected" : null);
    TreeSet<String> all = new TreeSet<>(namespaces);
    if (selected != null) {
      all.add(selected);
    }
    all.forEach(ns -> h.el("option", ns, "value", ns, "selected", ns.equals(selected) ? "selected" : null));
    return h.close("select").close("label").raw("<noscript><button type=\"submit\">Filter</button></noscript>").close("form").toString();
  }

  /** A list of Dapr resources, each linking to its YAML. */
  public static String resources(ResourceKind kind, JsonNode d) {
    Html h = new Html();
    boolean components = kind == ResourceKind.COMPONENT;
    h.open("table", "id", "resources").head(components ? List.of("Namespace", "Name", "Type", "Version", "Scopes", "Age")
        : List.of("Namespace", "Name", "Scopes", "Age")).open("tbody");
    for (JsonNode r : d.path("items")) {
      String ns = r.path("namespace").asText();
      String name = r.path("name").asText();
      h.open("tr", "data-name", name).el("td", ns).open("td").el("a", name, "href", "/resources/" + kind.plural() + "/" + url(ns) + "/" + url(name))
          .close("td");
      if (components) {
        h.el("td", r.path("type").asText()).el("td", r.path("version").asText());
      }
      h.el("td", join(r.path("scopes"))).el("td", r.path("age").asText()).close("tr");
    }
    h.close("tbody").close("table");
    if (d.path("items").isEmpty()) {
      h.el("p", "No " + kind.plural() + (d.path("namespace").isTextual() ? " in namespace " + d.path("namespace").asText() : "") + ".",
          "class", "note");
    }
    return h.toString();
  }

  /** One resource as YAML. */
  public static String yaml(String yaml) {
    return new Html().el("pre", yaml, "class", "yaml", "id", "yaml").toString();
  }

  /**
   * Scheduler: its replicas and what each triggers, the trigger loop (in flight, held for want of a stream, streams),
   * the jobs per namespace and owner, the soonest triggers and the jobs whose current tick failed. Job data is never
   * shown (the server does not send it).
   */
  public static String scheduler(JsonNode d) {
    Html h = new Html().problems(d.path("problems"));
    if (!d.path("available").asBoolean()) {
      return h.el("p", "No scheduler to show.", "class", "note", "id", "no-scheduler").toString();
    }
    JsonNode loop = d.path("triggerLoop");
    h.open("p", "id", "scheduler-summary").text(d.path("jobsStored").asText() + " jobs stored · answered by ")
        .el("strong", d.path("answeredBy").asText()).text(" (" + loop.path("jobs").asText() + " triggered here, "
            + loop.path("inFlight").asText() + " in flight, " + loop.path("held").asText() + " held with no stream to take them, "
            + loop.path("streams").asText() + " sidecar streams)").close("p");
    h.open("section").el("h2", "Replicas");
    h.open("table", "id", "replicas").head(List.of("Replica", "Address sidecars dial", "Jobs it triggers")).open("tbody");
    for (JsonNode r : d.path("replicas")) {
      h.open("tr", "data-replica", r.path("id").asText()).el("td", r.path("id").asText()).el("td", r.path("address").asText())
          .el("td", r.path("ownedJobs").isNull() ? "unknown" : r.path("ownedJobs").asText()).close("tr");
    }
    h.close("tbody").close("table").close("section");

    h.open("section").el("h2", "Jobs by namespace and owner");
    h.open("table", "id", "groups").head(List.of("Namespace", "Kind", "App or actor type", "Jobs")).open("tbody");
    for (JsonNode g : d.path("groups")) {
      h.open("tr").el("td", g.path("namespace").asText()).el("td", g.path("kind").asText()).el("td", g.path("owner").asText())
          .el("td", g.path("jobs").asText()).close("tr");
    }
    h.close("tbody").close("table");
    if (d.path("groups").isEmpty()) {
      h.el("p", "No jobs, reminders or workflow timers are stored.", "class", "note");
    }
    h.close("section");

    h.open("section").el("h2", "Next triggers");
    jobTable(h, "next", d.path("nextTriggers"));
    h.close("section");
    h.open("section").el("h2", "Failing");
    if (d.path("failing").isEmpty()) {
      h.el("p", "No job's current tick has failed.", "class", "note", "id", "no-failures");
    } else {
      jobTable(h, "failing", d.path("failing"));
    }
    return h.close("section").toString();
  }

  private static void jobTable(Html h, String id, JsonNode jobs) {
    h.open("table", "id", id).head(List.of("Namespace", "Name", "Schedule", "Next trigger", "Ticks done", "Failed attempts",
        "Failure policy")).open("tbody");
    for (JsonNode j : jobs) {
      String schedule = j.has("schedule") ? j.path("schedule").asText() : j.has("dueTime") ? "once, due " + j.path("dueTime").asText() : "";
      h.open("tr", "data-job", j.path("name").asText(), "class", j.path("attempts").asLong() > 0 ? "degraded" : null)
          .el("td", j.path("namespace").asText()).el("td", j.path("name").asText()).el("td", schedule)
          .el("td", Html.text(j.path("nextTrigger"))).el("td", j.path("count").asText()).el("td", j.path("attempts").asText())
          .el("td", j.path("failurePolicy").asText()).close("tr");
    }
    h.close("tbody").close("table");
  }

  /** Extension: version, train, auto-upgrade, provisioning state, statuses and the operations' history. */
  public static String extension(JsonNode d) {
    Html h = new Html().problems(d.path("problems"));
    if (!d.path("reported").asBoolean()) {
      return h.el("p", "The Dapr extension is not reported for this cluster.", "class", "note", "id", "not-reported").toString();
    }
    h.open("table", "id", "extension", "class", "properties").open("tbody");
    for (String[] f : new String[][] {{"Name", "name"}, {"Extension type", "extensionType"}, {"Version", "version"},
        {"Current version", "currentVersion"}, {"Release train", "releaseTrain"}, {"Auto-upgrade minor version", "autoUpgradeMinorVersion"},
        {"Provisioning state", "provisioningState"}}) {
      h.open("tr", "data-field", f[1]).el("th", f[0]).el("td", Html.text(d.path(f[1]))).close("tr");
    }
    h.close("tbody").close("table");
    h.el("h2", "Statuses");
    h.open("table", "id", "statuses").head(List.of("Code", "Level", "Display status", "Message", "Time")).open("tbody");
    for (JsonNode s : d.path("statuses")) {
      h.open("tr").el("td", Html.text(s.path("code"))).el("td", Html.text(s.path("level"))).el("td", Html.text(s.path("displayStatus")))
          .el("td", Html.text(s.path("message"))).el("td", Html.text(s.path("time"))).close("tr");
    }
    h.close("tbody").close("table");
    h.el("h2", "History");
    if (d.path("operations").isNull()) {
      h.el("p", "This server keeps no operation history; the statuses above are the current ones.", "class", "note");
      return h.toString();
    }
    h.open("table", "id", "operations").head(List.of("Operation", "Status", "From", "To", "Started", "Ended", "Error")).open("tbody");
    for (JsonNode o : d.path("operations")) {
      h.open("tr").el("td", Html.text(o.path("operation"))).el("td", Html.text(o.path("status"))).el("td", Html.text(o.path("fromVersion")))
          .el("td", Html.text(o.path("toVersion"))).el("td", Html.text(o.path("startTime"))).el("td", Html.text(o.path("endTime")))
          .el("td", Html.text(o.path("error"))).close("tr");
    }
    return h.close("tbody").close("table").toString();
  }

  private static String join(JsonNode array) {
    StringBuilder sb = new StringBuilder();
    array.forEach(v -> sb.append(sb.length() == 0 ? "" : ", ").append(v.asText()));
    return sb.toString();
  }

  static String url(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }
}
