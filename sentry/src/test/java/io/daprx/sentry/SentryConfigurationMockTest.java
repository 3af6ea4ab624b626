package io.daprx.sentry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.common.tls.Svid;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.sentry.ca.IssuancePolicy;
import io.daprx.sentry.config.SystemConfigurationWatch;
import io.daprx.sentry.validator.FakeKubeAuthenticator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Sentry in Kubernetes mode takes the workload certificate TTL and clock skew from Configuration {@code daprsystem}
 * over its flags, and follows edits to it without a restart (fabric8 CRUD API server).
 */
@EnableKubernetesMockClient(crud = true)
class SentryConfigurationMockTest {

  private static final String NS = "dapr-system";
  private static final ResourceDefinitionContext CONFIGURATIONS = new ResourceDefinitionContext.Builder()
      .withGroup("dapr.io").withVersion("v1alpha1").withKind("Configuration").withPlural("configurations").withNamespaced(true)
      .build();
  private static final IssuancePolicy FLAGS = new IssuancePolicy(Duration.ofHours(24), Duration.ofMinutes(15));

  KubernetesMockServer server;
  KubernetesClient client;

  private final Clock clock = Clock.systemUTC();
  private final FakeKubeAuthenticator apiServer = new FakeKubeAuthenticator(clock);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Sentry sentry;
  private String token;

  @BeforeEach
  void setUp() {
    apiServer.install(server);
    server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup("dapr.io").withVersion("v1alpha1")
        .withKind("Configuration").withPlural("configurations").withScope("Namespaced").build());
    Pod pod = client.pods().inNamespace("shop").resource(new PodBuilder()
        .withNewMetadata().withName("cart-1").withNamespace("shop").withAnnotations(Map.of("dapr.io/app-id", "cart")).endMetadata()
        .withNewSpec().withServiceAccountName("cart").addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
        .build()).create();
    token = apiServer.token("shop", "cart", "cart-1").withPodUid(pod.getMetadata().getUid()).jwt();
    logs.start();
    ((Logger) LoggerFactory.getLogger(SystemConfigurationWatch.class)).addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(SystemConfigurationWatch.class)).detachAppender(logs);
    if (sentry != null) {
      sentry.close();
    }
  }

  private Sentry start() {
    sentry = new Sentry(new SentryOptions("127.0.0.1", 0, 0, 0, null, "cluster.local", NS, SentryOptions.Mode.KUBERNETES,
        FLAGS.workloadCertTtl(), FLAGS.allowedClockSkew(), null, Set.of(), null, Duration.ofSeconds(5), Duration.ofDays(30),
        io.daprx.common.pki.CryptoProviders.Preference.AUTO, null), clock, null, client).start();
    return sentry;
  }

  private Resource<GenericKubernetesResource> daprsystem() {
    return client.genericKubernetesResources(CONFIGURATIONS).inNamespace(NS).withName("daprsystem");
  }

  private void createDaprsystem(String ttl, String skew) {
    Map<String, Object> mtls = new HashMap<>(Map.of("enabled", true, "workloadCertTTL", ttl, "allowedClockSkew", skew));
    daprsystem().create(new GenericKubernetesResourceBuilder().withApiVersion("dapr.io/v1alpha1").withKind("Configuration")
        .withNewMetadata().withName("daprsystem").withNamespace(NS).endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("mtls", mtls)))
        .build());
  }

  @SuppressWarnings("unchecked")
  private void editDaprsystem(String field, String value) {
    daprsystem().edit(c -> {
      Map<String, Object> spec = new HashMap<>((Map<String, Object>) c.getAdditionalProperties().get("spec"));
      Map<String, Object> mtls = new HashMap<>((Map<String, Object>) spec.get("mtls"));
      mtls.put(field, value);
      spec.put("mtls", mtls);
      c.getAdditionalProperties().put("spec", spec);
      return c;
    });
  }

  /** A certificate for the app "cart", asked for the way daprd asks: CSR and projected token over TLS. */
  private Svid signedCertificate() throws Exception {
    try (SvidClient c = SvidClient.connect(new SvidClient.Options("127.0.0.1:" + sentry.port(),
        SpiffeId.of("cluster.local", NS, "dapr-sentry"), "cart", "shop", "", TokenValidator.KUBERNETES, () -> token,
        KeyAlgorithm.ED25519, Duration.ofSeconds(3), 1),
        Pem.parseCertificates(client.configMaps().inNamespace(NS).withName("dapr-trust-bundle").get().getData().get("ca.crt")),
        clock).start()) {
      return c.current();
    }
  }

  /** NotBefore is now − skew and NotAfter now + TTL, so the validity is their sum. */
  private static Duration validity(Svid svid) {
    return Duration.between(svid.notBefore(), svid.notAfter());
  }

  private boolean logged(String text) {
    return logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains(text));
  }

  @Test
  void aCertificateSignedAfterTheConfigurationIsEditedCarriesTheNewTtl() throws Exception {
    createDaprsystem("1h", "1m");
    start();
    // read at start, over the flags' 24h and 15m
    assertThat(sentry.issuancePolicy()).isEqualTo(new IssuancePolicy(Duration.ofHours(1), Duration.ofMinutes(1)));
    assertThat(validity(signedCertificate())).isEqualTo(Duration.ofMinutes(61));

    editDaprsystem("workloadCertTTL", "2h");
    await().atMost(Duration.ofSeconds(10)).until(() -> sentry.issuancePolicy().workloadCertTtl().equals(Duration.ofHours(2)));

    assertThat(validity(signedCertificate())).isEqualTo(Duration.ofMinutes(121));
    assertThat(logged("Configuration(dapr-system/daprsystem) changed: certificates signed from now on get workloadCertTTL 2h0m0s,"
        + " allowedClockSkew 1m0s")).isTrue();
  }

  @Test
  void anInvalidDurationIsReportedAndThePreviousValueKept() throws Exception {
    createDaprsystem("1h", "1m");
    start();

    editDaprsystem("workloadCertTTL", "two hours");
    await().atMost(Duration.ofSeconds(10)).until(() -> logged("'two hours' is not a duration"));

    assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().contains("two hours"))
        .allMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN);
    assertThat(sentry.issuancePolicy()).isEqualTo(new IssuancePolicy(Duration.ofHours(1), Duration.ofMinutes(1)));
    assertThat(validity(signedCertificate())).isEqualTo(Duration.ofMinutes(61));
  }

  @Test
  void withoutTheConfigurationTheFlagsApplyUntilItIsCreatedAndAgainOnceItIsDeleted() throws Exception {
    start();
    assertThat(sentry.issuancePolicy()).isEqualTo(FLAGS);
    assertThat(validity(signedCertificate())).isEqualTo(Duration.ofHours(24).plusMinutes(15));

    createDaprsystem("30m", "0s");
    await().atMost(Duration.ofSeconds(10)).until(() -> sentry.issuancePolicy().workloadCertTtl().equals(Duration.ofMinutes(30)));
    assertThat(validity(signedCertificate())).isEqualTo(Duration.ofMinutes(30));

    daprsystem().delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> sentry.issuancePolicy().equals(FLAGS));
  }
}
