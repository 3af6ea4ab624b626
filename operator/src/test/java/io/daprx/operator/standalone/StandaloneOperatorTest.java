package io.daprx.operator.standalone;

import static io.daprx.operator.Events.json;
import static io.daprx.operator.Events.waiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.daprx.operator.Events;
import io.daprx.operator.Operator;
import io.daprx.operator.OperatorOptions;
import io.daprx.operator.SidecarClients;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.proto.operator.v1.ComponentUpdateEvent;
import io.daprx.proto.operator.v1.ComponentUpdateRequest;
import io.daprx.proto.operator.v1.GetConfigurationRequest;
import io.daprx.proto.operator.v1.GetResiliencyRequest;
import io.daprx.proto.operator.v1.ListComponentsRequest;
import io.daprx.proto.operator.v1.ListHTTPEndpointsRequest;
import io.daprx.proto.operator.v1.ListResiliencyRequest;
import io.daprx.proto.operator.v1.ConfigurationUpdateEvent;
import io.daprx.proto.operator.v1.ConfigurationUpdateRequest;
import io.daprx.proto.operator.v1.HTTPEndpointUpdateEvent;
import io.daprx.proto.operator.v1.HTTPEndpointUpdateRequest;
import io.daprx.proto.operator.v1.ListMCPServersRequest;
import io.daprx.proto.operator.v1.ListSubscriptionsRequest;
import io.daprx.proto.operator.v1.ListWorkflowAccessPolicyRequest;
import io.daprx.proto.operator.v1.MCPServerUpdateEvent;
import io.daprx.proto.operator.v1.MCPServerUpdateRequest;
import io.daprx.proto.operator.v1.ResiliencyUpdateEvent;
import io.daprx.proto.operator.v1.ResiliencyUpdateRequest;
import io.daprx.proto.operator.v1.WorkflowAccessPolicyUpdateEvent;
import io.daprx.proto.operator.v1.WorkflowAccessPolicyUpdateRequest;
import io.daprx.proto.operator.v1.OperatorGrpc;
import io.daprx.proto.operator.v1.ResourceEventType;
import io.daprx.proto.operator.v1.SubscriptionUpdateEvent;
import io.daprx.proto.operator.v1.SubscriptionUpdateRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator in standalone mode over a resources directory, with mTLS on real loopback ports and a real sentry. */
class StandaloneOperatorTest {

  @TempDir
  static Path creds;
  private static SidecarClients clients;

  @TempDir
  Path dir;
  private Operator operator;

  @BeforeAll
  static void startSentry() {
    clients = new SidecarClients(creds);
  }

  @AfterAll
  static void stopSentry() {
    clients.close();
  }

  @BeforeEach
  void start() throws IOException {
    write("base.yaml", component("statestore", "shop", "state.redis", "localhost:6379", null));
    operator = startOperator();
  }

  private Operator startOperator() {
    return new Operator(clients.withTls(OperatorOptions.standalone(dir).withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withResourcesPollInterval(Duration.ofMillis(500))), Clock.systemUTC()).start();
  }

  @AfterEach
  void stop() {
    operator.close();
  }

  static String component(String name, String ns, String type, String host, String scopes) {
    return "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: " + name + "\n" + (ns == null ? "" : "  namespace: " + ns + "\n")
        + "spec:\n  type: " + type + "\n  version: v1\n  metadata:\n  - name: redisHost\n    value: \"" + host + "\"\n"
        + "  - name: redisPassword\n    secretKeyRef:\n      name: redis\n      key: password\n"
        + (scopes == null ? "" : "scopes: [" + scopes + "]\n");
  }

