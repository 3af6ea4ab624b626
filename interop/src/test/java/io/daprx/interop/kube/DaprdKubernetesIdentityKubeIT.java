package io.daprx.interop.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.common.pki.CryptoProviders;
import io.daprx.common.pki.Pem;
import io.daprx.injector.Injector;
import io.daprx.injector.InjectorOptions;
import io.daprx.injector.patch.SidecarSettings;
import io.daprx.interop.Daprd;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.kube.ControlPlaneManifests;
import io.daprx.manager.kube.CrdSource;
import io.daprx.manager.kube.InstallSpec;
import io.daprx.manager.model.DaprSettings;
import io.daprx.operator.Operator;
import io.daprx.operator.OperatorOptions;
import io.daprx.sentry.Sentry;
import io.daprx.sentry.SentryOptions;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Upstream's daprd 1.18 in Kubernetes mode, as a plain process, on a real API server with our whole identity chain: the
 * pod is created through the API server, which calls our injector's webhook; daprd runs with the injected container's
 * arguments and environment and a service-account token the API server issued for that pod with the injected projected
 * volume's audience and lifetime; our sentry (its own service account, under the manager's RBAC, Kubernetes validator)
 * checks it by a real TokenReview; our operator (its own SVID from that sentry, mTLS to daprd) serves the Components its
 * informers read from the real CRDs.
 *
 * <p>What stands in for the node: the kubelet's projected token is a file named by {@code DAPR_SENTRY_TOKEN_FILE} (daprd
 * reads that instead of {@code /var/run/secrets/dapr.io/sentrytoken/token} and, in Kubernetes mode, still presents it to
 * the KUBERNETES validator); the downward-API env values are resolved from the stored pod; the ports and the
 * control-plane addresses are loopback ones (what the pod network and the Services would do); daprd runs as root, so
 * its container-uid check is told so. Placement and scheduler are turned off by the pod's own annotations.
 */
class DaprdKubernetesIdentityKubeIT {

