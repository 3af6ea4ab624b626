package io.daprx.manager.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.model.DomainException;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.JdbcStore;
import io.daprx.manager.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code daprx apply/get/delete} of Dapr resources on a local cluster, against a real SQLite store and directory. */
class ClusterResourcesTest {

  @TempDir
  Path dir;

  private JdbcStore store;
  private Clusters clusters;
  private ClusterResources resources;
  private Doc cluster;

  @BeforeEach
  void setUp() {
    store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("daprx.db"), null, null, Clock.systemUTC());
    clusters = new Clusters(store, "00000000-0000-0000-0000-000000000000", dir.resolve("clusters"), 40000);
    clusters.putResourceGroup("rg", null);
    clusters.createManaged("rg", "c1", null);
    cluster = clusters.clusterDoc("rg", "managedclusters", "c1");
    resources = new ClusterResources(store, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private void installDapr() {
    ObjectNode ext = Json.object();
    ext.put("name", "dapr");
    store.create(cluster.id() + "/providers/Microsoft.KubernetesConfiguration/extensions/dapr", Extensions.KIND, cluster.id(), ext);
  }

  private static ArrayNode items(String... yaml) throws Exception {
    ArrayNode a = Json.MAPPER.createArrayNode();
    for (String y : yaml) {
      a.add(ClusterResources.YAML.readTree(y));
    }
    return a;
  }

  private static final String STATESTORE = """
      apiVersion: dapr.io/v1alpha1
      kind: Component
      metadata:
        name: statestore
      spec:
        type: state.redis
        version: v1
        metadata:
        - name: redisHost
          value: localhost:6379
        - name: redisDB
          value: "0"
        - name: redisPassword
          secretKeyRef: {name: redis, key: password}
      scopes: [cart]
      """;

  @Test
  void resourcesNeedTheDaprExtensionAsOnKubernetesTheyNeedItsCrds() throws Exception {
    assertThatThrownBy(() -> resources.apply(cluster, items(STATESTORE), null))
        .isInstanceOf(DomainException.class).hasMessageContaining("install the Dapr extension");
  }

  @Test
  void applyCreatesThenReportsUnchangedThenConfigured() throws Exception {
    installDapr();
    assertThat(resources.apply(cluster, items(STATESTORE), null)).extracting(ClusterResources.Applied::result).containsExactly("created");
    JsonNode first = resources.get(cluster, ResourceKind.COMPONENT, "default", "statestore");
    assertThat(first.path("metadata").path("namespace").asText()).isEqualTo("default");
    assertThat(first.path("metadata").path("generation").asInt()).isEqualTo(1);
    // Kubernetes' resourceVersion is a string; daprd's decoder refuses a number
    assertThat(first.path("metadata").path("resourceVersion").isTextual()).isTrue();

    assertThat(resources.apply(cluster, items(STATESTORE), null)).extracting(ClusterResources.Applied::result).containsExactly("unchanged");
    assertThat(resources.apply(cluster, items(STATESTORE.replace("localhost:6379", "redis:6379")), null))
        .extracting(ClusterResources.Applied::result).containsExactly("configured");
    JsonNode second = resources.get(cluster, ResourceKind.COMPONENT, "default", "statestore");
    assertThat(second.path("metadata").path("uid")).isEqualTo(first.path("metadata").path("uid"));
    assertThat(second.path("metadata").path("creationTimestamp")).isEqualTo(first.path("metadata").path("creationTimestamp"));
    assertThat(second.path("metadata").path("generation").asInt()).isEqualTo(2);
    assertThat(second.path("spec").path("metadata").path(0).path("value").asText()).isEqualTo("redis:6379");
    assertThat(second.path("spec").path("metadata").path(1).path("value").isTextual()).isTrue();
    // the operator reads exactly this file; no temporary file is left beside it
    try (var files = Files.list(io.daprx.manager.deploy.Targets.local(cluster).resourcesDir())) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("components_default_statestore.yaml");
    }
  }