  /** Writes as careful writers do: a temp file renamed into place. */
  private void write(String name, String content) throws IOException {
    Path tmp = dir.resolve("." + name + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private Events<ComponentUpdateEvent> watchComponents(String ns, String app) {
    int before = operator.metrics().streamsOpen(ResourceKind.COMPONENT);
    Events<ComponentUpdateEvent> events = Events.components();
    clients.async(operator, ns, app).componentUpdate(ComponentUpdateRequest.newBuilder().setNamespace(ns).build(), events);
    waiting().until(() -> operator.metrics().streamsOpen(ResourceKind.COMPONENT) > before);
    return events;
  }

  private List<String> componentNames(String ns, String app) {
    return clients.blocking(operator, ns, app).listComponents(ListComponentsRequest.newBuilder().setNamespace(ns).build())
        .getComponentsList().stream().map(b -> json(b).path("metadata").path("name").asText()).toList();
  }

  @Test
  void listComponentsReturnsTheWholeResourceAsJsonWithSecretRefsLeftForDaprd() {
    List<ByteString> list = clients.blocking(operator, "shop", "cart")
        .listComponents(ListComponentsRequest.newBuilder().setNamespace("shop").build()).getComponentsList();
    assertThat(list).hasSize(1);
    JsonNode c = json(list.get(0));
    assertThat(c.path("apiVersion").asText()).isEqualTo("dapr.io/v1alpha1");
    assertThat(c.path("kind").asText()).isEqualTo("Component");
    assertThat(c.path("metadata").path("namespace").asText()).isEqualTo("shop");
    assertThat(c.path("spec").path("type").asText()).isEqualTo("state.redis");
    assertThat(c.path("spec").path("metadata").get(0).path("value").asText()).isEqualTo("localhost:6379");
    // standalone: daprd resolves secret references with its own secret store
    assertThat(c.path("spec").path("metadata").get(1).path("secretKeyRef").path("name").asText()).isEqualTo("redis");
    assertThat(c.path("spec").path("metadata").get(1).has("value")).isFalse();
  }

  @Test
  void addingModifyingAndDeletingFilesStreamsCreatedUpdatedDeletedInOrder() throws IOException {
    Events<ComponentUpdateEvent> events = watchComponents("shop", "cart");
    write("pubsub.yaml", component("pubsub", "shop", "pubsub.redis", "a:6379", null));
    events.await(1);
    write("pubsub.yaml", component("pubsub", "shop", "pubsub.redis", "b:6379", null));
    events.await(2);
    Files.delete(dir.resolve("pubsub.yaml"));
    events.await(3);
    assertThat(events.summary()).containsExactly("CREATED pubsub", "UPDATED pubsub", "DELETED pubsub");
    assertThat(events.events().get(1).resource().path("spec").path("metadata").get(0).path("value").asText()).isEqualTo("b:6379");
  }

  @Test
  void resourcesWithoutNamespaceAreInDefaultAndMultiDocumentFilesAreRead() throws IOException {
    write("multi.yml", component("one", null, "state.in-memory", "x", null) + "---\n" + component("two", null, "state.in-memory", "y", null)
        + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: not-ours\n");
    waiting().until(() -> componentNames("default", "cart").size() == 2);
    assertThat(componentNames("default", "cart")).containsExactly("one", "two");
  }

  @Test
  void aBrokenFileIsSkippedAndKeepsItsLastGoodResourcesWhileOthersStayIntact() throws IOException {
    write("pubsub.yaml", component("pubsub", "shop", "pubsub.redis", "a:6379", null));
    waiting().until(() -> componentNames("shop", "cart").size() == 2);
    Events<ComponentUpdateEvent> events = watchComponents("shop", "cart");
    // half-written: cut in the middle of a mapping
    String full = component("pubsub", "shop", "pubsub.redis", "b:6379", null);
    // written whole (renamed into place): a plain write is seen truncated and empty first, which reads as "pubsub deleted"
    write("pubsub.yaml", full.substring(0, full.indexOf("spec:") + 12) + "\n  : [");
    write("other.yaml", component("binding", "shop", "bindings.cron", "c", null));
    events.await(1);
    assertThat(events.summary()).containsExactly("CREATED binding");
    assertThat(componentNames("shop", "cart")).containsExactly("binding", "pubsub", "statestore");
    // fixed: the resource updates from its last good version
    write("pubsub.yaml", full);
    events.await(2);
    assertThat(events.summary()).containsExactly("CREATED binding", "UPDATED pubsub");
  }

  /** A component whose one value is {@code chars} characters long (a plain scalar). */
  static String bigComponent(String name, int chars) {
    return "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: " + name + "\n  namespace: shop\nspec:\n"
        + "  type: state.in-memory\n  version: v1\n  metadata:\n  - name: blob\n    value: " + "a".repeat(chars) + "\n";
  }

  private double skipped(String reason) {
    var gauge = operator.registry().find("daprx_operator_resource_files_skipped").tag("reason", reason).gauge();
    return gauge == null ? -1 : gauge.value();
  }

  @Test
  void filesAndResourcesOverTheSizeLimitsAreSkippedAndCountedWhileLaterFilesAreStillServed() throws IOException {
    // 6 MiB over six documents, each small enough for the parser's default limit: read whole, this once filled the heap
    StringBuilder huge = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      huge.append(bigComponent("huge-" + i, 1024 * 1024 - 300)).append("---\n");
    }
    write("huge.yaml", huge.toString());
    write("bigdoc.yaml", bigComponent("bigdoc", 1200 * 1024)); // one resource over 1 MiB
    write("later.yaml", component("later", "shop", "state.redis", "h", null));
    waiting().until(() -> componentNames("shop", "cart").contains("later"));
    assertThat(componentNames("shop", "cart")).containsExactly("later", "statestore");
    waiting().until(() -> skipped("too_large") == 2);
    assertThat(skipped("invalid")).isZero();
    assertThat(operator.ready()).isTrue();
  }

  private int healthz() throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + operator.healthzPort() + "/healthz")).build(),
        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void aResourcesDirectoryThatCannotBeReadFailsHealthzUntilItCanAgain() throws Exception {
    assertThat(healthz()).isEqualTo(204);
    Path away = dir.resolveSibling(dir.getFileName() + "-away");
    Files.move(dir, away);
    try {
      // the set served is stale from now on: that must show, not stay Ready for ever
      waiting().until(() -> healthz() == 503);
    } finally {
      Files.move(away, dir);
    }
    write("pubsub.yaml", component("pubsub", "shop", "pubsub.redis", "a:6379", null));
    waiting().until(() -> healthz() == 204);
    waiting().until(() -> componentNames("shop", "cart").contains("pubsub"));
  }

