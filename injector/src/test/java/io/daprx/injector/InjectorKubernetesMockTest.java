package io.daprx.injector;

import static io.daprx.injector.webhook.Reviews.DEPLOYMENT_CONTROLLER;
import static io.daprx.injector.webhook.Reviews.bytes;
import static io.daprx.injector.webhook.Reviews.review;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.common.pki.Pem;
import io.daprx.common.pki.TestPki;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.Svid;
import io.daprx.injector.patch.Pods;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes mode against the fabric8 CRUD API server: the injector keeps the webhook configuration's caBundle equal
 * to the trust anchors file, waits for a missing object, and serves from PEM files it reloads when they change.
 */
@EnableKubernetesMockClient(crud = true)
class InjectorKubernetesMockTest {

  KubernetesMockServer server;
  KubernetesClient client;

  @TempDir
  Path dir;

  Injector injector;

  @AfterEach
  void stop() {
    if (injector != null) {
      injector.close();
    }
  }

  static String b64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }

  static MutatingWebhook webhook(String name) {
    return new MutatingWebhookBuilder().withName(name).withNewClientConfig().withNewService().withName("dapr-sidecar-injector")
        .withNamespace("dapr-system").withPath("/mutate").withPort(443).endService().endClientConfig()
        .withSideEffects("None").withAdmissionReviewVersions("v1").withFailurePolicy("Ignore").build();
  }

  MutatingWebhookConfiguration current() {
    return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("dapr-sidecar-injector").get();
  }

  List<String> bundles() {
    MutatingWebhookConfiguration m = current();
    return m == null ? List.of() : m.getWebhooks().stream().map(w -> String.valueOf(w.getClientConfig().getCaBundle())).toList();
  }

  Path writeTls(TestPki pki, String name) throws Exception {
    Svid leaf = pki.issue(SpiffeId.of("cluster.local", "dapr-system", "dapr-injector"));
    Files.writeString(dir.resolve(name + ".crt"), Pem.encodeCertificates(leaf.chain()));
    Files.writeString(dir.resolve(name + ".key"), Pem.encodePrivateKey(leaf.privateKey()));
    return dir.resolve(name + ".crt");
  }

  Injector startInjector(Path anchors) {
    InjectorOptions o = InjectorOptions.defaults(io.daprx.injector.patch.Pods.IMAGE).withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withTlsFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"), anchors)
        .withMode(InjectorOptions.Mode.KUBERNETES).withAnchorsCheckInterval(Duration.ofMillis(100));
    return new Injector(o, Clock.systemUTC(), () -> client).start();
  }

  @Test
  void caBundleFollowsTheAnchorsFileOnEveryWebhook() throws Exception {
    TestPki pki = new TestPki("cluster.local");
    writeTls(pki, "tls");
    Path anchors = dir.resolve("ca.crt");
    String first = Pem.encodeCertificate(pki.root());
    Files.writeString(anchors, first);
    client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(new MutatingWebhookConfigurationBuilder()
        .withNewMetadata().withName("dapr-sidecar-injector").endMetadata()
        .withWebhooks(webhook("sidecar-injector.dapr.io"), webhook("second.dapr.io")).build()).create();

    injector = startInjector(anchors);
    await().atMost(Duration.ofSeconds(10)).until(() -> bundles().equals(List.of(b64(first), b64(first))));
    assertThat(current().getWebhooks().get(0).getClientConfig().getService().getPath()).as("the rest is untouched").isEqualTo("/mutate");

    String second = Pem.encodeCertificates(List.of(new TestPki("new-root").root(), pki.root()));
    Files.writeString(anchors, second);
    await().atMost(Duration.ofSeconds(10)).until(() -> bundles().equals(List.of(b64(second), b64(second))));
    assertThat(injector.sidecarSettings().trustAnchorsPem()).isEqualTo(second);

    // someone resets it: the injector puts it back
    client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("dapr-sidecar-injector")
        .edit(m -> {
          m.getWebhooks().get(1).getClientConfig().setCaBundle(null);
          return m;
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> bundles().equals(List.of(b64(second), b64(second))));
  }

  @Test
  void missingWebhookConfigurationIsWaitedForWithoutFailing() throws Exception {
    TestPki pki = new TestPki("cluster.local");
    writeTls(pki, "tls");
    Path anchors = dir.resolve("ca.crt");
    String pem = Pem.encodeCertificate(pki.root());
    Files.writeString(anchors, pem);
    injector = startInjector(anchors);

    TlsClient tls = new TlsClient(pki.anchors(), null, injector.port());
    assertThat(tls.post(bytes(review("u", Pods.barePod("w"), "default", DEPLOYMENT_CONTROLLER))).status())
        .as("the webhook serves while the object is missing").isEqualTo(200);
    assertThat(current()).isNull();

    client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(new MutatingWebhookConfigurationBuilder()
        .withNewMetadata().withName("dapr-sidecar-injector").endMetadata()
        .withWebhooks(webhook("sidecar-injector.dapr.io")).build()).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> bundles().equals(List.of(b64(pem))));
  }

  @Test
  void servingCertificateFilesAreReloadedWhenTheyChange() throws Exception {
    TestPki pki = new TestPki("cluster.local");
    Path anchors = dir.resolve("ca.crt");
    Files.writeString(anchors, Pem.encodeCertificate(pki.root()));
    writeTls(pki, "tls");
    InjectorOptions o = InjectorOptions.defaults(io.daprx.injector.patch.Pods.IMAGE).withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withTlsFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"), anchors);
    injector = new Injector(o, Clock.systemUTC()).start();
    TlsClient tls = new TlsClient(pki.anchors(), null, injector.port());
    java.math.BigInteger before = tls.request("GET", "/mutate", null).peer().getSerialNumber();

    writeTls(pki, "next");
    Files.move(dir.resolve("next.key"), dir.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.move(dir.resolve("next.crt"), dir.resolve("tls.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    // a fresh client each time: a resumed TLS session would show the certificate of the first handshake
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
        !new TlsClient(pki.anchors(), null, injector.port()).request("GET", "/mutate", null).peer().getSerialNumber().equals(before));
  }
}
