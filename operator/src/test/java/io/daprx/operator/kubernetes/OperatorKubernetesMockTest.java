package io.daprx.operator.kubernetes;

import static io.daprx.operator.Events.json;
import static io.daprx.operator.Events.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.operator.Events;
import io.daprx.operator.Operator;
import io.daprx.operator.OperatorOptions;
import io.daprx.operator.SidecarClients;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.proto.operator.v1.ComponentUpdateEvent;
import io.daprx.proto.operator.v1.ComponentUpdateRequest;
import io.daprx.proto.operator.v1.ListComponentsRequest;
import io.daprx.proto.operator.v1.ListMCPServersRequest;
import io.daprx.proto.operator.v1.MCPServerUpdateEvent;
import io.daprx.proto.operator.v1.MCPServerUpdateRequest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The operator in kubernetes mode against the fabric8 CRUD API server, with mTLS on loopback and a real sentry. */
@EnableKubernetesMockClient(crud = true)
class OperatorKubernetesMockTest {

  KubernetesMockServer server;
  KubernetesClient client;

  @TempDir
  static Path creds;
  private static SidecarClients clients;
  private Operator operator;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void startSentry() {
    clients = new SidecarClients(creds);
  }

  @AfterAll
  static void stopSentry() {
    clients.close();
  }

