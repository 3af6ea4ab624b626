package io.daprx.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import io.daprx.common.pki.Pem;
import io.daprx.common.pki.TestPki;
import io.daprx.dashboard.source.ClusterSource;
import io.daprx.dashboard.source.PodView;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.dashboard.source.Snapshot;
import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.StatePlacementTable;
import io.daprx.proto.placement.v1.StatePlacementTables;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in-process over a fake cluster source, a fake placement leader and follower and a fake sentry's
 * metrics: the API and the pages show the same data, values are escaped, secrets masked, and only reads are allowed.
 */
class DashboardTest {

  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newHttpClient();
  final List<Javalin> fakes = new ArrayList<>();
  Dashboard dashboard;
  final TestPki pki = new TestPki("daprx test root");

  /** A fixed cluster: two placement replicas (the second leads), one sentry, a component with an inline password. */
  final class FakeSource implements ClusterSource {
    final List<PodView> pods = new ArrayList<>();
    JsonNode extension;
    JsonNode operations;
    JsonNode scheduler;

    @Override
    public JsonNode scheduler() {
      return scheduler != null ? scheduler : ClusterSource.super.scheduler();
    }

    @Override
    public Snapshot snapshot() {
      return new Snapshot(pods, Pem.encodeCertificate(pki.root()), null, extension, operations, List.of());
    }