  @Test
  void gainingAndLosingTheCallersAppIdInScopesIsCreatedAndDeletedForThatCallerOnly() throws IOException {
    write("scoped.yaml", component("scoped", "shop", "state.redis", "h", "orders"));
    waiting().until(() -> componentNames("shop", "orders").contains("scoped"));
    assertThat(componentNames("shop", "cart")).doesNotContain("scoped");
    Events<ComponentUpdateEvent> cart = watchComponents("shop", "cart");
    Events<ComponentUpdateEvent> orders = watchComponents("shop", "orders");
    Events<ComponentUpdateEvent> billing = watchComponents("shop", "billing");
    write("scoped.yaml", component("scoped", "shop", "state.redis", "h", "orders, cart"));
    cart.await(1);
    orders.await(1);
    write("scoped.yaml", component("scoped", "shop", "state.redis", "h", "orders"));
    cart.await(2);
    orders.await(2);
    assertThat(cart.summary()).containsExactly("CREATED scoped", "DELETED scoped");
    assertThat(orders.summary()).containsExactly("UPDATED scoped", "UPDATED scoped");
    assertThat(billing.events()).isEmpty();
  }

  @Test
  void requestingAnotherNamespaceIsPermissionDenied() {
    OperatorGrpc.OperatorBlockingStub cart = clients.blocking(operator, "shop", "cart");
    assertThatThrownBy(() -> cart.listComponents(ListComponentsRequest.newBuilder().setNamespace("bank").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains("bank");
        });
    Events<ComponentUpdateEvent> events = Events.components();
    clients.async(operator, "shop", "cart").componentUpdate(ComponentUpdateRequest.newBuilder().setNamespace("bank").build(), events);
    waiting().until(() -> events.closedWith() != null);
    assertThat(events.closedWith().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    // the 1.18 rpcs are authorized alike
    assertThatThrownBy(() -> cart.listMCPServers(ListMCPServersRequest.newBuilder().setNamespace("bank").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThatThrownBy(() -> cart.listWorkflowAccessPolicy(ListWorkflowAccessPolicyRequest.newBuilder().setNamespace("bank").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    Events<WorkflowAccessPolicyUpdateEvent> policies = new Events<>(WorkflowAccessPolicyUpdateEvent::getType,
        WorkflowAccessPolicyUpdateEvent::getPolicy);
    clients.async(operator, "shop", "cart").workflowAccessPolicyUpdate(WorkflowAccessPolicyUpdateRequest.newBuilder().setNamespace("bank")
        .build(), policies);
    waiting().until(() -> policies.closedWith() != null);
    assertThat(policies.closedWith().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void everyListAndGetReturnsItsKindAsJson() throws IOException {
    write("all.yaml", """
        apiVersion: dapr.io/v1alpha1
        kind: Configuration
        metadata: {name: appconfig, namespace: shop}
        spec: {tracing: {samplingRate: "1"}}
        ---
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata: {name: retries, namespace: shop}
        spec: {policies: {retries: {three: {policy: constant, maxRetries: 3}}}}
        scopes: [cart]
        ---
        apiVersion: dapr.io/v1alpha1
        kind: Subscription
        metadata: {name: orders-sub, namespace: shop}
        spec: {pubsubname: pubsub, topic: orders, route: /orders}
        ---
        apiVersion: dapr.io/v2alpha1
        kind: Subscription
        metadata: {name: payments-sub, namespace: shop}
        spec: {pubsubname: pubsub, topic: payments, routes: {default: /pay}}
        ---
        apiVersion: dapr.io/v1alpha1
        kind: HTTPEndpoint
        metadata: {name: github, namespace: shop}
        spec: {baseUrl: "https://api.github.com"}
        """);
    OperatorGrpc.OperatorBlockingStub cart = clients.blocking(operator, "shop", "cart");
    waiting().until(() -> cart.listHTTPEndpoints(ListHTTPEndpointsRequest.newBuilder().setNamespace("shop").build()).getHttpEndpointsCount() == 1);

    JsonNode config = json(cart.getConfiguration(GetConfigurationRequest.newBuilder().setNamespace("shop").setName("appconfig").build())
        .getConfiguration());
    assertThat(config.path("spec").path("tracing").path("samplingRate").asText()).isEqualTo("1");
    assertThatThrownBy(() -> cart.getConfiguration(GetConfigurationRequest.newBuilder().setNamespace("shop").setName("nope").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));

    assertThat(json(cart.getResiliency(GetResiliencyRequest.newBuilder().setNamespace("shop").setName("retries").build()).getResiliency())
        .path("spec").path("policies").path("retries").path("three").path("maxRetries").asInt()).isEqualTo(3);
    assertThat(cart.listResiliency(ListResiliencyRequest.newBuilder().setNamespace("shop").build()).getResilienciesCount()).isEqualTo(1);
    // scoped to cart only
    assertThat(clients.blocking(operator, "shop", "orders").listResiliency(ListResiliencyRequest.newBuilder().setNamespace("shop").build())
        .getResilienciesCount()).isZero();

    List<JsonNode> subs = cart.listSubscriptionsV2(ListSubscriptionsRequest.newBuilder().setNamespace("shop").build())
        .getSubscriptionsList().stream().map(Events::json).toList();
    assertThat(subs).extracting(s -> s.path("apiVersion").asText()).containsOnly("dapr.io/v2alpha1");
    assertThat(subs).extracting(s -> s.path("spec").path("routes").path("default").asText()).containsExactly("/orders", "/pay");
    // the Empty variant names no namespace: the caller's own
    assertThat(cart.listSubscriptions(Empty.getDefaultInstance()).getSubscriptionsCount()).isEqualTo(2);

    JsonNode endpoint = json(cart.listHTTPEndpoints(ListHTTPEndpointsRequest.newBuilder().setNamespace("shop").build()).getHttpEndpoints(0));
    assertThat(endpoint.path("spec").path("baseUrl").asText()).isEqualTo("https://api.github.com");
  }

  @Test
  void subscriptionStreamsCarryTheV2alpha1Shape() throws IOException {
    Events<SubscriptionUpdateEvent> events = new Events<>(SubscriptionUpdateEvent::getType, SubscriptionUpdateEvent::getSubscription);
    clients.async(operator, "shop", "cart").subscriptionUpdate(SubscriptionUpdateRequest.newBuilder().setNamespace("shop").build(), events);
    waiting().until(() -> operator.metrics().streamsOpen(ResourceKind.SUBSCRIPTION) == 1);
    write("sub.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Subscription\nmetadata: {name: s, namespace: shop}\n"
        + "spec: {pubsubname: p, topic: t, route: /t}\n");
    events.await(1);
    assertThat(events.events().get(0).type()).isEqualTo(ResourceEventType.CREATED);
    assertThat(events.events().get(0).resource().path("spec").path("routes").path("default").asText()).isEqualTo("/t");
  }

  @Test
  void aPlaintextCallerIsAnonymousAndGetsOnlyUnscopedResources() throws IOException {
    write("scoped.yaml", component("scoped", "shop", "state.redis", "h", "cart"));
    try (Operator plain = new Operator(OperatorOptions.standalone(dir).withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withTls(false, null, null), Clock.systemUTC()).start()) {
      List<String> names = OperatorGrpc.newBlockingStub(clients.plaintext(plain))
          .listComponents(ListComponentsRequest.newBuilder().setNamespace("shop").build()).getComponentsList().stream()
          .map(b -> json(b).path("metadata").path("name").asText()).toList();
      assertThat(names).containsExactly("statestore");
    }
  }

  static String mcpServer(String name, String url, String scopes) {
    return "apiVersion: dapr.io/v1alpha1\nkind: MCPServer\nmetadata: {name: " + name + ", namespace: shop}\n"
        + "spec:\n  endpoint:\n    streamableHTTP:\n      url: " + url + "\n      headers:\n      - name: Authorization\n"
        + "        secretKeyRef: {name: mcp, key: token}\n" + (scopes == null ? "" : "scopes: [" + scopes + "]\n");
  }

  static String accessPolicy(String name, String caller, String scopes) {
    return "apiVersion: dapr.io/v1alpha1\nkind: WorkflowAccessPolicy\nmetadata: {name: " + name + ", namespace: shop}\n"
        + "spec:\n  rules:\n  - callers: [{appID: " + caller + "}]\n    workflows: [{name: 'Order*', operations: [schedule, get]}]\n"
        + (scopes == null ? "" : "scopes: [" + scopes + "]\n");
  }

  private List<JsonNode> mcpServers(String app) {
    return clients.blocking(operator, "shop", app).listMCPServers(ListMCPServersRequest.newBuilder().setNamespace("shop").build())
        .getMcpServersList().stream().map(Events::json).toList();
  }

  private List<JsonNode> accessPolicies(String app) {
    return clients.blocking(operator, "shop", app).listWorkflowAccessPolicy(ListWorkflowAccessPolicyRequest.newBuilder()
        .setNamespace("shop").build()).getPoliciesList().stream().map(Events::json).toList();
  }

  /** Opens the update stream of {@code kind} for {@code app} in shop, and waits until the operator follows it. */
  private Events<?> watch(ResourceKind kind, String app) {
    int before = operator.metrics().streamsOpen(kind);
    OperatorGrpc.OperatorStub stub = clients.async(operator, "shop", app);
    Events<?> events = switch (kind) {
      case CONFIGURATION -> {
        Events<ConfigurationUpdateEvent> e = new Events<>(ConfigurationUpdateEvent::getType, ConfigurationUpdateEvent::getConfiguration);
        stub.configurationUpdate(ConfigurationUpdateRequest.newBuilder().setNamespace("shop").build(), e);
        yield e;
      }
      case RESILIENCY -> {
        Events<ResiliencyUpdateEvent> e = new Events<>(ResiliencyUpdateEvent::getType, ResiliencyUpdateEvent::getResiliency);
        stub.resiliencyUpdate(ResiliencyUpdateRequest.newBuilder().setNamespace("shop").build(), e);
        yield e;
      }
      case HTTP_ENDPOINT -> {
        Events<HTTPEndpointUpdateEvent> e = new Events<>(HTTPEndpointUpdateEvent::getType, HTTPEndpointUpdateEvent::getHttpEndpoints);
        stub.hTTPEndpointUpdate(HTTPEndpointUpdateRequest.newBuilder().setNamespace("shop").build(), e);
        yield e;
      }
      case MCP_SERVER -> {
        Events<MCPServerUpdateEvent> e = new Events<>(MCPServerUpdateEvent::getType, MCPServerUpdateEvent::getMcpServer);
        stub.mCPServerUpdate(MCPServerUpdateRequest.newBuilder().setNamespace("shop").build(), e);
        yield e;
      }
      case WORKFLOW_ACCESS_POLICY -> {
        Events<WorkflowAccessPolicyUpdateEvent> e = new Events<>(WorkflowAccessPolicyUpdateEvent::getType,
            WorkflowAccessPolicyUpdateEvent::getPolicy);
        stub.workflowAccessPolicyUpdate(WorkflowAccessPolicyUpdateRequest.newBuilder().setNamespace("shop").build(), e);
        yield e;
      }
      default -> throw new IllegalArgumentException(kind.kind());
    };
    waiting().until(() -> operator.metrics().streamsOpen(kind) > before);
    return events;
  }

  @Test
  void mcpServersAndWorkflowAccessPoliciesAreListedAndStreamedWithinTheirScopes() throws IOException {
    write("agents.yaml", mcpServer("tools", "https://mcp.example.com/mcp", "agent") + "---\n" + accessPolicy("orders", "checkout", null));
    waiting().until(() -> mcpServers("agent").size() == 1);
    JsonNode tools = mcpServers("agent").get(0);
    assertThat(tools.path("kind").asText()).isEqualTo("MCPServer");
    assertThat(tools.path("spec").path("endpoint").path("streamableHTTP").path("url").asText()).isEqualTo("https://mcp.example.com/mcp");
    // standalone: daprd resolves the reference with its own secret store
    JsonNode header = tools.path("spec").path("endpoint").path("streamableHTTP").path("headers").get(0);
    assertThat(header.path("secretKeyRef").path("name").asText()).isEqualTo("mcp");
    assertThat(header.has("value")).isFalse();
    assertThat(mcpServers("cart")).isEmpty();
    assertThat(accessPolicies("cart")).singleElement().satisfies(p ->
        assertThat(p.path("spec").path("rules").get(0).path("callers").get(0).path("appID").asText()).isEqualTo("checkout"));

    Events<?> agentMcp = watch(ResourceKind.MCP_SERVER, "agent");
    Events<?> cartMcp = watch(ResourceKind.MCP_SERVER, "cart");
    Events<?> cartPolicies = watch(ResourceKind.WORKFLOW_ACCESS_POLICY, "cart");
    write("agents.yaml", mcpServer("tools", "https://mcp.example.com/mcp", "agent, cart") + "---\n" + accessPolicy("orders", "checkout", null));
    cartMcp.await(1);
    write("agents.yaml", mcpServer("tools", "https://mcp.example.com/v2", "agent") + "---\n" + accessPolicy("orders", "billing", null));
    cartMcp.await(2);
    cartPolicies.await(1);
    Files.delete(dir.resolve("agents.yaml"));
    agentMcp.await(3);
    cartPolicies.await(2);
    assertThat(cartMcp.summary()).containsExactly("CREATED tools", "DELETED tools");
    assertThat(agentMcp.summary()).containsExactly("UPDATED tools", "UPDATED tools", "DELETED tools");
    assertThat(agentMcp.events().get(1).resource().path("spec").path("endpoint").path("streamableHTTP").path("url").asText())
        .isEqualTo("https://mcp.example.com/v2");
    assertThat(cartPolicies.summary()).containsExactly("UPDATED orders", "DELETED orders");
    assertThat(cartPolicies.events().get(0).resource().path("spec").path("rules").get(0).path("callers").get(0).path("appID").asText())
        .isEqualTo("billing");
  }

  /** One resource of each kind daprd 1.18 follows with hot reload; {@code name} and {@code value} tell versions apart. */
  static String reloadedKinds(String name, String value) {
    return "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata: {name: " + name + ", namespace: shop}\n"
        + "spec: {tracing: {samplingRate: '" + value + "'}}\n---\n"
        + "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata: {name: " + name + ", namespace: shop}\n"
        + "spec: {policies: {timeouts: {fast: " + value + "s}}}\n---\n"
        + "apiVersion: dapr.io/v1alpha1\nkind: HTTPEndpoint\nmetadata: {name: " + name + ", namespace: shop}\n"
        + "spec: {baseUrl: 'https://" + value + ".example.com'}\n---\n"
        + mcpServer(name, "https://" + value + ".example.com/mcp", null) + "---\n"
        + accessPolicy(name, "app" + value, null);
  }

  private static final List<ResourceKind> RELOADED = List.of(ResourceKind.CONFIGURATION, ResourceKind.RESILIENCY,
      ResourceKind.HTTP_ENDPOINT, ResourceKind.MCP_SERVER, ResourceKind.WORKFLOW_ACCESS_POLICY);

  /** What a starting sidecar reads of each kind, as JSON trees. */
  private Map<ResourceKind, List<JsonNode>> listAll() {
    OperatorGrpc.OperatorBlockingStub cart = clients.blocking(operator, "shop", "cart");
    Map<ResourceKind, List<JsonNode>> out = new EnumMap<>(ResourceKind.class);
    out.put(ResourceKind.CONFIGURATION, List.of(json(cart.getConfiguration(GetConfigurationRequest.newBuilder().setNamespace("shop")
        .setName("app").build()).getConfiguration())));
    out.put(ResourceKind.RESILIENCY, cart.listResiliency(ListResiliencyRequest.newBuilder().setNamespace("shop").build())
        .getResilienciesList().stream().map(Events::json).toList());
    out.put(ResourceKind.HTTP_ENDPOINT, cart.listHTTPEndpoints(ListHTTPEndpointsRequest.newBuilder().setNamespace("shop").build())
        .getHttpEndpointsList().stream().map(Events::json).toList());
    out.put(ResourceKind.MCP_SERVER, mcpServers("cart"));
    out.put(ResourceKind.WORKFLOW_ACCESS_POLICY, accessPolicies("cart"));
    return out;
  }

  private Map<ResourceKind, Events<?>> watchReloaded() {
    Map<ResourceKind, Events<?>> out = new EnumMap<>(ResourceKind.class);
    RELOADED.forEach(k -> out.put(k, watch(k, "cart")));
    return out;
  }

  @Test
  void reapplyingTouchingOrRestartingSendsNoEventForAResourceWhoseContentDidNotChange() throws IOException {
    String app = reloadedKinds("app", "1");
    write("app.yaml", app);
    waiting().until(() -> accessPolicies("cart").size() == 1 && mcpServers("cart").size() == 1);
    Map<ResourceKind, List<JsonNode>> listed = listAll();
    Map<ResourceKind, Events<?>> streams = watchReloaded();

    write("app.yaml", app); // applied again: the same bytes, a new file
    Files.setLastModifiedTime(dir.resolve("app.yaml"), FileTime.fromMillis(System.currentTimeMillis() + 60_000)); // touched
    // rewritten by another tool: a comment, flow style, keys in another order — the same objects
    write("app.yaml", "# reformatted\n" + app.replace("metadata: {name: app, namespace: shop}", "metadata:\n  namespace: shop\n  name: app"));
    // a real change after those: the only events each stream may see (a spurious one would come before it)
    write("z-sentinel.yaml", reloadedKinds("sentinel", "2"));
    streams.values().forEach(e -> e.await(1));
    streams.forEach((k, e) -> assertThat(e.summary()).as(k.kind()).containsExactly("CREATED sentinel"));

    // an operator restart: the sidecar reconnects, lists, then streams again
    operator.close();
    operator = startOperator();
    Map<ResourceKind, List<JsonNode>> relisted = new EnumMap<>(ResourceKind.class);
    listAll().forEach((k, list) -> relisted.put(k, list.stream().filter(r -> !r.path("metadata").path("name").asText().equals("sentinel"))
        .toList()));
    assertThat(relisted).isEqualTo(listed);
    Map<ResourceKind, Events<?>> restreamed = watchReloaded();
    write("z-sentinel.yaml", reloadedKinds("sentinel", "3"));
    restreamed.values().forEach(e -> e.await(1));
    restreamed.forEach((k, e) -> assertThat(e.summary()).as(k.kind()).containsExactly("UPDATED sentinel"));
  }
}
