package io.daprx.interop.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.daprx.common.pki.CryptoProviders;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.kube.ControlPlaneManifests;
import io.daprx.manager.kube.CrdSource;
import io.daprx.manager.kube.InstallSpec;
import io.daprx.manager.model.DaprSettings;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.sentry.Sentry;
import io.daprx.sentry.SentryOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Instant;
import java.util.Date;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sentry in Kubernetes mode on a real API server: its identity checks go through a real TokenReview of tokens the API
 * server issued by TokenRequest (as the kubelet does for daprd's projected volume, with WIRE.md's audiences), and sentry
 * runs as its own service account under the RBAC the manager installs, not as an admin. An expired token, which
 * TokenRequest will not issue, is the API server's own token re-signed with its key and a past expiry.
 */
class SentryTokenReviewKubeIT {

  static final String NS = "dapr-system";
  static final String APPS = "shop";
  static final SpiffeId SENTRY_ID = SpiffeId.of("cluster.local", NS, "dapr-sentry");
  static final List<String> SENTRY_AUDIENCES = List.of("dapr.io/sentry", SENTRY_ID.toString());
  static KubeApiServer kube;
  static KubernetesClient admin;
  static KubernetesClient asSentry;
  static Sentry sentry;
  static Pod cart;

  @BeforeAll
  static void start() {
    kube = KubeApiServer.start("sentry");
    admin = kube.client();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(APPS).endMetadata().build()).create();
    // the RBAC objects (service accounts, roles, bindings) and the trust bundle objects sentry fills (it may not create
    // them), exactly as the manager installs them
    InstallSpec spec = new InstallSpec(NS, DaprSettings.parse(Map.of()), new Release(Semver.parse("0.3.1"), "0.3.1", "1.18.2"), null);
    List<HasMetadata> installed = ControlPlaneManifests.steps(spec, CrdSource.none()).stream()
        .filter(s -> s.name().equals("rbac") || s.name().equals("trust-bundle")).flatMap(s -> s.objects().stream()).toList();
    installed.forEach(o -> admin.resource(o).create());
    String sentryToken = admin.serviceAccounts().inNamespace(NS).withName("dapr-sentry")
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build()).getStatus().getToken();
    Config config = Config.fromKubeconfig(kube.kubeconfig());
    config.setOauthToken(sentryToken);
    asSentry = new KubernetesClientBuilder().withConfig(config).build();

    for (String app : List.of("cart", "checkout")) {
      admin.serviceAccounts().inNamespace(APPS).resource(new ServiceAccountBuilder().withNewMetadata().withName(app).endMetadata().build())
          .create();
    }
    cart = pod("cart-7d9f", "cart");
    pod("checkout-5c1a", "checkout");
    sentry = new Sentry(new SentryOptions("127.0.0.1", 0, 0, 0, null, "cluster.local", NS, SentryOptions.Mode.KUBERNETES,
        Duration.ofHours(24), Duration.ofMinutes(15), null, Set.of(), null, Duration.ofSeconds(5), Duration.ofDays(30),
        CryptoProviders.Preference.AUTO, null), Clock.systemUTC(), null, asSentry).start();
  }

  @AfterAll
  static void stop() {
    Teardown.close(sentry, asSentry, kube);
  }

  @Test
  void aTokenRequestedWithSentrysAudiencesForAPodOfTheAccountGetsACertificateForThatPodsAppId() throws Exception {
    String token = token("cart", cart, SENTRY_AUDIENCES);
    try (SvidClient c = client("cart", token).start()) {
      assertThat(c.current().id()).isEqualTo(SpiffeId.of("public", APPS, "cart"));
    }
  }

  @Test
  void theSameTokenCannotBuyAnotherPodsAppId() {
    String token = token("cart", cart, SENTRY_AUDIENCES);
    try (SvidClient c = client("checkout", token)) {
      assertThatThrownBy(c::start).hasMessageContaining("PERMISSION_DENIED");
    }
  }

  @Test
  void aTokenForAnotherAudienceIsRefused() {
    String token = token("cart", cart, List.of("vault"));
    try (SvidClient c = client("cart", token)) {
      assertThatThrownBy(c::start).hasMessageContaining("PERMISSION_DENIED");
    }
  }

  @Test
  void aTokenWhosePodIsGoneIsRefused() {
    Pod doomed = pod("cart-old", "cart");
    String token = token("cart", doomed, SENTRY_AUDIENCES);
    admin.pods().inNamespace(APPS).withName("cart-old").withGracePeriod(0).delete();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> admin.pods().inNamespace(APPS).withName("cart-old").get() == null);

    try (SvidClient c = client("cart-old", token)) {
      assertThatThrownBy(c::start).hasMessageContaining("PERMISSION_DENIED");
    }
  }

  @Test
  void anExpiredTokenIsRefusedThoughEveryOtherClaimIsAsTheApiServerWroteIt() throws Exception {
    String issued = token("cart", cart, SENTRY_AUDIENCES);
    // the API server's own claims (issuer, audiences, the pod binding) re-signed with its key: accepted while the token
    // is current, so what the refusal below is about is the expiry alone
    try (SvidClient c = client("cart", withLifetime(issued, Instant.now().minusSeconds(60), Duration.ofMinutes(10))).start()) {
      assertThat(c.current().id()).isEqualTo(SpiffeId.of("public", APPS, "cart"));
    }

    String expired = withLifetime(issued, Instant.now().minus(Duration.ofHours(2)), Duration.ofMinutes(10));
    try (SvidClient c = client("cart", expired)) {
      assertThatThrownBy(c::start).hasMessageContaining("PERMISSION_DENIED");
    }
  }

  /**
   * The token's claims and key id unchanged but for iat/nbf = {@code issuedAt} and exp = {@code issuedAt + lifetime},
   * signed with the API server's service-account key (TokenRequest issues nothing shorter than 600 s, nor in the past).
   */
  private static String withLifetime(String token, Instant issuedAt, Duration lifetime) throws Exception {
    SignedJWT original = SignedJWT.parse(token);
    JWTClaimsSet claims = new JWTClaimsSet.Builder(original.getJWTClaimsSet()).issueTime(Date.from(issuedAt)).notBeforeTime(Date.from(issuedAt))
        .expirationTime(Date.from(issuedAt.plus(lifetime))).build();
    SignedJWT resigned = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(original.getHeader().getKeyID()).build(), claims);
    resigned.sign(new ECDSASigner((ECPrivateKey) kube.serviceAccountKeys().getPrivate()));
    return resigned.serialize();
  }

  private static Pod pod(String name, String app) {
    return admin.pods().inNamespace(APPS).resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(APPS)
        .withAnnotations(Map.of("dapr.io/app-id", app)).endMetadata()
        .withNewSpec().withServiceAccountName(app).addNewContainer().withName("app").withImage("app:1").endContainer().endSpec().build()).create();
  }

  /** What the kubelet mounts for daprd: a token of the pod's service account, bound to the pod, with these audiences. */
  private static String token(String serviceAccount, Pod pod, List<String> audiences) {
    return admin.serviceAccounts().inNamespace(APPS).withName(serviceAccount).tokenRequest(new TokenRequestBuilder().withNewSpec()
        .withAudiences(audiences).withExpirationSeconds(600L).withNewBoundObjectRef().withKind("Pod").withApiVersion("v1")
        .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).endBoundObjectRef().endSpec().build()).getStatus().getToken();
  }

  private static SvidClient client(String appId, String token) {
    List<X509Certificate> anchors = Pem.parseCertificates(
        admin.configMaps().inNamespace(NS).withName("dapr-trust-bundle").get().getData().get("ca.crt"));
    return SvidClient.connect(new SvidClient.Options("127.0.0.1:" + sentry.port(), SENTRY_ID, appId, APPS, "", TokenValidator.KUBERNETES,
        () -> token, KeyAlgorithm.ED25519, Duration.ofSeconds(3), 1), anchors, Clock.systemUTC());
  }
}
