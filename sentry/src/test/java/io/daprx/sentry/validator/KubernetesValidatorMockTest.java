package io.daprx.sentry.validator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesValidatorMockTest {

  static final SpiffeId SENTRY = SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry");
  static final ResourceDefinitionContext CONFIGURATIONS = new ResourceDefinitionContext.Builder()
      .withGroup("dapr.io").withVersion("v1alpha1").withKind("Configuration").withPlural("configurations").withNamespaced(true).build();

  KubernetesMockServer server;
  KubernetesClient client;

  final FakeKubeAuthenticator apiServer = new FakeKubeAuthenticator(Clock.systemUTC());
  KubernetesValidator validator;

  @BeforeEach
  void setUp() {
    apiServer.install(server);
    validator = new KubernetesValidator(client, SENTRY, "dapr-system", "cluster.local");
  }

  @Test
  void tokenOfThePodProvesThePodNameInThePublicTrustDomain() throws Exception {
    Pod pod = pod("shop", "cart-7d9f", "cart", Map.of());

    SpiffeId id = validator.validate(request("shop", "cart-7d9f", tokenOf(pod)));

    assertThat(id).isEqualTo(SpiffeId.of("public", "shop", "cart-7d9f"));
  }

  @Test
  void appIdAnnotationIsTheIdentityThePodMayAskFor() throws Exception {
    Pod pod = pod("shop", "cart-7d9f", "cart", Map.of("dapr.io/app-id", "cart"));

    assertThat(validator.validate(request("shop", "cart", tokenOf(pod)))).isEqualTo(SpiffeId.of("public", "shop", "cart"));
    assertThat(refused(request("shop", "cart-7d9f", tokenOf(pod)))).hasMessage("pod identity does not match the requested id");
  }

  @Test
  void trustDomainComesFromTheConfigurationNamedByThePod() throws Exception {
    configuration("shop", "appconfig", Map.of("accessControl", Map.of("trustDomain", "shop.example")));
    Pod pod = pod("shop", "cart-7d9f", "cart", Map.of("dapr.io/app-id", "cart", "dapr.io/config", "appconfig"));

    assertThat(validator.validate(request("shop", "cart", tokenOf(pod)))).isEqualTo(SpiffeId.of("shop.example", "shop", "cart"));
  }

  @Test
  void missingConfigurationOrTrustDomainMeansPublic() throws Exception {
    configuration("shop", "tracing-only", Map.of("tracing", Map.of("samplingRate", "1")));
    Pod noConfig = pod("shop", "cart-1", "cart", Map.of("dapr.io/app-id", "cart", "dapr.io/config", "does-not-exist"));
    Pod noTd = pod("shop", "orders-1", "orders", Map.of("dapr.io/app-id", "orders", "dapr.io/config", "tracing-only"));

    assertThat(validator.validate(request("shop", "cart", tokenOf(noConfig))).trustDomain()).isEqualTo("public");
    assertThat(validator.validate(request("shop", "orders", tokenOf(noTd))).trustDomain()).isEqualTo("public");
  }

  @Test
  void requestedTrustDomainOfAnAppIsIgnored() throws Exception {
    Pod pod = pod("shop", "cart-7d9f", "cart", Map.of("dapr.io/app-id", "cart"));

    SignCertificateRequest req = request("shop", "cart", tokenOf(pod)).toBuilder().setTrustDomain("cluster.local").build();

    assertThat(validator.validate(req).trustDomain()).isEqualTo("public");
  }

  @Test
  void controlPlanePodGetsItsDaprIdInTheControlPlaneTrustDomain() throws Exception {
    Pod pod = pod("dapr-system", "dapr-placement-server-0", "dapr-placement", Map.of("dapr.io/control-plane", "placement"));

    assertThat(validator.validate(request("dapr-system", "dapr-placement", tokenOf(pod))))
        .isEqualTo(SpiffeId.of("cluster.local", "dapr-system", "dapr-placement"));
    SignCertificateRequest withTd = request("dapr-system", "dapr-placement", tokenOf(pod)).toBuilder().setTrustDomain("example.org").build();
    assertThat(validator.validate(withTd)).isEqualTo(SpiffeId.of("example.org", "dapr-system", "dapr-placement"));
  }

  @Test
  void expiredTokenIsRefused() {
    Pod pod = pod("shop", "cart-7d9f", "cart", Map.of());
    String token = apiServer.token("shop", "cart", "cart-7d9f").withPodUid(pod.getMetadata().getUid())
        .expiringAt(java.time.Instant.now().minusSeconds(60)).jwt();

    assertThat(refused(request("shop", "cart-7d9f", token))).hasMessage("token is not valid");
  }

  @Test
  void tokenSignedByAnotherKeyIsRefused() {
    Pod pod = pod("shop", "cart-7d9f", "cart", Map.of());
    String forged = apiServer.token("shop", "cart", "cart-7d9f").withPodUid(pod.getMetadata().getUid())
        .signedBy(FakeKubeAuthenticator.generateKey()).jwt();

    assertThat(refused(request("shop", "cart-7d9f", forged))).hasMessage("token is not valid");
  }

  @Test
  void tokenForAnotherAudienceIsRefused() {
    Pod pod = pod("shop", "cart-7d9f", "cart", Map.of());
    String token = apiServer.token("shop", "cart", "cart-7d9f").withPodUid(pod.getMetadata().getUid())
        .withAudiences("https://kubernetes.default.svc.cluster.local").jwt();

    assertThat(refused(request("shop", "cart-7d9f", token))).hasMessage("token is not valid");
  }

  @Test
  void daprSentryAudienceAloneIsAccepted() throws Exception {
    Pod pod = pod("shop", "cart-7d9f", "cart", Map.of());
    String token = apiServer.token("shop", "cart", "cart-7d9f").withPodUid(pod.getMetadata().getUid()).withAudiences("dapr.io/sentry").jwt();

    assertThat(validator.validate(request("shop", "cart-7d9f", token)).appId()).isEqualTo("cart-7d9f");
  }

  @Test
  void tokenOfAnotherPodCannotClaimThatPodsAppId() {
    pod("shop", "cart-1", "shop", Map.of("dapr.io/app-id", "cart"));
    Pod orders = pod("shop", "orders-1", "shop", Map.of("dapr.io/app-id", "orders"));

    ValidationException e = refused(request("shop", "cart", tokenOf(orders)));

    assertThat(e).hasMessage("pod identity does not match the requested id");
    assertThat(e.detail()).contains("orders-1");
  }

  @Test
  void tokenOfAnotherServiceAccountBoundToThePodIsRefused() {
    Pod pod = pod("shop", "cart-7d9f", "cart", Map.of());
    String token = apiServer.token("shop", "default", "cart-7d9f").withPodUid(pod.getMetadata().getUid()).jwt();

    assertThat(refused(request("shop", "cart-7d9f", token))).hasMessage("pod identity does not match the requested id");
  }

  @Test
  void tokenOfAnEarlierPodWithTheSameNameIsRefused() {
    pod("shop", "cart-0", "cart", Map.of());
    String token = apiServer.token("shop", "cart", "cart-0").withPodUid("uid-of-the-deleted-pod").jwt();

    assertThat(refused(request("shop", "cart-0", token))).hasMessage("pod identity does not match the requested id");
  }

  @Test
  void tokenOfOneNamespaceCannotAskForAnother() {
    Pod pod = pod("shop", "cart-7d9f", "cart", Map.of());
    pod("billing", "cart-7d9f", "cart", Map.of());

    assertThat(refused(request("billing", "cart-7d9f", tokenOf(pod)))).hasMessage("token namespace does not match the requested namespace");
  }

  @Test
  void controlPlaneIdIsRefusedOutsideTheControlPlaneNamespace() {
    Pod pod = pod("shop", "fake-sentry", "shop", Map.of("dapr.io/control-plane", "sentry"));

    assertThat(refused(request("shop", "dapr-sentry", tokenOf(pod)))).hasMessage("pod identity does not match the requested id");
  }

  @Test
  void controlPlaneIdIsRefusedWithoutTheAnnotation() {
    Pod plain = pod("dapr-system", "dapr-sentry", "dapr-sentry", Map.of());
    Pod named = pod("dapr-system", "tool-1", "tool", Map.of("dapr.io/app-id", "dapr-operator"));
    Pod other = pod("dapr-system", "dapr-operator-0", "dapr-operator", Map.of("dapr.io/control-plane", "operator"));

    assertThat(refused(request("dapr-system", "dapr-sentry", tokenOf(plain)))).hasMessage("control-plane identities are reserved to control-plane pods");
    assertThat(refused(request("dapr-system", "dapr-operator", tokenOf(named)))).hasMessage("control-plane identities are reserved to control-plane pods");
    assertThat(refused(request("dapr-system", "dapr-sentry", tokenOf(other)))).hasMessage("control-plane identities are reserved to control-plane pods");
  }

  @Test
  void tokenOfAPodThatNoLongerExistsIsRefused() {
    String token = apiServer.token("shop", "cart", "cart-gone").jwt();

    ValidationException e = refused(request("shop", "cart-gone", token));

    assertThat(e).hasMessage("the token's pod does not exist");
    assertThat(e.detail()).contains("shop/cart-gone");
  }

  @Test
  void tokenNotBoundToAPodIsRefused() {
    pod("shop", "cart-7d9f", "cart", Map.of());
    String token = apiServer.token("shop", "cart", null).jwt();

    assertThat(refused(request("shop", "cart-7d9f", token))).hasMessage("token is not bound to a pod");
  }

  @Test
  void emptyTokenIsRefusedWithoutAskingTheApiServer() {
    assertThat(refused(request("shop", "cart", ""))).hasMessage("token is required");
  }

  @Test
  void apiServerOutageIsARefusalNotACrash() {
    Pod pod = pod("shop", "cart-7d9f", "cart", Map.of());
    apiServer.setDown(true);
    // fabric8 retries a 503 with backoff (about 20 s by default); the outcome is the same without the wait.
    try (KubernetesClient noRetries = server.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig())) {
      validator = new KubernetesValidator(noRetries, SENTRY, "dapr-system", "cluster.local");

      assertThat(refused(request("shop", "cart-7d9f", tokenOf(pod)))).hasMessage("could not verify the token with the Kubernetes API");
    }
  }

  private Pod pod(String ns, String name, String serviceAccount, Map<String, String> annotations) {
    return client.pods().inNamespace(ns).resource(new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).withAnnotations(annotations).endMetadata()
        .withNewSpec().withServiceAccountName(serviceAccount).addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
        .build()).create();
  }

  private void configuration(String ns, String name, Map<String, Object> spec) {
    GenericKubernetesResource config = new GenericKubernetesResourceBuilder()
        .withApiVersion("dapr.io/v1alpha1").withKind("Configuration")
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
    client.genericKubernetesResources(CONFIGURATIONS).inNamespace(ns).resource(config).create();
  }

  private String tokenOf(Pod pod) {
    return apiServer.token(pod.getMetadata().getNamespace(), pod.getSpec().getServiceAccountName(), pod.getMetadata().getName())
        .withPodUid(pod.getMetadata().getUid()).jwt();
  }

  private static SignCertificateRequest request(String ns, String id, String token) {
    return SignCertificateRequest.newBuilder()
        .setNamespace(ns).setId(id).setToken(token)
        .setTokenValidator(SignCertificateRequest.TokenValidator.KUBERNETES)
        .build();
  }

  /** The refusal, checked to keep the token out of everything that may reach the caller or a log. */
  private ValidationException refused(SignCertificateRequest req) {
    ValidationException e = catchThrowableOfType(ValidationException.class, () -> validator.validate(req));
    assertThat(e).as("validation of %s/%s should fail", req.getNamespace(), req.getId()).isNotNull();
    if (!req.getToken().isEmpty()) {
      assertThat(e.getMessage()).doesNotContain(req.getToken());
      assertThat(e.detail()).doesNotContain(req.getToken());
      assertThat(e.toString()).doesNotContain(req.getToken());
    }
    return e;
  }
}
