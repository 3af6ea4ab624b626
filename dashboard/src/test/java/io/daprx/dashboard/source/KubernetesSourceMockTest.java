package io.daprx.dashboard.source;

import io.daprx.common.dapr.ResourceKind;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.common.pki.Pem;
import io.daprx.common.pki.TestPki;
import io.daprx.dashboard.api.DashboardData;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes mode against the fabric8 CRUD API server: the control plane's pods by their labels, dapr-enabled
 * workloads with their injection state, the Dapr resources (redacted), the trust bundle and the extension's ConfigMap;
 * a Secret's value never reaches what the dashboard shows.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesSourceMockTest {

  KubernetesMockServer server;
  KubernetesClient client;
  KubernetesSource source;
  final TestPki pki = new TestPki("cluster root");

  @BeforeEach
  void cluster() {
    source = new KubernetesSource(client, "dapr-system", 8080, 9090);
    client.pods().inNamespace("dapr-system").resource(controlPlanePod("dapr-sentry-7d9f-abcde", "dapr-sentry", "sentry", true, 0)).create();
    client.pods().inNamespace("dapr-system").resource(controlPlanePod("dapr-placement-server-0", "dapr-placement-server", "placement", false, 4))
        .create();
    client.pods().inNamespace("dapr-system").resource(new PodBuilder().withNewMetadata().withName("unrelated").withLabels(Map.of("app", "other"))
        .endMetadata().withNewSpec().addNewContainer().withName("x").endContainer().endSpec().build()).create();
    client.configMaps().inNamespace("dapr-system").resource(new ConfigMapBuilder().withNewMetadata().withName("dapr-trust-bundle").endMetadata()
        .addToData("ca.crt", Pem.encodeCertificate(pki.root())).build()).create();
    client.secrets().inNamespace("dapr-system").resource(new SecretBuilder().withNewMetadata().withName("dapr-trust-bundle").endMetadata()
        .addToStringData("issuer.key", "TOP-SECRET-KEY").build()).create();
    client.secrets().inNamespace("shop").resource(new SecretBuilder().withNewMetadata().withName("redis").endMetadata()
        .addToStringData("password", "TOP-SECRET-PASSWORD").build()).create();

    client.apps().deployments().inNamespace("shop").resource(new DeploymentBuilder().withNewMetadata().withName("cart").endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", "cart").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "cart")
        .addToAnnotations(Map.of("dapr.io/enabled", "true", "dapr.io/app-id", "cart", "dapr.io/app-port", "3000")).endMetadata()
        .withNewSpec().addNewContainer().withName("cart").endContainer().endSpec().endTemplate().endSpec().build()).create();
    client.pods().inNamespace("shop").resource(appPod("cart-5f7-x1", "cart", true)).create();
    client.apps().deployments().inNamespace("shop").resource(new DeploymentBuilder().withNewMetadata().withName("plain").endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", "plain").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "plain").endMetadata()
        .withNewSpec().addNewContainer().withName("plain").endContainer().endSpec().endTemplate().endSpec().build()).create();
    client.pods().inNamespace("shop").resource(appPod("lonely", "lonely", false)).create();

    ResourceDefinitionContext components = new ResourceDefinitionContext.Builder().withGroup("dapr.io").withVersion("v1alpha1")
        .withKind("Component").withPlural("components").withNamespaced(true).build();
    GenericKubernetesResource statestore = new GenericKubernetesResource();
    statestore.setApiVersion("dapr.io/v1alpha1");
    statestore.setKind("Component");
    statestore.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("statestore").withNamespace("shop").build());
    statestore.setAdditionalProperty("spec", Map.of("type", "state.redis", "version", "v1", "metadata", java.util.List.of(
        Map.of("name", "redisHost", "value", "redis:6379"),
        Map.of("name", "redisPassword", "value", "INLINE-SECRET"),
        Map.of("name", "authToken", "secretKeyRef", Map.of("name", "redis", "key", "password")))));
    client.genericKubernetesResources(components).inNamespace("shop").resource(statestore).create();
  }

  static Pod controlPlanePod(String name, String workload, String component, boolean ready, int restarts) {
    return new PodBuilder().withNewMetadata().withName(name)
        .withLabels(Map.of("app", workload, "app.kubernetes.io/name", workload, "app.kubernetes.io/component", component,
            "app.kubernetes.io/version", "1.16.2"))
        .endMetadata()
        .withNewSpec().addNewContainer().withName(workload).endContainer().endSpec()
        .withNewStatus().withPhase("Running").withPodIP("10.1.0." + (restarts + 7))
        .addNewContainerStatus().withName(workload).withReady(ready).withRestartCount(restarts)
        .withNewState().withNewWaiting().withReason(ready ? null : "CrashLoopBackOff").endWaiting().endState().endContainerStatus()
        .endStatus().build();
  }

  static Pod appPod(String name, String app, boolean withSidecar) {
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withLabels(Map.of("app", app))
        .withAnnotations(Map.of("dapr.io/enabled", "true", "dapr.io/app-id", app)).endMetadata()
        .withNewSpec().addNewContainer().withName(app).endContainer().endSpec();
    b.withNewStatus().withPhase("Running").addNewContainerStatus().withName(app).withReady(true).endContainerStatus().endStatus();
    if (withSidecar) {
      b.editSpec().addNewContainer().withName("daprd").endContainer().endSpec()
          .editStatus().addNewContainerStatus().withName("daprd").withReady(true).endContainerStatus().endStatus();
    }
    return b.build();
  }

  @Test
  void controlPlanePodsAppsAndTrustBundleComeFromTheApiServer() {
    Snapshot s = source.snapshot();
    assertThat(s.problems()).isEmpty();
    assertThat(s.pods()).extracting(PodView::name).containsExactly("dapr-sentry-7d9f-abcde", "dapr-placement-server-0");
    PodView placement = s.pods().get(1);
    assertThat(placement.component()).isEqualTo("placement");
    assertThat(placement.status()).isEqualTo("CrashLoopBackOff");
    assertThat(placement.restarts()).isEqualTo(4);
    assertThat(placement.isReady()).isFalse();
    assertThat(placement.version()).isEqualTo("1.16.2");
    assertThat(placement.healthz()).isEqualTo("10.1.0.11:8080");
    assertThat(s.pods().get(0).metrics()).isEqualTo("10.1.0.7:9090");
    assertThat(s.trustAnchorsPem()).contains("BEGIN CERTIFICATE");

    assertThat(s.workloads()).extracting(AppView::workload).containsExactly("Deployment/cart", "Pod/lonely");
    AppView cart = s.workloads().get(0);
    assertThat(cart.appId()).isEqualTo("cart");
    assertThat(cart.appPort()).isEqualTo("3000");
    assertThat(cart.injected()).isTrue();
    assertThat(cart.ready()).isEqualTo("1/1");
    assertThat(s.workloads().get(1).injected()).isFalse();
    assertThat(s.extension()).isNull();
  }

  @Test
  void theExtensionIsReadFromItsConfigMapOrReportedMissing() {
    DashboardData data = new DashboardData(source, "dapr-system", 100, Duration.ofDays(30), Duration.ofSeconds(1), Clock.systemUTC());
    assertThat(data.extension().path("reported").asBoolean()).isFalse();
    client.configMaps().inNamespace("dapr-system").resource(new ConfigMapBuilder().withNewMetadata().withName("daprx-extension").endMetadata()
        .addToData("extension.json", """
            {"name":"dapr","properties":{"version":"1.16.2","releaseTrain":"stable","autoUpgradeMinorVersion":true,
             "provisioningState":"Succeeded","statuses":[]}}""")
        .addToData("operations.json", """
            [{"name":"op1","status":"Succeeded","startTime":"2026-01-01T00:00:00Z","properties":{"operation":"upgrade",
             "fromVersion":"1.15.9","toVersion":"1.16.2"}}]""")
        .build()).create();
    JsonNode ext = data.extension();
    assertThat(ext.path("reported").asBoolean()).isTrue();
    assertThat(ext.path("version").asText()).isEqualTo("1.16.2");
    assertThat(ext.path("operations").path(0).path("toVersion").asText()).isEqualTo("1.16.2");
  }

  @Test
  void resourcesAreListedRedactedAndNoSecretValueIsEverReturned() throws InterruptedException {
    DashboardData data = new DashboardData(source, "dapr-system", 100, Duration.ofDays(30), Duration.ofSeconds(1), Clock.systemUTC());
    JsonNode list = data.resources(ResourceKind.COMPONENT, null);
    assertThat(list.path("items")).hasSize(1);
    assertThat(list.path("items").path(0).path("type").asText()).isEqualTo("state.redis");
    JsonNode one = data.resource(ResourceKind.COMPONENT, "shop", "statestore");
    assertThat(one.toString()).contains("redis:6379").contains("\"secretKeyRef\"").doesNotContain("INLINE-SECRET");
    assertThat(data.resources(ResourceKind.SUBSCRIPTION, "shop").path("items")).isEmpty();
    String everything = list.toString() + one + data.controlPlane() + data.apps() + data.extension();
    assertThat(everything).doesNotContain("TOP-SECRET").doesNotContain("INLINE-SECRET");
    // nothing the dashboard asked for was a Secret
    assertThat(server.getRequestCount()).isPositive();
    for (int i = 0, n = server.getRequestCount(); i < n; i++) {
      var request = server.takeRequest();
      if (request.getPath().contains("/secrets")) {
        assertThat(request.getMethod()).as("only the test's own writes touch Secrets").isEqualTo("POST");
      }
    }
  }
}