    @Override
    public List<JsonNode> resources(ResourceKind kind, String namespace) {
      if (namespace != null && !namespace.equals("default")) {
        return List.of();
      }
      try {
        if (kind == ResourceKind.MCP_SERVER) {
          return List.of(JSON.readTree("""
              {"apiVersion":"dapr.io/v1alpha1","kind":"MCPServer","metadata":{"name":"tools","namespace":"default"},
               "spec":{"endpoint":{"stdio":{"command":"mcp-tools","env":[{"name":"API_KEY","value":"k3y-inline"}]}}},
               "scopes":["agent"]}
              """));
        }
        if (kind != ResourceKind.COMPONENT) {
          return List.of();
        }
        return List.of(JSON.readTree("""
            {"apiVersion":"dapr.io/v1alpha1","kind":"Component","metadata":{"name":"<b>statestore</b>","namespace":"default",
             "creationTimestamp":"2026-01-01T00:00:00Z"},
             "spec":{"type":"state.redis","version":"v1","metadata":[{"name":"redisHost","value":"redis:6379"},
               {"name":"redisPassword","value":"hunter2"}]},"scopes":["cart"]}
            """));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  FakeSource source = new FakeSource();

  @BeforeEach
  void start() throws Exception {
    StatePlacementTables state = StatePlacementTables.newBuilder().putTables("shop", StatePlacementTable.newBuilder().setVersion(4)
        .addHosts(Host.newBuilder().setName("127.0.0.1:40001").setId("cart").setPort(3000).setNamespace("shop").addEntities("Cart"))
        .addHosts(Host.newBuilder().setName("127.0.0.1:40002").setId("orders").setNamespace("shop").addEntities("Cart").addEntities("Order"))
        .build()).build();
    String stateJson = JsonFormat.printer().print(state);
    Javalin follower = fake(app -> app.get("/placement/state", ctx -> ctx.status(503).result("not the leader")));
    Javalin leader = fake(app -> app.get("/placement/state", ctx -> ctx.contentType("application/json").result(stateJson)));
    Javalin sentry = fake(app -> app.get("/metrics", ctx -> ctx.result("dapr_sentry_issuercert_expiry_timestamp "
        + Instant.now().plusSeconds(400L * 86400).getEpochSecond() + "\n")));
    Instant created = Instant.now().minusSeconds(90);
    source.pods.add(new PodView("dapr-sentry-abc-1", "sentry", "1/1", "Running", 0, "1.16.0", created, null, "127.0.0.1:" + sentry.port()));
    source.pods.add(new PodView("dapr-placement-server-0", "placement", "1/1", "Running", 0, "1.16.0", created,
        "127.0.0.1:" + follower.port(), null));
    source.pods.add(new PodView("dapr-placement-server-1", "placement", "1/1", "Running", 2, "1.16.0", created,
        "127.0.0.1:" + leader.port(), null));
    source.extension = JSON.readTree("""
        {"name":"dapr","properties":{"extensionType":"microsoft.dapr","version":"1.16.0","currentVersion":"1.16.0","releaseTrain":"stable",
         "autoUpgradeMinorVersion":true,"provisioningState":"Succeeded","statuses":[{"code":"<i>ok</i>","displayStatus":"Ready"}]}}
        """);
    DashboardOptions options = DashboardOptions.defaults().withPort("127.0.0.1", 0);
    dashboard = new Dashboard(options, Clock.systemUTC(), () -> source).start();
  }

  Javalin fake(java.util.function.Consumer<Javalin> routes) {
    Javalin app = Javalin.create(c -> c.showJavalinBanner = false);
    routes.accept(app);
    app.start("127.0.0.1", 0);
    fakes.add(app);
    return app;
  }

  @AfterEach
  void stop() {
    dashboard.close();
    fakes.forEach(Javalin::stop);
  }

  HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode api(String path) throws Exception {
    HttpResponse<String> r = send("GET", path);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void controlPlaneShowsEveryReplicaTheLeaderAndTheCaExpiryBand() throws Exception {
    JsonNode cp = api("/api/controlplane");
    assertThat(cp.path("pods").asInt()).isEqualTo(3);
    assertThat(cp.path("components")).extracting(c -> c.path("component").asText()).containsExactly("sentry", "placement");
    assertThat(cp.path("components").path(1).path("replicas").path(1).path("restarts").asInt()).isEqualTo(2);
    assertThat(cp.path("placement").path("leader").asText()).isEqualTo("dapr-placement-server-1");
    // the test root lives one day: inside the 30-day band
    assertThat(cp.path("ca").path("roots").path(0).path("state").asText()).isEqualTo("warning");
    assertThat(cp.path("ca").path("issuer").path("state").asText()).isEqualTo("ok");
    assertThat(cp.path("ca").path("issuer").path("daysLeft").asLong()).isBetween(399L, 400L);

    String page = send("GET", "/controlplane").body();
    assertThat(page).contains("<nav>").contains("dapr-placement-server-1").contains("class=\"expiry warning\"")
        .contains("src=\"/static/dashboard.js\"").contains("data-src=\"/controlplane?part=live\"");
    String live = send("GET", "/controlplane?part=live").body();
    assertThat(live).doesNotContain("<nav>").contains("data-pod=\"dapr-placement-server-1\"");
    assertThat(send("GET", "/").statusCode()).isIn(200, 302);
  }

  @Test
  void lookupAnswersFromTheLeadersTableLikeDaprd() throws Exception {
    JsonNode owner = api("/api/placement/lookup?namespace=shop&actorType=Order&actorId=o-1");
    assertThat(owner.path("host").asText()).isEqualTo("127.0.0.1:40002");
    assertThat(owner.path("appId").asText()).isEqualTo("orders");
    assertThat(owner.path("tableVersion").asText()).isEqualTo("4");
    HttpResponse<String> unknown = send("GET", "/api/placement/lookup?namespace=shop&actorType=Nope&actorId=1");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).path("error").path("message").asText()).contains("actor types there: Cart, Order");
    assertThat(send("GET", "/api/placement/lookup?namespace=shop").statusCode()).isEqualTo(400);

    JsonNode placement = api("/api/placement");
    assertThat(placement.path("tables").path(0).path("actorTypes")).extracting(a -> a.path("actorType").asText()).containsExactly("Cart", "Order");
    String page = send("GET", "/placement?namespace=shop&actorType=Order&actorId=o-1").body();
    assertThat(page).contains("id=\"lookup\"").contains("is owned by 127.0.0.1:40002 (app orders)");

    // locally, apps are the sidecars placement knows
    JsonNode apps = api("/api/apps");
    assertThat(apps.path("from").asText()).isEqualTo("placement");
    assertThat(apps.path("apps")).extracting(a -> a.path("appId").asText()).containsExactly("cart", "orders");
    assertThat(send("GET", "/apps").body()).contains("no workload objects");
  }

  @Test
  void schedulerShowsItsReplicasJobsPerOwnerNextTriggersAndFailures() throws Exception {
    source.scheduler = JSON.readTree("""
        {"namespace":"dapr-system","address":"127.0.0.1:50006","answeredBy":"dapr-scheduler-server-0","jobsStored":3,
         "triggerLoop":{"jobs":3,"inFlight":1,"held":1,"streams":2},
         "replicas":[{"id":"dapr-scheduler-server-0","address":"127.0.0.1:50006","ownedJobs":3}],
         "groups":[{"namespace":"shop","kind":"app","owner":"cart","jobs":1},{"namespace":"shop","kind":"workflow","owner":"cart","jobs":2}],
         "nextTriggers":[{"namespace":"shop","name":"app/cart/<nightly>","schedule":"@every 1h","nextTrigger":"2026-12-07T13:00:00Z",
                          "count":4,"attempts":0,"failurePolicy":"constant 1s, 3 retries"}],
         "failing":[{"namespace":"shop","name":"workflow/cart/order-1/timer-0","dueTime":"2026-12-07T12:00:00Z",
                     "nextTrigger":"2026-12-07T12:00:02Z","count":0,"attempts":2,"failurePolicy":"constant 1s, retried forever"}]}
        """);
    JsonNode api = api("/api/scheduler");
    assertThat(api.path("available").asBoolean()).isTrue();
    assertThat(api.path("replicas").path(0).path("ownedJobs").asInt()).isEqualTo(3);
    String page = send("GET", "/scheduler").body();
    assertThat(page).contains("href=\"/scheduler\" class=\"active\"").contains("data-src=\"/scheduler?part=live\"");
    String live = send("GET", "/scheduler?part=live").body();
    assertThat(live).contains("3 jobs stored").contains("1 in flight").contains("1 held with no stream")
        .contains("data-replica=\"dapr-scheduler-server-0\"")
        .contains("app/cart/&lt;nightly&gt;").doesNotContain("<nightly>")
        .containsPattern("data-job=\"workflow/cart/order-1/timer-0\" class=\"degraded\"")
        .contains("once, due 2026-12-07T12:00:00Z").contains("retried forever");

    source.scheduler = null; // a source that cannot say: the page says why instead of showing nothing
    JsonNode none = api("/api/scheduler");
    assertThat(none.path("available").asBoolean()).isFalse();
    assertThat(none.path("problems").path(0).asText()).contains("not available from");
    assertThat(send("GET", "/scheduler?part=live").body()).contains("id=\"no-scheduler\"").contains("not available from");
  }

  @Test
  void resourcesAreListedEscapedAndNeverShowASecretValue() throws Exception {
    JsonNode list = api("/api/resources/components?namespace=default");
    assertThat(list.path("items").path(0).path("type").asText()).isEqualTo("state.redis");
    assertThat(list.toString()).doesNotContain("hunter2");
    String page = send("GET", "/resources/components").body();
    assertThat(page).contains("&lt;b&gt;statestore&lt;/b&gt;").doesNotContain("<b>statestore").doesNotContain("hunter2");
    String yaml = send("GET", "/api/resources/components/default/%3Cb%3Estatestore%3C%2Fb%3E?format=yaml").body();
    assertThat(yaml).contains("redisHost").contains("••••••").doesNotContain("hunter2");
    String yamlPage = send("GET", "/resources/components/default/%3Cb%3Estatestore%3C%2Fb%3E").body();
    assertThat(yamlPage).contains("<pre class=\"yaml\"").contains("value: redis:6379").doesNotContain("hunter2");
    assertThat(send("GET", "/api/resources/components/default/missing").statusCode()).isEqualTo(404);
    assertThat(send("GET", "/api/resources/secrets").statusCode()).isEqualTo(404);
    // 1.18's kinds: in the navigation, listed, and an MCP server's env values masked like component metadata
    assertThat(page).contains("href=\"/resources/mcpservers\"").contains("href=\"/resources/workflowaccesspolicies\"");
    assertThat(send("GET", "/resources/mcpservers").body()).contains("tools").contains("agent");
    String mcp = send("GET", "/api/resources/mcpservers/default/tools?format=yaml").body();
    assertThat(mcp).contains("API_KEY").contains("mcp-tools").doesNotContain("k3y-inline");
    assertThat(send("GET", "/resources/workflowaccesspolicies").statusCode()).isEqualTo(200);
  }

  @Test
  void extensionShowsItsStateAndSaysWhenThereIsNoHistory() throws Exception {
    JsonNode ext = api("/api/extension");
    assertThat(ext.path("reported").asBoolean()).isTrue();
    assertThat(ext.path("releaseTrain").asText()).isEqualTo("stable");
    assertThat(ext.path("autoUpgradeMinorVersion").asBoolean()).isTrue();
    assertThat(ext.path("operations").isNull()).isTrue();
    String page = send("GET", "/extension").body();
    assertThat(page).contains("&lt;i&gt;ok&lt;/i&gt;").contains("keeps no operation history");
    // the management server's history, as its API wraps it
    source.operations = JSON.readTree("""
        {"value":[{"name":"op-2","status":"Failed","startTime":"2026-01-02T00:00:00Z","endTime":"2026-01-02T00:01:00Z",
          "error":{"code":"RolledBack","message":"dapr-sentry did not become ready"},"properties":{"operation":"upgrade","fromVersion":"1.16.0",
          "toVersion":"1.17.0"}}]}""");
    JsonNode history = api("/api/extension").path("operations");
    assertThat(history.path(0).path("operation").asText()).isEqualTo("upgrade");
    assertThat(history.path(0).path("error").asText()).isEqualTo("dapr-sentry did not become ready");
    assertThat(send("GET", "/extension?part=live").body()).contains("table id=\"operations\"").contains("1.17.0");
    source.extension = null;
    assertThat(send("GET", "/extension?part=live").body()).contains("not reported");
  }

  @Test
  void onlyReadsAreAllowedAndEveryResponseCarriesTheSecurityHeaders() throws Exception {
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
      HttpResponse<String> r = send(method, "/api/controlplane");
      assertThat(r.statusCode()).as(method).isEqualTo(405);
      assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }
    HttpResponse<String> page = send("GET", "/controlplane");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(send("GET", "/healthz").statusCode()).isEqualTo(204);
    assertThat(send("GET", "/static/dashboard.js").body()).contains("setInterval");
  }
}