  @BeforeEach
  void start() {
    for (ResourceKind k : ResourceKind.values()) {
      server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup(ResourceKind.GROUP)
          .withVersion(k.servedVersion()).withKind(k.kind()).withPlural(k.plural()).withScope("Namespaced").build());
    }
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    ((Logger) LoggerFactory.getLogger("io.daprx")).setLevel(ch.qos.logback.classic.Level.DEBUG);
    operator = new Operator(clients.withTls(OperatorOptions.kubernetes().withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withId("dapr-operator-0").withLeaseDuration(Duration.ofSeconds(3)).withSentryTokenFile(null)), Clock.systemUTC(), client, null).start();
    waiting().until(operator::ready);
  }

  @AfterEach
  void stop() {
    operator.close();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    ((Logger) LoggerFactory.getLogger("io.daprx")).setLevel(null);
  }

  private GenericKubernetesResource component(String name, String host, List<String> scopes) {
    String yaml = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: " + name + "\n  namespace: shop\n"
        + "spec:\n  type: state.redis\n  version: v1\n  metadata:\n  - name: redisHost\n    value: " + host + "\n"
        + "  - name: redisPassword\n    secretKeyRef:\n      name: redis\n      key: password\n"
        + (scopes == null ? "" : "scopes: " + scopes + "\n");
    return Serialization.unmarshal(yaml, GenericKubernetesResource.class);
  }

  private io.fabric8.kubernetes.client.dsl.MixedOperation<GenericKubernetesResource, io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
      io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> components() {
    return client.genericKubernetesResources(CrdInformers.context(ResourceKind.COMPONENT));
  }

  private Events<ComponentUpdateEvent> watchComponents(String app) {
    int before = operator.metrics().streamsOpen(ResourceKind.COMPONENT);
    Events<ComponentUpdateEvent> events = Events.components();
    clients.async(operator, "shop", app).componentUpdate(ComponentUpdateRequest.newBuilder().setNamespace("shop").build(), events);
    waiting().until(() -> operator.metrics().streamsOpen(ResourceKind.COMPONENT) > before);
    return events;
  }

  private void redisSecret(String password) {
    client.secrets().inNamespace("shop").resource(new SecretBuilder().withNewMetadata().withName("redis").withNamespace("shop").endMetadata()
        .withData(Map.of("password", Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)))).build())
        .createOr(r -> r.update());
  }

  @Test
  void componentCreateUpdateDeleteStreamsCreatedUpdatedDeletedInOrder() {
    redisSecret("s3cr3t-pw");
    Events<ComponentUpdateEvent> events = watchComponents("cart");
    components().inNamespace("shop").resource(component("statestore", "a:6379", null)).create();
    events.await(1);
    components().inNamespace("shop").withName("statestore").edit(c -> component("statestore", "b:6379", null));
    events.await(2);
    components().inNamespace("shop").withName("statestore").delete();
    events.await(3);
    assertThat(events.summary()).containsExactly("CREATED statestore", "UPDATED statestore", "DELETED statestore");
    assertThat(events.events().get(1).resource().path("spec").path("metadata").get(0).path("value").asText()).isEqualTo("b:6379");
  }

  @Test
  void secretKeyRefsAreResolvedAsBase64OfTheSecretBytesAndNeverLogged() {
    redisSecret("s3cr3t-pw");
    Events<ComponentUpdateEvent> events = watchComponents("cart");
    components().inNamespace("shop").resource(component("statestore", "a:6379", null)).create();
    events.await(1);
    String expected = Base64.getEncoder().encodeToString("s3cr3t-pw".getBytes(StandardCharsets.UTF_8));
    JsonNode streamed = events.events().get(0).resource();
    assertThat(streamed.path("spec").path("metadata").get(1).path("value").asText()).isEqualTo(expected);
    assertThat(streamed.path("spec").path("metadata").get(1).path("secretKeyRef").path("name").asText()).isEqualTo("redis");
    JsonNode listed = json(clients.blocking(operator, "shop", "cart")
        .listComponents(ListComponentsRequest.newBuilder().setNamespace("shop").build()).getComponents(0));
    assertThat(listed.path("spec").path("metadata").get(1).path("value").asText()).isEqualTo(expected);
    // a changed Secret shows in the next list (sidecars list when they start)
    redisSecret("rotated-pw");
    JsonNode relisted = json(clients.blocking(operator, "shop", "cart")
        .listComponents(ListComponentsRequest.newBuilder().setNamespace("shop").build()).getComponents(0));
    assertThat(relisted.path("spec").path("metadata").get(1).path("value").asText())
        .isEqualTo(Base64.getEncoder().encodeToString("rotated-pw".getBytes(StandardCharsets.UTF_8)));
    assertThat(logs.list).isNotEmpty();
    assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("s3cr3t-pw").doesNotContain(expected)
        .doesNotContain("rotated-pw"));
  }

  private static GenericKubernetesResource mcpServer(String name, String transport, String url) {
    String endpoint = transport.equals("stdio")
        ? "    stdio:\n      command: mcp-tools\n      env:\n      - name: API_KEY\n        secretKeyRef: {name: mcp, key: api-key}\n"
        : "    " + transport + ":\n      url: " + url + "\n      headers:\n      - {name: X-Team, value: agents}\n"
            + "      - name: Authorization\n        secretKeyRef: {name: mcp, key: token}\n";
    return Serialization.unmarshal("apiVersion: dapr.io/v1alpha1\nkind: MCPServer\nmetadata:\n  name: " + name + "\n  namespace: shop\n"
        + "spec:\n  endpoint:\n" + endpoint, GenericKubernetesResource.class);
  }

  private io.fabric8.kubernetes.client.dsl.MixedOperation<GenericKubernetesResource, io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
      io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> mcpServers() {
    return client.genericKubernetesResources(CrdInformers.context(ResourceKind.MCP_SERVER));
  }

  private Events<MCPServerUpdateEvent> watchMcpServers(String app) {
    int before = operator.metrics().streamsOpen(ResourceKind.MCP_SERVER);
    Events<MCPServerUpdateEvent> events = new Events<>(MCPServerUpdateEvent::getType, MCPServerUpdateEvent::getMcpServer);
    clients.async(operator, "shop", app).mCPServerUpdate(MCPServerUpdateRequest.newBuilder().setNamespace("shop").build(), events);
    waiting().until(() -> operator.metrics().streamsOpen(ResourceKind.MCP_SERVER) > before);
    return events;
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void mcpServerHeaderAndStdioEnvSecretsAreResolvedAndNeverLogged() {
    client.secrets().inNamespace("shop").resource(new SecretBuilder().withNewMetadata().withName("mcp").withNamespace("shop").endMetadata()
        .withData(Map.of("token", b64("Bearer mcp-t0ken"), "api-key", b64("k3y-for-stdio"))).build()).create();
    Events<MCPServerUpdateEvent> events = watchMcpServers("agent");
    mcpServers().inNamespace("shop").resource(mcpServer("remote", "streamableHTTP", "https://mcp.example.com/mcp")).create();
    mcpServers().inNamespace("shop").resource(mcpServer("legacy", "sse", "https://old.example.com/sse")).create();
    mcpServers().inNamespace("shop").resource(mcpServer("local", "stdio", null)).create();
    events.await(3);
    assertThat(events.summary()).containsExactly("CREATED remote", "CREATED legacy", "CREATED local");
    JsonNode remote = events.events().get(0).resource().path("spec").path("endpoint").path("streamableHTTP").path("headers");
    assertThat(remote.get(0).path("value").asText()).isEqualTo("agents");
    assertThat(remote.get(1).path("value").asText()).isEqualTo(b64("Bearer mcp-t0ken"));
    assertThat(events.events().get(1).resource().path("spec").path("endpoint").path("sse").path("headers").get(1).path("value").asText())
        .isEqualTo(b64("Bearer mcp-t0ken"));
    assertThat(events.events().get(2).resource().path("spec").path("endpoint").path("stdio").path("env").get(0).path("value").asText())
        .isEqualTo(b64("k3y-for-stdio"));
    List<JsonNode> listed = clients.blocking(operator, "shop", "agent").listMCPServers(ListMCPServersRequest.newBuilder().setNamespace("shop")
        .build()).getMcpServersList().stream().map(Events::json).toList();
    assertThat(listed).extracting(m -> m.path("metadata").path("name").asText()).containsExactly("legacy", "local", "remote");
    assertThat(listed.get(1).path("spec").path("endpoint").path("stdio").path("env").get(0).path("value").asText())
        .isEqualTo(b64("k3y-for-stdio"));
    assertThat(logs.list).isNotEmpty();
    assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("mcp-t0ken").doesNotContain("k3y-for-stdio")
        .doesNotContain(b64("Bearer mcp-t0ken")).doesNotContain(b64("k3y-for-stdio")));
  }

  @Test
  void aChangeOfMetadataAloneSendsNoEventWhileAChangeOfSpecIsUpdated() {
    client.secrets().inNamespace("shop").resource(new SecretBuilder().withNewMetadata().withName("mcp").withNamespace("shop").endMetadata()
        .withData(Map.of("token", b64("t"))).build()).create();
    mcpServers().inNamespace("shop").resource(mcpServer("remote", "streamableHTTP", "https://a.example.com/mcp")).create();
    waiting().until(() -> clients.blocking(operator, "shop", "agent").listMCPServers(ListMCPServersRequest.newBuilder().setNamespace("shop")
        .build()).getMcpServersCount() == 1);
    Events<MCPServerUpdateEvent> events = watchMcpServers("agent");
    // labels and annotations: a new resourceVersion, managedFields and the informer's update, but the same MCP server
    mcpServers().inNamespace("shop").withName("remote").edit(m -> {
      m.getMetadata().setLabels(Map.of("team", "agents"));
      m.getMetadata().setAnnotations(Map.of("owner", "someone"));
      return m;
    });
    mcpServers().inNamespace("shop").withName("remote").edit(m -> mcpServer("remote", "streamableHTTP", "https://b.example.com/mcp"));
    events.await(1);
    assertThat(events.summary()).containsExactly("UPDATED remote");
    assertThat(events.events().get(0).resource().path("spec").path("endpoint").path("streamableHTTP").path("url").asText())
        .isEqualTo("https://b.example.com/mcp");
  }

  @Test
  void anOperatorRestartSendsNothingForResourcesThatDidNotChange() {
    mcpServers().inNamespace("shop").resource(mcpServer("local", "stdio", null)).create();
    client.secrets().inNamespace("shop").resource(new SecretBuilder().withNewMetadata().withName("mcp").withNamespace("shop").endMetadata()
        .withData(Map.of("api-key", b64("k"), "token", b64("t"))).build()).create();
    waiting().until(() -> clients.blocking(operator, "shop", "agent").listMCPServers(ListMCPServersRequest.newBuilder().setNamespace("shop")
        .build()).getMcpServersCount() == 1);
    JsonNode before = json(clients.blocking(operator, "shop", "agent").listMCPServers(ListMCPServersRequest.newBuilder()
        .setNamespace("shop").build()).getMcpServers(0));

    operator.close();
    operator = new Operator(clients.withTls(OperatorOptions.kubernetes().withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withId("dapr-operator-0").withLeaseDuration(Duration.ofSeconds(3)).withSentryTokenFile(null)), Clock.systemUTC(), client, null).start();
    waiting().until(operator::ready);
    // the sidecar reconnects: lists (the same content), then streams; only a real change after that is sent
    JsonNode after = json(clients.blocking(operator, "shop", "agent").listMCPServers(ListMCPServersRequest.newBuilder()
        .setNamespace("shop").build()).getMcpServers(0));
    assertThat(after).isEqualTo(before);
    Events<MCPServerUpdateEvent> events = watchMcpServers("agent");
    mcpServers().inNamespace("shop").resource(mcpServer("sentinel", "streamableHTTP", "https://s.example.com/mcp")).create();
    events.await(1);
    assertThat(events.summary()).containsExactly("CREATED sentinel");
  }

  @Test
  void aComponentWhoseSecretIsMissingIsNotSentAndTheWarningNamesTheSecret() {
    Events<ComponentUpdateEvent> events = watchComponents("cart");
    components().inNamespace("shop").resource(component("nosecret", "a:6379", null)).create();
    waiting().until(() -> logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("Secret shop/redis")));
    redisSecret("pw");
    components().inNamespace("shop").withName("nosecret").edit(c -> component("nosecret", "b:6379", null));
    events.await(1);
    assertThat(events.summary()).containsExactly("CREATED nosecret");
  }

  @Test
  void scopeChangesAreCreatedAndDeletedForTheAffectedCallerOnly() {
    redisSecret("pw");
    components().inNamespace("shop").resource(component("scoped", "h", List.of("orders"))).create();
    waiting().until(() -> clients.blocking(operator, "shop", "orders").listComponents(ListComponentsRequest.newBuilder().setNamespace("shop")
        .build()).getComponentsCount() == 1);
    Events<ComponentUpdateEvent> cart = watchComponents("cart");
    Events<ComponentUpdateEvent> orders = watchComponents("orders");
    components().inNamespace("shop").withName("scoped").edit(c -> component("scoped", "h", List.of("orders", "cart")));
    cart.await(1);
    components().inNamespace("shop").withName("scoped").edit(c -> component("scoped", "h", List.of("orders")));
    cart.await(2);
    orders.await(2);
    assertThat(cart.summary()).containsExactly("CREATED scoped", "DELETED scoped");
    assertThat(orders.summary()).containsExactly("UPDATED scoped", "UPDATED scoped");
  }

  private static Deployment deployment(String name, String appId, Map<String, String> matchLabels, boolean enabled) {
    return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata()
        .withNewSpec().withNewSelector().withMatchLabels(matchLabels).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(matchLabels)
        .withAnnotations(enabled ? Map.of("dapr.io/enabled", "true", "dapr.io/app-id", appId) : Map.of("dapr.io/app-id", appId))
        .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec().endTemplate()
        .endSpec().build();
  }

  private Service service(String name) {
    return client.services().inNamespace("shop").withName(name).get();
  }

  @Test
  void theLeaderKeepsTheAppIdDaprServiceOfADeploymentThroughItsChanges() {
    waiting().until(operator::isLeader);
    Deployment d = client.apps().deployments().inNamespace("shop").resource(deployment("cart", "cart", Map.of("app", "cart"), true)).create();
    waiting().until(() -> service("cart-dapr") != null);
    Service svc = service("cart-dapr");
    assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(svc.getSpec().getSelector()).isEqualTo(Map.of("app", "cart"));
    assertThat(svc.getMetadata().getLabels()).containsEntry("dapr.io/enabled", "true");
    assertThat(svc.getMetadata().getAnnotations()).containsEntry("dapr.io/app-id", "cart").containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "9090").containsEntry("prometheus.io/path", "/");
    assertThat(svc.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("Deployment");
      assertThat(o.getName()).isEqualTo("cart");
      assertThat(o.getUid()).isEqualTo(d.getMetadata().getUid());
      assertThat(o.getController()).isTrue();
    });
    assertThat(svc.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort, p -> p.getTargetPort().getIntVal())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("dapr-http", 80, 3500), org.assertj.core.groups.Tuple.tuple("dapr-grpc", 50001, 50001),
            org.assertj.core.groups.Tuple.tuple("dapr-internal", 50002, 50002), org.assertj.core.groups.Tuple.tuple("dapr-metrics", 9090, 9090));

    // matchLabels change → the selector follows
    client.apps().deployments().inNamespace("shop").withName("cart")
        .edit(x -> deployment("cart", "cart", Map.of("app", "cart", "tier", "web"), true));
    waiting().until(() -> Map.of("app", "cart", "tier", "web").equals(service("cart-dapr").getSpec().getSelector()));

    // app id change → the old Service goes, the new one comes
    client.apps().deployments().inNamespace("shop").withName("cart")
        .edit(x -> deployment("cart", "basket", Map.of("app", "cart", "tier", "web"), true));
    waiting().until(() -> service("basket-dapr") != null && service("cart-dapr") == null);

    // annotation gone → deleted
    client.apps().deployments().inNamespace("shop").withName("cart")
        .edit(x -> deployment("cart", "basket", Map.of("app", "cart", "tier", "web"), false));
    waiting().until(() -> service("basket-dapr") == null);
  }

  @Test
  void theDaprServiceOfAStatefulSetGoesWithIt() {
    waiting().until(operator::isLeader);
    Deployment template = deployment("db", "db", Map.of("app", "db"), true);
    StatefulSet s = new StatefulSetBuilder().withNewMetadata().withName("db").withNamespace("shop").endMetadata()
        .withNewSpec().withServiceName("db").withSelector(template.getSpec().getSelector()).withTemplate(template.getSpec().getTemplate())
        .endSpec().build();
    client.apps().statefulSets().inNamespace("shop").resource(s).create();
    waiting().until(() -> service("db-dapr") != null);
    assertThat(service("db-dapr").getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("StatefulSet");
    client.apps().statefulSets().inNamespace("shop").withName("db").delete();
    waiting().until(() -> service("db-dapr") == null);
  }

  @Test
  void theLeaseIsNamedOperatorDaprIoInTheControlPlaneNamespace() {
    waiting().until(operator::isLeader);
    assertThat(client.leases().inNamespace("dapr-system").withName("operator.dapr.io").get().getSpec().getHolderIdentity())
        .isEqualTo("dapr-operator-0");
  }
}