  @Test
  void oneBadDocumentAppliesNothingAndNamesEveryProblem() throws Exception {
    installDapr();
    String badType = STATESTORE.replace("name: statestore", "name: pubsub").replace("state.redis", "redis");
    String badKind = "apiVersion: dapr.io/v1alpha1\nkind: Widget\nmetadata: {name: w}\n";
    assertThatThrownBy(() -> resources.apply(cluster, items(STATESTORE, badType, badKind), null))
        .isInstanceOf(DomainException.class)
        .hasMessageContaining("nothing was applied")
        .hasMessageContaining("object 2 (Component pubsub): spec.type \"redis\" is invalid")
        .hasMessageContaining("object 3 (Widget w): no matches for kind \"Widget\"");
    assertThat(resources.list(cluster, ResourceKind.COMPONENT, null)).isEmpty();
  }

  @Test
  void aResourceTooLargeForTheOperatorsToReadIsRefusedAndNothingIsApplied() throws Exception {
    installDapr();
    ArrayNode items = items(STATESTORE, STATESTORE.replace("name: statestore", "name: big"));
    ((ObjectNode) items.get(1).path("spec").path("metadata").get(0)).put("value", "a".repeat(1100 * 1024));
    assertThatThrownBy(() -> resources.apply(cluster, items, null)).isInstanceOf(DomainException.class)
        .hasMessageContaining("nothing was applied").hasMessageContaining("\"big\" (object 2) is 1,1")
        .hasMessageContaining("at most 1020 KiB").hasMessageNotContaining("aaaa")
        .extracting(e -> ((DomainException) e).reason()).isEqualTo(DomainException.Reason.INVALID);
    assertThat(resources.list(cluster, ResourceKind.COMPONENT, null)).isEmpty();
  }