  static final String NS = "dapr-system";
  static final String APPS = "shop";
  static final String APP = "cart";
  static KubeApiServer kube;
  static KubernetesClient admin;
  static final List<AutoCloseable> closing = new ArrayList<>();
  static Sentry sentry;
  static Operator operator;
  static Daprd daprd;
  static Pod stored;
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    kube = KubeApiServer.start("daprd-identity");
    dir = kube.dir();
    admin = kube.client();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(APPS).endMetadata().build()).create();
    InstallSpec spec = new InstallSpec(NS, DaprSettings.parse(Map.of()), new Release(Semver.parse("0.3.1"), "0.3.1", "1.18.2"), null);
    List<HasMetadata> installed = ControlPlaneManifests.steps(spec, CrdSource.classpath(DaprdKubernetesIdentityKubeIT.class.getClassLoader()))
        .stream().filter(s -> Set.of("crds", "rbac", "trust-bundle").contains(s.name())).flatMap(s -> s.objects().stream()).toList();
    installed.forEach(o -> admin.resource(o).create());
    await("dapr.io CRDs established").atMost(Duration.ofSeconds(30)).until(() -> admin.apiextensions().v1().customResourceDefinitions()
        .list().getItems().stream().filter(c -> c.getSpec().getGroup().equals("dapr.io")).filter(DaprdKubernetesIdentityKubeIT::established)
        .count() == ResourceKind.values().length);

    // sentry as its own service account (TokenReview, pods, its trust bundle objects) in KUBERNETES validation mode
    sentry = new Sentry(new SentryOptions("127.0.0.1", 0, 0, 0, null, "cluster.local", NS, SentryOptions.Mode.KUBERNETES,
        Duration.ofHours(24), Duration.ofMinutes(15), null, Set.of(), null, Duration.ofSeconds(5), Duration.ofDays(30),
        CryptoProviders.Preference.AUTO, null), Clock.systemUTC(), null, serviceAccountClient("dapr-sentry")).start();
    closing.add(sentry);
    String anchorsPem = await("sentry's trust bundle").atMost(Duration.ofSeconds(20)).until(
        () -> admin.configMaps().inNamespace(NS).withName("dapr-trust-bundle").get().getData().get("ca.crt"), a -> a != null && !a.isBlank());
    Path anchors = Files.writeString(dir.resolve("dapr-ca.crt"), anchorsPem);

    // the operator proves dapr-operator to sentry with its pod's token, as on a cluster, and serves daprd over mTLS
    Pod operatorPod = admin.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("dapr-operator-0").withNamespace(NS)
        .withAnnotations(Map.of("dapr.io/control-plane", "operator")).endMetadata().withNewSpec().withServiceAccountName("dapr-operator")
        .addNewContainer().withName("dapr-operator").withImage("daprx:test").endContainer().endSpec().build()).create();
    Path operatorToken = Files.writeString(dir.resolve("operator-token"),
        boundToken(NS, "dapr-operator", operatorPod, List.of(sentryId()), 3600L));
    operator = new Operator(OperatorOptions.kubernetes().withPorts(0, 0, 0).withListenAddress("127.0.0.1").withId("dapr-operator-0")
        .withSentryTokenFile(operatorToken).withTls(true, "127.0.0.1:" + sentry.port(), anchors), Clock.systemUTC(),
        serviceAccountClient("dapr-operator"), null).start();
    closing.add(operator);
    await("operator ready").atMost(Duration.ofSeconds(30)).until(operator::ready);

    stored = injectedPod(anchors);

    // as `kubectl apply -f statestore.yaml` sends it, before the pod starts: daprd loads it at start from the operator
    admin.resource("""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: statestore
          namespace: %s
        spec:
          type: state.in-memory
          version: v1
        """.formatted(APPS)).create();

    daprd = Daprd.start(KubeBinaries.daprd(), sidecar(stored), dir.resolve("daprd.log"));
    closing.add(daprd);
  }

  @AfterAll
  static void stop() {
    Teardown.close(closing, kube);
  }

  @Test
  void daprdGetsItsIdentityThroughTokenReviewAndItsComponentsFromTheOperator() {
    await("daprd healthy (log: " + dir.resolve("daprd.log") + ")").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
        .until(() -> {
          assertThat(daprd.isAlive()).as("daprd running; its log:\n%s", daprd.logText()).isTrue();
          return daprd.healthz() == 204;
        });

    String log = daprd.logText();
    // the pod's projected token, read from the file and presented to the KUBERNETES validator (not JWKS)
    assertThat(log).contains("Loaded token from path").contains("forcing to use kubernetes validator");
    // sentry signed it after the TokenReview: daprd holds a workload certificate and watches its expiry
    assertThat(log).contains("Security is initialized successfully").contains("Starting workload identity expiry watcher");
    // the operator only answers a client with an SVID from this sentry: the component got there over mTLS
    JsonNode metadata = daprd.metadata();
    assertThat(metadata.path("id").asText()).isEqualTo(APP);
    List<String> components = new ArrayList<>();
    metadata.path("components").forEach(c -> components.add(c.path("name").asText() + "=" + c.path("type").asText()));
    assertThat(components).contains("statestore=state.in-memory");
    assertThat(log).doesNotContain("PERMISSION_DENIED");
  }

  /** The pod as the API server stores it after calling our injector's webhook (see AdmissionKubeIT for the wiring). */
  private static Pod injectedPod(Path anchors) throws Exception {
    // the webhook's serving certificate from sentry's own CA, as the injector's SVID is, so the caBundle the injector
    // writes (sentry's anchors) verifies it
    Secret bundle = admin.secrets().inNamespace(NS).withName("dapr-trust-bundle").get();
    TestCa sentryCa = new TestCa(Pem.parseCertificates(decode(bundle, "issuer.crt")).get(0), Pem.parsePrivateKey(decode(bundle, "issuer.key")));
    TestCa.Leaf serving = sentryCa.serving("dapr-sidecar-injector", List.of("dapr-sidecar-injector.dapr-system.svc"));
    Path cert = Files.writeString(dir.resolve("injector.crt"), serving.certPem());
    Path key = Files.writeString(dir.resolve("injector.key"), serving.keyPem());
    int port = freePort();
    MutatingWebhookConfiguration webhook = AdmissionKubeIT.rendered();
    webhook.getWebhooks().forEach(w -> w.getClientConfig().getService().setPort(port));
    admin.resource(webhook).create();
    admin.resource(new ServiceBuilder().withNewMetadata().withName("dapr-sidecar-injector").withNamespace(NS).endMetadata()
        .withNewSpec().withType("ExternalName").withExternalName("localhost").endSpec().build()).create();
    Injector injector = new Injector(new InjectorOptions("127.0.0.1", port, freePort(), -1, cert, key, "localhost:1", anchors,
        InjectorOptions.Mode.KUBERNETES, SidecarSettings.defaults("ghcr.io/dapr/daprd:1.18.2", ""), List.of(), "dapr-sidecar-injector",
        Duration.ofSeconds(1), 0, null), Clock.systemUTC(), () -> new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kube.kubeconfig())).build())
        .start();
    closing.add(injector);
    String caBundle = Base64.getEncoder().encodeToString(Files.readString(anchors).getBytes(StandardCharsets.UTF_8));
    await("the injector writes its caBundle").atMost(Duration.ofSeconds(20)).until(() -> caBundle.equals(admin.admissionRegistration().v1()
        .mutatingWebhookConfigurations().withName("dapr-sidecar-injector").get().getWebhooks().get(0).getClientConfig().getCaBundle()));

    admin.serviceAccounts().inNamespace(APPS).resource(new ServiceAccountBuilder().withNewMetadata().withName(APP).endMetadata().build()).create();
    Pod pod = admin.pods().inNamespace(APPS).resource(new PodBuilder().withNewMetadata().withName(APP + "-7d9f6c5b8-x2k4q").withNamespace(APPS)
        .withAnnotations(Map.of("dapr.io/enabled", "true", "dapr.io/app-id", APP, "dapr.io/log-level", "debug",
            // no placement or scheduler in this test: the user's way of turning them off
            "dapr.io/placement-host-address", "", "dapr.io/scheduler-host-address", "",
            // no in-cluster API address for daprd's own Kubernetes client here
            "dapr.io/disable-builtin-k8s-secret-store", "true"))
        .endMetadata().withNewSpec().withServiceAccountName(APP).addNewContainer().withName("app").withImage("registry.example/cart:1")
        .endContainer().endSpec().build()).create();
    assertThat(pod.getSpec().getContainers()).extracting(Container::getName).containsExactly("app", "daprd");
    return pod;
  }

  /** daprd's command line and environment as injected, with what the node and the pod network would have supplied. */
  private static Daprd.Spec sidecar(Pod pod) throws IOException {
    Container c = pod.getSpec().getContainers().stream().filter(k -> k.getName().equals("daprd")).findFirst().orElseThrow();
    int http = freePort();
    int internal = freePort();
    int pub = freePort();
    Map<String, String> loopback = Map.of("--dapr-http-port", "" + http, "--dapr-grpc-port", "" + freePort(),
        "--dapr-internal-grpc-port", "" + internal, "--dapr-public-port", "" + pub, "--metrics-port", "" + freePort(),
        "--dapr-listen-addresses", "127.0.0.1", "--sentry-address", "127.0.0.1:" + sentry.port(),
        "--control-plane-address", "127.0.0.1:" + operator.port());
    List<String> args = new ArrayList<>(c.getArgs().isEmpty() ? c.getCommand().subList(1, c.getCommand().size()) : c.getArgs());
    if (!args.isEmpty() && args.get(0).endsWith("/daprd")) {
      args.remove(0);
    }
    for (int i = 0; i < args.size() - 1; i++) {
      String replaced = loopback.get(args.get(i));
      if (replaced != null) {
        args.set(++i, replaced);
      }
    }

    // the injected volume (WIRE.md), not the API server's own kube-api-access-* one, which has no audience
    ServiceAccountTokenProjection projected = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("dapr-identity-token"))
        .flatMap(v -> v.getProjected().getSources().stream()).map(VolumeProjection::getServiceAccountToken)
        .filter(t -> t != null).findFirst().orElseThrow(() -> new AssertionError("no dapr-identity-token volume in " + pod));
    Path token = Files.writeString(dir.resolve("sentrytoken"), boundToken(APPS, pod.getSpec().getServiceAccountName(), pod,
        List.of(projected.getAudience()), projected.getExpirationSeconds()));

    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : c.getEnv()) {
      if (e.getValueFrom() == null) {
        env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
      } else if (e.getValueFrom().getFieldRef() != null) {
        String field = e.getValueFrom().getFieldRef().getFieldPath();
        env.put(e.getName(), switch (field) {
          case "metadata.name" -> pod.getMetadata().getName();
          case "metadata.namespace" -> pod.getMetadata().getNamespace();
          default -> throw new AssertionError("a downward-API field this test does not resolve: " + field);
        });
      } else {
        throw new AssertionError("an env source this test does not resolve: " + e);
      }
    }
    env.put("DAPR_SENTRY_TOKEN_FILE", token.toString());
    env.put("DAPR_UNSAFE_SKIP_CONTAINER_UID_GID_CHECK", "true");
    return new Daprd.Spec(APP, args, env, http, pub, internal);
  }

  /** A token of this service account bound to the pod, as the kubelet requests it for a projected volume. */
  private static String boundToken(String namespace, String serviceAccount, Pod pod, List<String> audiences, long seconds) {
    return admin.serviceAccounts().inNamespace(namespace).withName(serviceAccount).tokenRequest(new TokenRequestBuilder().withNewSpec()
        .withAudiences(audiences).withExpirationSeconds(seconds).withNewBoundObjectRef().withKind("Pod").withApiVersion("v1")
        .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).endBoundObjectRef().endSpec().build()).getStatus().getToken();
  }

  /** A client authenticated as this control-plane service account (not as an admin). */
  private static KubernetesClient serviceAccountClient(String name) {
    String token = admin.serviceAccounts().inNamespace(NS).withName(name)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build()).getStatus().getToken();
    Config config = Config.fromKubeconfig(kube.kubeconfig());
    config.setOauthToken(token);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    closing.add(client);
    return client;
  }

  private static String sentryId() {
    return "spiffe://cluster.local/ns/" + NS + "/dapr-sentry";
  }

  private static boolean established(CustomResourceDefinition c) {
    return c.getStatus() != null && c.getStatus().getConditions().stream().anyMatch(k -> k.getType().equals("Established") && k.getStatus().equals("True"));
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
