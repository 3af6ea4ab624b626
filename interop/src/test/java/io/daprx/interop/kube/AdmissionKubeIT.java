package io.daprx.interop.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.injector.Injector;
import io.daprx.injector.InjectorOptions;
import io.daprx.injector.patch.SidecarSettings;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.kube.ControlPlaneManifests;
import io.daprx.manager.kube.CrdSource;
import io.daprx.manager.kube.InstallSpec;
import io.daprx.manager.model.DaprSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real admission chain: the API server calls our injector's webhook, registered as the manager renders it, over
 * HTTPS verified with the caBundle the injector itself keeps in the MutatingWebhookConfiguration.
 *
 * <p>How the API server reaches an injector on loopback: with a service reference it connects to the Service's
 * cluster IP, which only kube-proxy makes real. Here the Service {@code dapr-system/dapr-sidecar-injector} is an
 * {@code ExternalName} of {@code localhost} (the API server resolves such a Service to that host), and the webhook's
 * service port is the injector's free port instead of 443: the two things kube-proxy would have done. Everything else is
 * as installed, notably the TLS server name the API server checks ({@code dapr-sidecar-injector.dapr-system.svc}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionKubeIT {

  static final String NS = "dapr-system";
  static final String APPS = "apps";
  static final String SIDECAR_IMAGE = "ghcr.io/dapr/daprd:1.18.2";
  static KubeApiServer kube;
  static KubernetesClient client;
  static Injector injector;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    kube = KubeApiServer.start("admission");
    client = kube.client();
    TestCa anchors = new TestCa("dapr-trust-anchors");
    TestCa.Leaf serving = anchors.serving("dapr-sidecar-injector", List.of("dapr-sidecar-injector.dapr-system.svc"));
    Path anchorsFile = Files.writeString(dir.resolve("ca.crt"), anchors.certPem());
    Path cert = Files.writeString(dir.resolve("tls.crt"), serving.certPem());
    Path key = Files.writeString(dir.resolve("tls.key"), serving.keyPem());
    int port = freePort();

    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(APPS).endMetadata().build()).create();
    MutatingWebhookConfiguration webhook = rendered();
    webhook.getWebhooks().forEach(w -> w.getClientConfig().getService().setPort(port));
    client.resource(webhook).create();
    client.resource(new ServiceBuilder().withNewMetadata().withName("dapr-sidecar-injector").withNamespace(NS).endMetadata()
        .withNewSpec().withType("ExternalName").withExternalName("localhost").endSpec().build()).create();

    InjectorOptions options = new InjectorOptions("127.0.0.1", port, freePort(), -1, cert, key, "localhost:1", anchorsFile,
        InjectorOptions.Mode.KUBERNETES, SidecarSettings.defaults(SIDECAR_IMAGE, ""), List.of(), "dapr-sidecar-injector",
        Duration.ofSeconds(1), 0, null);
    // its own client: the injector closes it when it stops
    injector = new Injector(options, Clock.systemUTC(),
        () -> new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kube.kubeconfig())).build()).start();
    String bundle = Base64.getEncoder().encodeToString(anchors.certPem().getBytes(StandardCharsets.UTF_8));
    await("the injector writes its caBundle").atMost(Duration.ofSeconds(20)).until(() -> bundle.equals(
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("dapr-sidecar-injector").get().getWebhooks().get(0)
            .getClientConfig().getCaBundle()));
  }

  @AfterAll
  static void stop() {
    Teardown.close(injector, kube);
  }

  /** The webhook registration exactly as the manager installs it (no trust bundle given: the injector fills the caBundle). */
  static MutatingWebhookConfiguration rendered() {
    InstallSpec spec = new InstallSpec(NS, DaprSettings.parse(Map.of()), new Release(Semver.parse("0.3.1"), "0.3.1", "1.18.2"), null);
    return ControlPlaneManifests.render(spec, CrdSource.none()).stream().filter(MutatingWebhookConfiguration.class::isInstance)
        .map(MutatingWebhookConfiguration.class::cast).findFirst().orElseThrow();
  }

  @Test
  @Order(1)
  void anAnnotatedPodCreatedThroughTheApiServerIsStoredWithDaprdAndTheAppsPorts() {
    Pod stored = client.pods().inNamespace(APPS).resource(pod("annotated", Map.of("dapr.io/enabled", "true", "dapr.io/app-id", "orders",
        "dapr.io/app-port", "8080"))).create();

    assertThat(stored.getSpec().getContainers()).extracting(Container::getName).containsExactly("app", "daprd");
    Container daprd = stored.getSpec().getContainers().get(1);
    assertThat(daprd.getImage()).isEqualTo(SIDECAR_IMAGE);
    assertThat(daprd.getArgs()).contains("--app-id", "orders");
    assertThat(stored.getSpec().getContainers().get(0).getEnv()).extracting(EnvVar::getName).contains("DAPR_HTTP_PORT", "DAPR_GRPC_PORT");
  }

  @Test
  @Order(2)
  void aPodWithoutTheAnnotationIsStoredUntouched() {
    Pod stored = client.pods().inNamespace(APPS).resource(pod("plain", Map.of())).create();

    assertThat(stored.getSpec().getContainers()).extracting(Container::getName).containsExactly("app");
    assertThat(stored.getSpec().getContainers().get(0).getEnv()).isNullOrEmpty();
  }

  @Test
  @Order(3)
  void withTheInjectorDownFailurePolicyIgnoreLetsAnAnnotatedPodThroughWithoutASidecar() {
    injector.close();
    injector = null;

    Pod stored = client.pods().inNamespace(APPS).resource(pod("while-down", Map.of("dapr.io/enabled", "true", "dapr.io/app-id", "late")))
        .create();

    assertThat(stored.getSpec().getContainers()).extracting(Container::getName).containsExactly("app");
  }

  private static Pod pod(String name, Map<String, String> annotations) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(APPS).withAnnotations(annotations).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("registry.example/app:1").endContainer().endSpec().build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
