package io.daprx.interop.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.common.dapr.ResourceKind;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.kube.ControlPlaneManifests;
import io.daprx.manager.kube.CrdSource;
import io.daprx.manager.kube.InstallSpec;
import io.daprx.manager.model.DaprSettings;
import io.daprx.operator.Operator;
import io.daprx.operator.OperatorOptions;
import io.daprx.proto.operator.v1.ComponentUpdateEvent;
import io.daprx.proto.operator.v1.ComponentUpdateRequest;
import io.daprx.proto.operator.v1.OperatorGrpc;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator in Kubernetes mode on a real API server, under the manager's RBAC as its own service account: informers
 * on the real CRDs (installed from the jar, accepted by the real schema validation) feed the sidecars' streams, the
 * {@code <app-id>-dapr} Service follows a Deployment, and two replicas elect a leader over a real Lease.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorKubeIT {

  static final String NS = "dapr-system";
  static final String APPS = "shop";
  static KubeApiServer kube;
  static KubernetesClient admin;
  static final List<AutoCloseable> closing = new ArrayList<>();
  static Operator operator;

  @BeforeAll
  static void start() {
    kube = KubeApiServer.start("operator");
    admin = kube.client();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(APPS).endMetadata().build()).create();
    InstallSpec spec = new InstallSpec(NS, DaprSettings.parse(Map.of()), new Release(Semver.parse("0.3.1"), "0.3.1", "1.18.2"), null);
    List<HasMetadata> installed = ControlPlaneManifests.steps(spec, CrdSource.classpath(OperatorKubeIT.class.getClassLoader())).stream()
        .filter(s -> s.name().equals("crds") || s.name().equals("rbac")).flatMap(s -> s.objects().stream()).toList();
    assertThat(installed).filteredOn(CustomResourceDefinition.class::isInstance).hasSize(ResourceKind.values().length);
    installed.forEach(o -> admin.resource(o).create());
    await().atMost(Duration.ofSeconds(30)).until(() -> admin.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
        .filter(c -> c.getSpec().getGroup().equals("dapr.io")).filter(c -> c.getStatus() != null && c.getStatus().getConditions().stream()
            .anyMatch(k -> k.getType().equals("Established") && k.getStatus().equals("True"))).count() == ResourceKind.values().length);
    operator = operator("dapr-operator-0");
  }

  @AfterAll
  static void stop() {
    Teardown.close(closing, kube);
  }

  /** A replica with its own client authenticated as the dapr-operator service account. */
  static Operator operator(String id) {
    String token = admin.serviceAccounts().inNamespace(NS).withName("dapr-operator")
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build()).getStatus().getToken();
    Config config = Config.fromKubeconfig(kube.kubeconfig());
    config.setOauthToken(token);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    closing.add(client);
    Operator o = new Operator(OperatorOptions.kubernetes().withPorts(0, 0, 0).withListenAddress("127.0.0.1").withId(id)
        .withLeaseDuration(Duration.ofSeconds(3)).withSentryTokenFile(null).withTls(false, null, null), Clock.systemUTC(), client, null).start();
    closing.add(o);
    await(id + " ready").atMost(Duration.ofSeconds(30)).until(o::ready);
    return o;
  }

  @Test
  @Order(1)
  void aComponentAppliedThroughTheApiServerReachesASubscribedSidecarStream() {
    ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + operator.port(), InsecureChannelCredentials.create()).build();
    closing.add(channel::shutdownNow);
    List<ComponentUpdateEvent> events = new CopyOnWriteArrayList<>();
    int before = operator.metrics().streamsOpen(ResourceKind.COMPONENT);
    OperatorGrpc.newStub(channel).componentUpdate(ComponentUpdateRequest.newBuilder().setNamespace(APPS).build(), new StreamObserver<>() {
      @Override
      public void onNext(ComponentUpdateEvent e) {
        events.add(e);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> operator.metrics().streamsOpen(ResourceKind.COMPONENT) > before);

    // as `kubectl apply -f statestore.yaml` sends it
    admin.resource("""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: statestore
          namespace: shop
        spec:
          type: state.redis
          version: v1
          metadata:
          - name: redisHost
            value: redis:6379
        """).create();

    await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
    String streamed = events.get(0).getComponent().toString(StandardCharsets.UTF_8);
    assertThat(streamed).contains("\"name\":\"statestore\"").contains("redis:6379");
  }

  @Test
  @Order(2)
  void theAppIdDaprServiceFollowsADeployment() {
    await().atMost(Duration.ofSeconds(20)).until(operator::isLeader);
    Deployment d = admin.apps().deployments().inNamespace(APPS).resource(deployment("cart", true)).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> service("cart-dapr") != null);
    Service svc = service("cart-dapr");
    assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(svc.getSpec().getSelector()).isEqualTo(Map.of("app", "cart"));
    assertThat(svc.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getUid()).isEqualTo(d.getMetadata().getUid()));

    admin.apps().deployments().inNamespace(APPS).withName("cart").edit(x -> deployment("cart", false));
    await().atMost(Duration.ofSeconds(20)).until(() -> service("cart-dapr") == null);
  }

  /** Last: it may stop the first replica. */
  @Test
  @Order(3)
  void theLeaderKeepsTheRealLeaseAndASecondReplicaTakesItWhenTheLeaderStops() throws Exception {
    Operator first = operator("dapr-operator-a");
    await().atMost(Duration.ofSeconds(20)).until(() -> admin.leases().inNamespace(NS).withName("operator.dapr.io").get() != null);
    Operator second = operator("dapr-operator-b");
    await().atMost(Duration.ofSeconds(20)).until(() -> first.isLeader() || second.isLeader() || operator.isLeader());
    // whoever holds it, the others follow; stop the holder and one of the others takes over the real Lease
    Operator holder = first.isLeader() ? first : second.isLeader() ? second : operator;
    // it keeps the lease past its duration: the renewals (PATCHes of the Lease) pass the real RBAC
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).until(holder::isLeader);
    String holderId = admin.leases().inNamespace(NS).withName("operator.dapr.io").get().getSpec().getHolderIdentity();
    holder.close();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      String now = admin.leases().inNamespace(NS).withName("operator.dapr.io").get().getSpec().getHolderIdentity();
      return now != null && !now.isEmpty() && !now.equals(holderId);
    });
    // the new holder's elector writes the Lease first and starts leading after: under load (58 here) that is not at once
    await("one of the others leads").atMost(Duration.ofSeconds(10)).until(
        () -> List.of(first, second, operator).stream().filter(o -> o != holder).filter(Operator::isLeader).count() == 1);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(
        () -> List.of(first, second, operator).stream().filter(o -> o != holder).filter(Operator::isLeader).count() == 1);
  }

  private static Service service(String name) {
    return admin.services().inNamespace(APPS).withName(name).get();
  }

  private static Deployment deployment(String name, boolean enabled) {
    Map<String, String> labels = Map.of("app", name);
    return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(APPS).endMetadata()
        .withNewSpec().withNewSelector().withMatchLabels(labels).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(labels)
        .withAnnotations(enabled ? Map.of("dapr.io/enabled", "true", "dapr.io/app-id", name) : Map.of("dapr.io/app-id", name))
        .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec().endTemplate()
        .endSpec().build();
  }
}