  @Test
  void anOversizedFileInTheResourcesDirectoryIsSkippedAtOnceNotParsedForMinutes() throws Exception {
    installDapr();
    resources.apply(cluster, items(STATESTORE), null);
    // put there by hand: one 15 MB token, which SnakeYAML scans in quadratic time (minutes) under the resources lock
    Files.writeString(io.daprx.manager.deploy.Targets.local(cluster).resourcesDir().resolve("components_default_huge.yaml"),
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: huge}\nspec:\n  type: x" + "'".repeat(15 << 20) + "\n");
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () ->
        assertThat(resources.list(cluster, ResourceKind.COMPONENT, null)).extracting(n -> n.path("metadata").path("name").asText())
            .containsExactly("statestore"));
  }

  /** The real store, except that looking at {@code slowParent}'s extensions waits for {@code release}, as a slow read would. */
  private Store slowFor(String slowParent, java.util.concurrent.CountDownLatch entered, java.util.concurrent.CountDownLatch release) {
    return new Store() {
      public java.util.Optional<Doc> get(String id) {
        return store.get(id);
      }

      public List<Doc> list(String kind, String parentId) {
        if (slowParent.equals(parentId)) {
          entered.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return store.list(kind, parentId);
      }

      public Doc create(String id, String kind, String parentId, ObjectNode body) {
        return store.create(id, kind, parentId, body);
      }

      public Doc update(String id, ObjectNode body, String ifMatch) {
        return store.update(id, body, ifMatch);
      }

      public void delete(String id, String ifMatch) {
        store.delete(id, ifMatch);
      }

      public java.util.Optional<String> setting(String name) {
        return store.setting(name);
      }

      public String settingIfAbsent(String name, String value) {
        return store.settingIfAbsent(name, value);
      }

      public <T> T inTransaction(java.util.function.Function<Store, T> body) {
        return store.inTransaction(body);
      }

      public void close() {
      }
    };
  }

  @Test
  void aClusterWhoseResourcesAreSlowToReadNeverStallsAnotherCluster() throws Exception {
    installDapr();
    clusters.createManaged("rg", "c2", null);
    Doc other = clusters.clusterDoc("rg", "managedclusters", "c2");
    store.create(other.id() + "/providers/Microsoft.KubernetesConfiguration/extensions/dapr", Extensions.KIND, other.id(), Json.object());
    var entered = new java.util.concurrent.CountDownLatch(1);
    var release = new java.util.concurrent.CountDownLatch(1);
    ClusterResources shared = new ClusterResources(slowFor(cluster.id(), entered, release), Clock.systemUTC());
    Thread slow = new Thread(() -> shared.list(cluster, ResourceKind.COMPONENT, null), "slow-cluster");
    slow.start();
    try {
      assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
        shared.apply(other, items(STATESTORE), null);
        assertThat(shared.list(other, ResourceKind.COMPONENT, null)).hasSize(1);
      });
    } finally {
      release.countDown();
      slow.join(10_000);
    }
  }

  @Test
  void namespaceFlagMustAgreeWithTheObject() throws Exception {
    installDapr();
    String inShop = STATESTORE.replace("name: statestore", "name: statestore\n  namespace: shop");
    assertThatThrownBy(() -> resources.apply(cluster, items(inShop), "other"))
        .hasMessageContaining("does not match the namespace \"other\"");
    resources.apply(cluster, items(STATESTORE), "shop");
    assertThat(resources.list(cluster, ResourceKind.COMPONENT, "shop")).hasSize(1);
    assertThat(resources.list(cluster, ResourceKind.COMPONENT, "default")).isEmpty();
  }

  @Test
  void listIsPerKindAndDeleteRemovesOnlyTheNamedObject() throws Exception {
    installDapr();
    String config = "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata: {name: appconfig}\nspec: {tracing: {samplingRate: '1'}}\n";
    String pubsub = STATESTORE.replace("name: statestore", "name: pubsub").replace("state.redis", "pubsub.redis");
    resources.apply(cluster, items(STATESTORE, pubsub, config), null);
    assertThat(resources.list(cluster, ResourceKind.COMPONENT, null)).extracting(n -> n.path("metadata").path("name").asText())
        .containsExactly("pubsub", "statestore");
    assertThat(resources.list(cluster, ResourceKind.CONFIGURATION, null)).hasSize(1);

    resources.delete(cluster, ResourceKind.COMPONENT, "default", "pubsub");
    assertThat(resources.list(cluster, ResourceKind.COMPONENT, null)).extracting(n -> n.path("metadata").path("name").asText())
        .containsExactly("statestore");
    assertThatThrownBy(() -> resources.delete(cluster, ResourceKind.COMPONENT, "default", "pubsub"))
        .isInstanceOf(DomainException.class).hasMessage("components.dapr.io \"pubsub\" not found in namespace default");
  }

  private static final String MCP_SERVER = """
      apiVersion: dapr.io/v1alpha1
      kind: MCPServer
      metadata: {name: tools}
      spec:
        endpoint:
          streamableHTTP:
            url: https://mcp.example.com/mcp
            headers:
            - name: Authorization
              secretKeyRef: {name: mcp, key: token}
      scopes: [agent]
      """;

  private static final String ACCESS_POLICY = """
      apiVersion: dapr.io/v1alpha1
      kind: WorkflowAccessPolicy
      metadata: {name: orders, namespace: shop}
      spec:
        rules:
        - callers: [{appID: checkout}]
          workflows: [{name: "Order*", operations: [schedule, get]}]
      """;

  @Test
  void mcpServersAndWorkflowAccessPoliciesAreAppliedListedAndDeletedAndCheckedAsTheirCrdsCheckThem() throws Exception {
    installDapr();
    assertThat(resources.apply(cluster, items(MCP_SERVER, ACCESS_POLICY), null)).extracting(ClusterResources.Applied::reference)
        .containsExactly("mcpserver.dapr.io", "workflowaccesspolicy.dapr.io");
    assertThat(resources.get(cluster, ResourceKind.MCP_SERVER, "default", "tools").path("scopes").get(0).asText()).isEqualTo("agent");
    assertThat(resources.list(cluster, ResourceKind.WORKFLOW_ACCESS_POLICY, "shop")).hasSize(1);
    try (var files = Files.list(io.daprx.manager.deploy.Targets.local(cluster).resourcesDir())) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("mcpservers_default_tools.yaml", "workflowaccesspolicies_shop_orders.yaml");
    }

    String twoTransports = MCP_SERVER.replace("name: tools", "name: both").replace("    streamableHTTP:", "    stdio: {command: mcp}\n    streamableHTTP:");
    String noUrl = MCP_SERVER.replace("name: tools", "name: nourl").replace("url: https://mcp.example.com/mcp", "protocolVersion: 2025-06-18");
    String badOperation = ACCESS_POLICY.replace("name: orders", "name: bad").replace("schedule, get", "schedule, delete");
    String noTargets = ACCESS_POLICY.replace("name: orders", "name: empty").replace("  workflows: [{name: \"Order*\", operations: [schedule, get]}]\n", "");
    assertThatThrownBy(() -> resources.apply(cluster, items(twoTransports, noUrl, badOperation, noTargets), null))
        .isInstanceOf(DomainException.class)
        .hasMessageContaining("object 1 (MCPServer both): spec.endpoint: exactly one of streamableHTTP, sse or stdio must be set")
        .hasMessageContaining("object 2 (MCPServer nourl): spec.endpoint.streamableHTTP.url is required")
        .hasMessageContaining("object 3 (WorkflowAccessPolicy bad): spec.rules[0].workflows[0].operations: unsupported value \"delete\"")
        .hasMessageContaining("object 4 (WorkflowAccessPolicy empty): spec.rules[0]: at least one of workflows or activities must hold a rule");

    resources.delete(cluster, ResourceKind.MCP_SERVER, "default", "tools");
    assertThat(resources.list(cluster, ResourceKind.MCP_SERVER, null)).isEmpty();
  }

  @Test
  void namesThatCouldEscapeTheDirectoryAreRefused() {
    installDapr();
    for (String name : List.of("../x", "a_b", ".hidden")) {
      assertThatThrownBy(() -> resources.delete(cluster, ResourceKind.COMPONENT, "default", name)).isInstanceOf(DomainException.class)
          .extracting(e -> ((DomainException) e).reason()).isEqualTo(DomainException.Reason.INVALID);
    }
    assertThatThrownBy(() -> resources.get(cluster, ResourceKind.COMPONENT, "../etc", "x")).isInstanceOf(DomainException.class)
        .extracting(e -> ((DomainException) e).reason()).isEqualTo(DomainException.Reason.INVALID);
  }

  @Test
  void aLongValidNameIsStoredLikeAnyOtherAndAnApplyIsNeverHalfWritten() throws Exception {
    installDapr();
    // a valid DNS-1123 subdomain of 246 characters: with the kind and namespace its file name passed the file system's 255
    String longName = "a".repeat(60) + "." + "b".repeat(60) + "." + "c".repeat(60) + "." + "d".repeat(63);
    assertThat(longName).hasSize(246);
    List<ClusterResources.Applied> applied = resources.apply(cluster,
        items(STATESTORE, STATESTORE.replace("name: statestore", "name: " + longName)), null);
    assertThat(applied).extracting(ClusterResources.Applied::result).containsExactly("created", "created");
    assertThat(resources.get(cluster, io.daprx.common.dapr.ResourceKind.COMPONENT, null, longName).path("metadata").path("name").asText())
        .isEqualTo(longName);
    assertThat(resources.list(cluster, io.daprx.common.dapr.ResourceKind.COMPONENT, null)).hasSize(2);
    resources.delete(cluster, io.daprx.common.dapr.ResourceKind.COMPONENT, null, longName);
    assertThat(resources.list(cluster, io.daprx.common.dapr.ResourceKind.COMPONENT, null)).hasSize(1);
  }
}
