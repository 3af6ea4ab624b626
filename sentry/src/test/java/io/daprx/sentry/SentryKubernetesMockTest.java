package io.daprx.sentry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.sentry.validator.FakeKubeAuthenticator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sentry in Kubernetes mode against the fabric8 CRUD API server: trust bundle in the Secret, identities proven by TokenReview. */
@EnableKubernetesMockClient(crud = true)
class SentryKubernetesMockTest {

  KubernetesMockServer server;
  KubernetesClient client;

  private final FakeKubeAuthenticator apiServer = new FakeKubeAuthenticator(Clock.systemUTC());
  private Sentry sentry;

  @BeforeEach
  void setUp() {
    apiServer.install(server);
  }

  @AfterEach
  void tearDown() {
    if (sentry != null) {
      sentry.close();
    }
  }

  private SentryOptions kubernetesMode() {
    return new SentryOptions("127.0.0.1", 0, 0, 0, null, "cluster.local", "dapr-system", SentryOptions.Mode.KUBERNETES,
        Duration.ofHours(24), Duration.ofMinutes(15), null, Set.of(), null, Duration.ofSeconds(5), Duration.ofDays(30),
        io.daprx.common.pki.CryptoProviders.Preference.AUTO, null);
  }

  private List<X509Certificate> anchorsFromConfigMap() {
    ConfigMap cm = client.configMaps().inNamespace("dapr-system").withName("dapr-trust-bundle").get();
    return Pem.parseCertificates(cm.getData().get("ca.crt"));
  }

  @Test
  void generatesTheTrustBundleIntoSecretAndConfigMapAndIssuesToProvenPods() throws Exception {
    sentry = new Sentry(kubernetesMode(), Clock.systemUTC(), null, client).start();

    Secret secret = client.secrets().inNamespace("dapr-system").withName("dapr-trust-bundle").get();
    assertThat(secret.getData()).containsKeys("ca.crt", "issuer.crt", "issuer.key");
    String caFromSecret = new String(Base64.getDecoder().decode(secret.getData().get("ca.crt")), StandardCharsets.US_ASCII);
    assertThat(Pem.parseCertificates(caFromSecret)).isEqualTo(anchorsFromConfigMap());

    Pod pod = client.pods().inNamespace("shop").resource(new PodBuilder()
        .withNewMetadata().withName("cart-7d9f").withNamespace("shop").withAnnotations(Map.of("dapr.io/app-id", "cart")).endMetadata()
        .withNewSpec().withServiceAccountName("cart").addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
        .build()).create();
    String token = apiServer.token("shop", "cart", "cart-7d9f").withPodUid(pod.getMetadata().getUid()).jwt();

    // UNKNOWN validator (older sidecars) means KUBERNETES in this mode
    try (SvidClient c = SvidClient.connect(new SvidClient.Options("127.0.0.1:" + sentry.port(),
        SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry"), "cart", "shop", "", TokenValidator.UNKNOWN, () -> token,
        KeyAlgorithm.ED25519, Duration.ofSeconds(3), 1), anchorsFromConfigMap(), Clock.systemUTC()).start()) {
      assertThat(c.current().id()).isEqualTo(SpiffeId.of("public", "shop", "cart"));
    }

    // the same token cannot buy another app's identity, and INSECURE is off in this mode
    try (SvidClient other = SvidClient.connect(new SvidClient.Options("127.0.0.1:" + sentry.port(),
        SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry"), "checkout", "shop", "", TokenValidator.KUBERNETES, () -> token,
        KeyAlgorithm.ED25519, Duration.ofSeconds(3), 1), anchorsFromConfigMap(), Clock.systemUTC())) {
      assertThatThrownBy(other::start).hasMessageContaining("PERMISSION_DENIED");
    }
    try (SvidClient insecure = SvidClient.connect(new SvidClient.Options("127.0.0.1:" + sentry.port(),
        SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry"), "cart", "shop", "", TokenValidator.INSECURE, null,
        KeyAlgorithm.ED25519, Duration.ofSeconds(3), 1), anchorsFromConfigMap(), Clock.systemUTC())) {
      assertThatThrownBy(insecure::start).hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("not enabled");
    }
  }

  @Test
  void aSecondReplicaUsesTheBundleTheFirstStored() {
    sentry = new Sentry(kubernetesMode(), Clock.systemUTC(), null, client).start();
    try (Sentry second = new Sentry(kubernetesMode(), Clock.systemUTC(), null, client).start()) {
      assertThat(second.ca().get().issuer()).isEqualTo(sentry.ca().get().issuer());
    }
  }

  @Test
  void anEmptiedSecretWhileTheTrustAnchorsArePublishedStopsStartUpInsteadOfMakingANewRoot() {
    client.configMaps().inNamespace("dapr-system").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("dapr-trust-bundle").withNamespace("dapr-system").endMetadata()
        .addToData("ca.crt", io.daprx.common.trust.CaBundles.generate("cluster.local", "dapr-system",
            io.daprx.common.trust.CaBundles.DEFAULT_CA_TTL, Clock.systemUTC()).trustAnchorsPem())
        .build()).create();

    assertThatThrownBy(() -> new Sentry(kubernetesMode(), Clock.systemUTC(), null, client).start())
        .isInstanceOf(io.daprx.common.trust.CaBundleException.class)
        .hasMessageContaining("no CA bundle in Secret dapr-system/dapr-trust-bundle")
        .hasMessageContaining("ConfigMap dapr-system/dapr-trust-bundle still holds the trust anchors")
        .hasMessageContaining("Restore ca.crt, issuer.crt and issuer.key from a backup");
    assertThat(client.secrets().inNamespace("dapr-system").withName("dapr-trust-bundle").get()).as("no new root was stored").isNull();
  }
}
