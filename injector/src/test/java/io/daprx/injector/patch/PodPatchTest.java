package io.daprx.injector.patch;

import static io.daprx.injector.patch.Pods.ANCHORS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.injector.patch.PodPatch.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodPatchTest {

  static final SidecarSettings SETTINGS = SidecarSettings.defaults(Pods.IMAGE, ANCHORS);

  static Outcome.Patched patched(JsonNode pod, String ns) {
    Outcome o = PodPatch.compute(pod, ns, SETTINGS);
    assertThat(o).isInstanceOf(Outcome.Patched.class);
    return (Outcome.Patched) o;
  }

  static JsonNode container(JsonNode pod, String path, String name) {
    for (JsonNode c : pod.path("spec").path(path)) {
      if (c.path("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no container " + name + " in " + path);
  }

  static List<String> args(JsonNode c) {
    List<String> out = new ArrayList<>();
    c.path("args").forEach(a -> out.add(a.asText()));
    return out;
  }

  static Map<String, JsonNode> env(JsonNode c) {
    Map<String, JsonNode> out = new HashMap<>();
    c.path("env").forEach(e -> out.put(e.path("name").asText(), e));
    return out;
  }

  static String flag(List<String> args, String flag) {
    int i = args.indexOf(flag);
    assertThat(i).as("flag %s in %s", flag, args).isGreaterThanOrEqualTo(0);
    return args.get(i + 1);
  }

  @Test
  void deploymentPodGetsDaprdWithUpstreamArgsEnvPortsProbesAndTokenMount() {
    ObjectNode pod = Pods.deploymentPod();
    Outcome.Patched p = patched(pod, "shop");
    JsonNode out = Pods.apply(p.operations(), pod);
    assertThat(p.appId()).isEqualTo("checkout");

    JsonNode daprd = container(out, "containers", "daprd");
    assertThat(out.path("spec").path("containers")).hasSize(3);
    assertThat(out.path("spec").path("containers").get(2).path("name").asText()).isEqualTo("daprd");
    assertThat(daprd.path("image").asText()).isEqualTo(Pods.IMAGE);
    List<String> args = args(daprd);
    assertThat(args.subList(0, 23)).containsExactly("/daprd",
        "--dapr-http-port", "3500", "--dapr-grpc-port", "50001", "--dapr-internal-grpc-port", "50002",
        "--dapr-listen-addresses", "[::1],127.0.0.1", "--dapr-public-port", "3501", "--app-id", "checkout",
        "--app-protocol", "http", "--log-level", "debug", "--dapr-graceful-shutdown-seconds", "-1",
        "--mode", "kubernetes", "--control-plane-address", "dapr-api.dapr-system.svc.cluster.local:443");
    assertThat(flag(args, "--sentry-address")).isEqualTo("dapr-sentry.dapr-system.svc.cluster.local:443");
    assertThat(flag(args, "--app-port")).isEqualTo("8080");
    assertThat(flag(args, "--metrics-port")).isEqualTo("9090");
    assertThat(args).contains("--enable-metrics", "--enable-mtls");
    assertThat(flag(args, "--config")).isEqualTo("appconfig");
    assertThat(flag(args, "--placement-host-address")).isEqualTo("dapr-placement-server.dapr-system.svc.cluster.local:50005");
    assertThat(args).doesNotContain("--log-as-json", "--enable-app-health-check");

    assertThat(daprd.path("ports").toString()).isEqualTo(
        "[{\"containerPort\":3500,\"name\":\"dapr-http\"},{\"containerPort\":50001,\"name\":\"dapr-grpc\"},"
            + "{\"containerPort\":50002,\"name\":\"dapr-internal\"},{\"containerPort\":9090,\"name\":\"dapr-metrics\"}]");
    Map<String, JsonNode> env = env(daprd);
    assertThat(env.get("NAMESPACE").path("value").asText()).isEqualTo("shop");
    assertThat(env.get("POD_NAME").path("valueFrom").path("fieldRef").path("fieldPath").asText()).isEqualTo("metadata.name");
    assertThat(env.get("DAPR_TRUST_ANCHORS").path("value").asText()).isEqualTo(ANCHORS);
    assertThat(env.get("DAPR_CONTROLPLANE_NAMESPACE").path("value").asText()).isEqualTo("dapr-system");
    assertThat(env.get("DAPR_CONTROLPLANE_TRUST_DOMAIN").path("value").asText()).isEqualTo("cluster.local");
    assertThat(env.get("GOMAXPROCS").path("value").asText()).isEqualTo("2");
    assertThat(env.get("LIST").path("value").asText()).as("a comma not followed by NAME= stays in the value").isEqualTo("a,b");
    assertThat(env.get("DAPR_ENV_KEYS").path("value").asText()).isEqualTo("GOMAXPROCS LIST");

    JsonNode readiness = daprd.path("readinessProbe");
    assertThat(readiness.path("httpGet").path("path").asText()).isEqualTo("/v1.0/healthz");
    assertThat(readiness.path("httpGet").path("port").asInt()).isEqualTo(3501);
    assertThat(readiness.path("initialDelaySeconds").asInt()).isEqualTo(1);
    assertThat(readiness.path("periodSeconds").asInt()).isEqualTo(1);
    assertThat(readiness.path("timeoutSeconds").asInt()).isEqualTo(1);
    assertThat(readiness.path("failureThreshold").asInt()).isEqualTo(5);
    JsonNode liveness = daprd.path("livenessProbe");
    assertThat(liveness.path("tcpSocket").path("port").asInt()).isEqualTo(3501);
    assertThat(liveness.path("initialDelaySeconds").asInt()).isEqualTo(180);
    assertThat(liveness.path("periodSeconds").asInt()).isEqualTo(10);
    assertThat(liveness.path("timeoutSeconds").asInt()).isEqualTo(3);
    assertThat(liveness.path("failureThreshold").asInt()).isEqualTo(5);

    assertThat(daprd.path("securityContext").toString())
        .isEqualTo("{\"allowPrivilegeEscalation\":false,\"runAsNonRoot\":true,\"readOnlyRootFilesystem\":true}");
    assertThat(daprd.path("resources").toString()).isEqualTo("{\"limits\":{\"memory\":\"256Mi\"},\"requests\":{\"cpu\":\"100m\"}}");
    assertThat(daprd.path("volumeMounts").toString()).isEqualTo(
        "[{\"name\":\"dapr-identity-token\",\"readOnly\":true,\"mountPath\":\"/var/run/secrets/dapr.io/sentrytoken\"}]");
    assertThat(daprd.has("restartPolicy")).isFalse();

    JsonNode volumes = out.path("spec").path("volumes");
    assertThat(volumes).hasSize(2);
    assertThat(volumes.get(0).path("name").asText()).isEqualTo("kube-api-access-x");
    JsonNode token = volumes.get(1).path("projected").path("sources").get(0).path("serviceAccountToken");
    assertThat(volumes.get(1).path("name").asText()).isEqualTo("dapr-identity-token");
    assertThat(token.path("audience").asText()).isEqualTo("spiffe://cluster.local/ns/dapr-system/dapr-sentry");
    assertThat(token.path("expirationSeconds").asInt()).isEqualTo(7200);
    assertThat(token.path("path").asText()).isEqualTo("token");
    assertThat(volumes.get(1).path("projected").path("defaultMode").asInt()).isEqualTo(420);
  }

  @Test
  void everyAppContainerGetsDaprPortsUnlessItSetsThemAlready() {
    ObjectNode pod = Pods.deploymentPod();
    JsonNode out = Pods.apply(patched(pod, "shop").operations(), pod);
    Map<String, JsonNode> app = env(container(out, "containers", "app"));
    assertThat(app.get("DAPR_HTTP_PORT").path("value").asText()).as("already set: left alone").isEqualTo("3600");
    assertThat(app.get("DAPR_GRPC_PORT").path("value").asText()).isEqualTo("50001");
    assertThat(app.get("APP_PROTOCOL").path("value").asText()).isEqualTo("http");
    assertThat(app.get("LOG").path("value").asText()).isEqualTo("json");
    assertThat(container(out, "containers", "app").path("env")).hasSize(4);
    Map<String, JsonNode> exporter = env(container(out, "containers", "metrics-exporter"));
    assertThat(exporter.keySet()).containsExactlyInAnyOrder("DAPR_HTTP_PORT", "DAPR_GRPC_PORT", "APP_PROTOCOL");
    assertThat(env(container(out, "initContainers", "migrate"))).as("init containers are not app containers").isEmpty();
    assertThat(env(container(out, "containers", "daprd"))).doesNotContainKey("DAPR_HTTP_PORT");
  }

  @Test
  void labelsAreAddedBesideTheExistingOnes() {
    ObjectNode pod = Pods.deploymentPod();
    JsonNode out = Pods.apply(patched(pod, "shop").operations(), pod);
    assertThat(out.path("metadata").path("labels").toString()).isEqualTo("{\"app\":\"checkout\",\"pod-template-hash\":\"7d9f8b\","
        + "\"dapr.io/sidecar-injected\":\"true\",\"dapr.io/app-id\":\"checkout\",\"dapr.io/metrics-enabled\":\"true\"}");
  }

  @Test
  void patchHasUpstreamShapeOfAddOperations() {
    ArrayNode ops = patched(Pods.deploymentPod(), "shop").operations();
    List<String> paths = new ArrayList<>();
    ops.forEach(op -> {
      assertThat(op.path("op").asText()).isEqualTo("add");
      paths.add(op.path("path").asText());
    });
    assertThat(paths).containsExactly("/spec/volumes/-", "/spec/containers/-", "/metadata/labels/dapr.io~1sidecar-injected",
        "/metadata/labels/dapr.io~1app-id", "/metadata/labels/dapr.io~1metrics-enabled", "/spec/containers/0/env/-",
        "/spec/containers/0/env/-", "/spec/containers/1/env");
  }

  @Test
  void podWithoutLabelsVolumesOrEnvGetsThemCreatedFirst() {
    ObjectNode pod = Pods.barePod("web-0");
    ArrayNode ops = patched(pod, "default").operations();
    assertThat(ops.get(0).path("path").asText()).isEqualTo("/metadata/labels");
    assertThat(ops.get(1).path("path").asText()).isEqualTo("/spec/volumes");
    assertThat(ops.get(2).path("path").asText()).isEqualTo("/spec/volumes/-");
    JsonNode out = Pods.apply(ops, pod);
    assertThat(out.path("metadata").path("labels").path("dapr.io/app-id").asText()).as("app id falls back to the pod name")
        .isEqualTo("web-0");
    assertThat(out.path("spec").path("volumes")).hasSize(1);
    assertThat(env(container(out, "containers", "app")).keySet()).containsExactlyInAnyOrder("DAPR_HTTP_PORT", "DAPR_GRPC_PORT",
        "APP_PROTOCOL");
  }

  @Test
  void podWithoutContainersGetsTheListCreated() {
    ObjectNode pod = Pods.parse("{\"metadata\":{\"name\":\"x\",\"annotations\":{\"dapr.io/enabled\":\"yes\"}},\"spec\":{}}");
    JsonNode out = Pods.apply(patched(pod, "default").operations(), pod);
    assertThat(out.path("spec").path("containers")).hasSize(1);
  }

  @Test
  void nativeSidecarGoesIntoInitContainersWithRestartPolicyAlways() {
    ObjectNode pod = Pods.annotate(Pods.deploymentPod(), "dapr.io/enable-native-sidecar", "true");
    JsonNode out = Pods.apply(patched(pod, "shop").operations(), pod);
    assertThat(out.path("spec").path("containers")).hasSize(2);
    JsonNode init = out.path("spec").path("initContainers");
    assertThat(init).hasSize(2);
    assertThat(init.get(1).path("name").asText()).as("after the app's own init containers").isEqualTo("daprd");
    assertThat(init.get(1).path("restartPolicy").asText()).isEqualTo("Always");

    ObjectNode bare = Pods.annotate(Pods.barePod("w"), "dapr.io/enable-native-sidecar", "on");
    JsonNode bareOut = Pods.apply(patched(bare, "default").operations(), bare);
    assertThat(bareOut.path("spec").path("initContainers").get(0).path("restartPolicy").asText()).isEqualTo("Always");
  }

  @Test
  void nativeSidecarDefaultComesFromSettingsAndAnnotationOverridesIt() {
    ObjectNode pod = Pods.annotate(Pods.barePod("w"), "dapr.io/enable-native-sidecar", "false");
    Outcome o = PodPatch.compute(pod, "default", SETTINGS.withNativeSidecar(true));
    JsonNode out = Pods.apply(((Outcome.Patched) o).operations(), pod);
    assertThat(out.path("spec").has("initContainers")).isFalse();
    Outcome o2 = PodPatch.compute(Pods.barePod("w"), "default", SETTINGS.withNativeSidecar(true));
    assertThat(Pods.apply(((Outcome.Patched) o2).operations(), Pods.barePod("w")).path("spec").path("initContainers")).hasSize(1);
  }

  @Test
  void optionalAnnotationsBecomeFlags() {
    ObjectNode pod = Pods.barePod("w");
    Pods.annotate(pod, "dapr.io/log-as-json", "true");
    Pods.annotate(pod, "dapr.io/enable-metrics", "false");
    Pods.annotate(pod, "dapr.io/enable-app-health-check", "true");
    Pods.annotate(pod, "dapr.io/app-health-check-path", "/ready");
    Pods.annotate(pod, "dapr.io/placement-host-address", "");
    Pods.annotate(pod, "dapr.io/enable-api-logging", "false");
    Pods.annotate(pod, "dapr.io/app-protocol", "GRPC");
    Pods.annotate(pod, "dapr.io/grpc-port", "50011");
    Pods.annotate(pod, "dapr.io/graceful-shutdown-seconds", "15");
    Pods.annotate(pod, "dapr.io/sidecar-image", "registry.local/daprd:1.18.0");
    JsonNode out = Pods.apply(patched(pod, "default").operations(), pod);
    JsonNode daprd = container(out, "containers", "daprd");
    List<String> args = args(daprd);
    assertThat(args).contains("--log-as-json", "--enable-app-health-check", "--enable-api-logging=false")
        .doesNotContain("--enable-metrics", "--placement-host-address");
    assertThat(flag(args, "--app-health-check-path")).isEqualTo("/ready");
    assertThat(flag(args, "--app-health-probe-interval")).isEqualTo("5");
    assertThat(flag(args, "--app-protocol")).isEqualTo("grpc");
    assertThat(flag(args, "--dapr-grpc-port")).isEqualTo("50011");
    assertThat(flag(args, "--dapr-graceful-shutdown-seconds")).isEqualTo("15");
    assertThat(daprd.path("image").asText()).isEqualTo("registry.local/daprd:1.18.0");
    assertThat(out.path("metadata").path("labels").path("dapr.io/metrics-enabled").asText()).isEqualTo("false");
    Map<String, JsonNode> app = env(container(out, "containers", "app"));
    assertThat(app.get("DAPR_GRPC_PORT").path("value").asText()).isEqualTo("50011");
    assertThat(app.get("APP_PROTOCOL").path("value").asText()).isEqualTo("grpc");
  }

  @Test
  void annotationsAddedByDapr116To118BecomeTheirFlagsAsUpstreamWritesThem() {
    // found by the interop suite's injected pod: these were dropped without a word, so a user's setting never reached daprd
    ObjectNode pod = Pods.barePod("w");
    Pods.annotate(pod, "dapr.io/sentry-request-jwt-audiences", "orders-api,billing");
    Pods.annotate(pod, "dapr.io/actors-disseminate-timeout", "20s");
    Pods.annotate(pod, "dapr.io/disable-init-endpoints", "config,subscribe");
    Pods.annotate(pod, "dapr.io/scheduler-host-address", "");
    List<String> args = args(container(Pods.apply(patched(pod, "default").operations(), pod), "containers", "daprd"));
    assertThat(flag(args, "--sentry-request-jwt-audiences")).isEqualTo("orders-api,billing");
    assertThat(flag(args, "--actors-disseminate-timeout")).isEqualTo("20s");
    assertThat(flag(args, "--disable-init-endpoints")).isEqualTo("config,subscribe");
    // verbatim, even empty: "" is how a pod turns the scheduler off
    assertThat(flag(args, "--scheduler-host-address")).isEmpty();
    // upstream's order (pkg/injector/patcher/sidecar_container.go)
    assertThat(args.indexOf("--sentry-request-jwt-audiences")).isGreaterThan(args.indexOf("--placement-host-address"))
        .isLessThan(args.indexOf("--enable-mtls"));
    assertThat(args.subList(args.indexOf("--actors-disseminate-timeout"), args.size()))
        .containsSubsequence("--actors-disseminate-timeout", "--scheduler-host-address", "--disable-init-endpoints");
  }

  @Test
  void aSidecarIsPointedAtTheClustersSchedulerOnlyWhenTheClusterRunsOne() {
    ObjectNode pod = Pods.barePod("w");
    SidecarSettings with = SidecarSettings.defaults(Pods.IMAGE, ANCHORS);
    List<String> args = args(container(Pods.apply(((Outcome.Patched) PodPatch.compute(pod, "default", with)).operations(), pod),
        "containers", "daprd"));
    assertThat(flag(args, "--scheduler-host-address")).isEqualTo("dapr-scheduler-server-a.dapr-system.svc.cluster.local:443");
    // a daprd pointed at a scheduler that does not answer never becomes Ready: without one, no flag at all
    SidecarSettings without = new SidecarSettings("img", null, "dapr-system", "public", "cluster.local", ANCHORS, null, null, null,
        false, null, true, true, false, false);
    ObjectNode bare = Pods.barePod("w");
    List<String> none = args(container(Pods.apply(((Outcome.Patched) PodPatch.compute(bare, "default", without)).operations(), bare),
        "containers", "daprd"));
    assertThat(none).doesNotContain("--scheduler-host-address");
  }

  @Test
  void theSchedulerAnnotationWinsOverTheClustersScheduler() {
    ObjectNode pod = Pods.barePod("w");
    Pods.annotate(pod, "dapr.io/scheduler-host-address", "10.0.0.7:50006");
    SidecarSettings local = new SidecarSettings("img", null, "dapr-system", "public", "cluster.local", ANCHORS, null, null, null,
        true, "127.0.0.1:32165", true, true, false, false);
    List<String> args = args(container(Pods.apply(((Outcome.Patched) PodPatch.compute(pod, "default", local)).operations(), pod),
        "containers", "daprd"));
    assertThat(flag(args, "--scheduler-host-address")).isEqualTo("10.0.0.7:50006");
    ObjectNode plain = Pods.barePod("w");
    List<String> given = args(container(Pods.apply(((Outcome.Patched) PodPatch.compute(plain, "default", local)).operations(), plain),
        "containers", "daprd"));
    assertThat(flag(given, "--scheduler-host-address")).isEqualTo("127.0.0.1:32165");
  }

  @Test
  void legacySizeAnnotationsBecomeTheirDeprecatedFlagsInUpstreamOrder() {
    // found by the interop suite: dapr.io/http-max-request-size and dapr.io/http-read-buffer-size never reached daprd
    ObjectNode pod = Pods.barePod("w");
    Pods.annotate(pod, "dapr.io/app-max-concurrency", "10");
    Pods.annotate(pod, "dapr.io/http-max-request-size", "+16");
    Pods.annotate(pod, "dapr.io/max-body-size", "8Mi");
    Pods.annotate(pod, "dapr.io/http-read-buffer-size", "32");
    Pods.annotate(pod, "dapr.io/read-buffer-size", "16Ki");
    Pods.annotate(pod, "dapr.io/block-shutdown-duration", "5s");
    List<String> args = args(container(Pods.apply(patched(pod, "default").operations(), pod), "containers", "daprd"));
    // pkg/injector/patcher/sidecar_container.go: both the legacy and the new flag, daprd lets the new one win
    int mtls = args.indexOf("--enable-mtls");
    assertThat(args.subList(mtls, mtls + 13)).containsExactly("--enable-mtls", "--app-max-concurrency", "10",
        "--dapr-http-max-request-size", "16", "--max-body-size", "8Mi", "--dapr-http-read-buffer-size", "32",
        "--read-buffer-size", "16Ki", "--dapr-block-shutdown-duration", "5s");
  }

  @Test
  void appSslBecomesItsFlagAfterMtlsAndTellsTheAppContainersTheTlsProtocol() {
    ObjectNode pod = Pods.annotate(Pods.barePod("w"), "dapr.io/app-ssl", "true");
    JsonNode out = Pods.apply(patched(pod, "default").operations(), pod);
    List<String> args = args(container(out, "containers", "daprd"));
    assertThat(args.get(args.indexOf("--enable-mtls") + 1)).isEqualTo("--app-ssl");
    assertThat(flag(args, "--app-protocol")).as("passed as is: daprd converts it").isEqualTo("http");
    assertThat(env(container(out, "containers", "app")).get("APP_PROTOCOL").path("value").asText()).isEqualTo("https");

    ObjectNode grpc = Pods.annotate(Pods.annotate(Pods.barePod("w"), "dapr.io/app-ssl", "on"), "dapr.io/app-protocol", "grpc");
    JsonNode grpcOut = Pods.apply(patched(grpc, "default").operations(), grpc);
    assertThat(env(container(grpcOut, "containers", "app")).get("APP_PROTOCOL").path("value").asText()).isEqualTo("grpcs");

    ObjectNode off = Pods.annotate(Pods.barePod("w"), "dapr.io/app-ssl", "false");
    JsonNode offOut = Pods.apply(patched(off, "default").operations(), off);
    assertThat(args(container(offOut, "containers", "daprd"))).doesNotContain("--app-ssl");
    assertThat(env(container(offOut, "containers", "app")).get("APP_PROTOCOL").path("value").asText()).isEqualTo("http");
  }

  @Test
  void unixDomainSocketPathSharesAnInMemoryVolumeBetweenDaprdAndEveryAppContainer() {
    ObjectNode pod = Pods.annotate(Pods.deploymentPod(), "dapr.io/unix-domain-socket-path", "/tmp/dapr-sockets");
    ArrayNode ops = patched(pod, "shop").operations();
    JsonNode out = Pods.apply(ops, pod);
    JsonNode daprd = container(out, "containers", "daprd");
    // daprd's side is fixed (pkg/injector/consts: UnixDomainSocketDaprdPath); the annotation is the app's side
    assertThat(flag(args(daprd), "--unix-domain-socket")).isEqualTo("/var/run/dapr-sockets");
    assertThat(daprd.path("volumeMounts").toString()).isEqualTo(
        "[{\"name\":\"dapr-unix-domain-socket\",\"mountPath\":\"/var/run/dapr-sockets\"},"
            + "{\"name\":\"dapr-identity-token\",\"readOnly\":true,\"mountPath\":\"/var/run/secrets/dapr.io/sentrytoken\"}]");
    JsonNode volumes = out.path("spec").path("volumes");
    assertThat(volumes).hasSize(3);
    assertThat(volumes.get(1).toString()).isEqualTo("{\"name\":\"dapr-unix-domain-socket\",\"emptyDir\":{\"medium\":\"Memory\"}}");
    assertThat(volumes.get(2).path("name").asText()).isEqualTo("dapr-identity-token");
    String appMount = "{\"name\":\"dapr-unix-domain-socket\",\"mountPath\":\"/tmp/dapr-sockets\"}";
    JsonNode app = container(out, "containers", "app").path("volumeMounts");
    assertThat(app).hasSize(2);
    assertThat(app.get(1).toString()).isEqualTo(appMount);
    assertThat(container(out, "containers", "metrics-exporter").path("volumeMounts").toString()).isEqualTo("[" + appMount + "]");
    assertThat(container(out, "initContainers", "migrate").has("volumeMounts")).as("init containers are not app containers")
        .isFalse();
    List<String> paths = new ArrayList<>();
    ops.forEach(op -> paths.add(op.path("path").asText()));
    assertThat(paths).containsExactly("/spec/volumes/-", "/spec/volumes/-", "/spec/containers/-",
        "/metadata/labels/dapr.io~1sidecar-injected", "/metadata/labels/dapr.io~1app-id", "/metadata/labels/dapr.io~1metrics-enabled",
        "/spec/containers/0/env/-", "/spec/containers/0/env/-", "/spec/containers/1/env",
        "/spec/containers/0/volumeMounts/-", "/spec/containers/1/volumeMounts");
  }

  @Test
  void unixDomainSocketLeavesAloneWhatThePodAlreadyHas() {
    ObjectNode pod = Pods.annotate(Pods.deploymentPod(), "dapr.io/unix-domain-socket-path",
        "/var/run/secrets/kubernetes.io/serviceaccount");
    ((ArrayNode) pod.with("spec").withArray("volumes")).addObject().put("name", "dapr-unix-domain-socket").putObject("emptyDir");
    JsonNode out = Pods.apply(patched(pod, "shop").operations(), pod);
    JsonNode volumes = out.path("spec").path("volumes");
    assertThat(volumes).as("the pod's own dapr-unix-domain-socket volume, not a second one").hasSize(3);
    assertThat(volumes.get(1).path("emptyDir").has("medium")).isFalse();
    assertThat(container(out, "containers", "app").path("volumeMounts")).as("that path is taken in the app container").hasSize(1);
    assertThat(container(out, "containers", "metrics-exporter").path("volumeMounts")).hasSize(1);
  }

  @Test
  void emptyUnixDomainSocketPathMeansNoSocket() {
    ObjectNode pod = Pods.annotate(Pods.barePod("w"), "dapr.io/unix-domain-socket-path", "");
    JsonNode out = Pods.apply(patched(pod, "default").operations(), pod);
    assertThat(args(container(out, "containers", "daprd"))).doesNotContain("--unix-domain-socket");
    assertThat(out.path("spec").path("volumes")).hasSize(1);
    assertThat(container(out, "containers", "app").has("volumeMounts")).isFalse();
  }

  @Test
  void withoutThoseAnnotationsNoneOfTheirFlagsIsWritten() {
    ObjectNode pod = Pods.barePod("w");
    List<String> args = args(container(Pods.apply(patched(pod, "default").operations(), pod), "containers", "daprd"));
    // (--scheduler-host-address is there: the cluster runs a scheduler unless the injector is told otherwise)
    assertThat(args).doesNotContain("--sentry-request-jwt-audiences", "--actors-disseminate-timeout", "--disable-init-endpoints",
        "--app-ssl", "--dapr-http-max-request-size", "--dapr-http-read-buffer-size", "--unix-domain-socket");
  }

  @Test
  void aDisseminateTimeoutThatIsNoDurationIsRefused() {
    ObjectNode pod = Pods.barePod("w");
    Pods.annotate(pod, "dapr.io/actors-disseminate-timeout", "soon");
    assertThat(PodPatch.compute(pod, "default", SETTINGS)).isInstanceOf(Outcome.Rejected.class);
  }

  @Test
  void existingDaprdContainerIsSkipped() {
    ObjectNode pod = Pods.barePod("w");
    ((ArrayNode) pod.path("spec").path("containers")).addObject().put("name", "daprd").put("image", "x");
    assertThat(PodPatch.compute(pod, "default", SETTINGS)).isInstanceOf(Outcome.Skipped.class);
    ObjectNode nativePod = Pods.barePod("w");
    nativePod.with("spec").putArray("initContainers").addObject().put("name", "daprd");
    assertThat(PodPatch.compute(nativePod, "default", SETTINGS)).isInstanceOf(Outcome.Skipped.class);
  }

  @Test
  void enabledMustBeTruthy() {
    for (String v : new String[] {"false", "no", "", "maybe"}) {
      ObjectNode pod = Pods.annotate(Pods.barePod("w"), "dapr.io/enabled", v);
      assertThat(PodPatch.compute(pod, "default", SETTINGS)).as(v).isInstanceOf(Outcome.Skipped.class);
    }
    ObjectNode none = Pods.parse("{\"metadata\":{\"name\":\"w\"},\"spec\":{\"containers\":[]}}");
    assertThat(PodPatch.compute(none, "default", SETTINGS)).isInstanceOf(Outcome.Skipped.class);
    for (String v : new String[] {"true", "True", "1", "y", "on"}) {
      ObjectNode pod = Pods.annotate(Pods.barePod("w"), "dapr.io/enabled", v);
      assertThat(PodPatch.compute(pod, "default", SETTINGS)).as(v).isInstanceOf(Outcome.Patched.class);
    }
  }

  @Test
  void podTemplateWithoutNameUsesTheFallbackAppId() {
    ObjectNode template = Pods.parse("{\"metadata\":{\"annotations\":{\"dapr.io/enabled\":\"true\"}},"
        + "\"spec\":{\"containers\":[{\"name\":\"app\"}]}}");
    assertThat(((Outcome.Patched) PodPatch.compute(template, null, "orders", SETTINGS)).appId()).isEqualTo("orders");
    Outcome noName = PodPatch.compute(template, "default", SETTINGS);
    assertThat(noName).isInstanceOf(Outcome.Rejected.class);
    assertThat(((Outcome.Rejected) noName).message()).contains("dapr.io/app-id is not set");
    JsonNode out = Pods.apply(((Outcome.Patched) PodPatch.compute(template, null, "orders", SETTINGS)).operations(), template);
    assertThat(env(container(out, "containers", "daprd")).get("NAMESPACE").path("valueFrom").path("fieldRef").path("fieldPath")
        .asText()).as("unknown namespace: from the downward API").isEqualTo("metadata.namespace");
  }

  @Test
  void settingsChangeAddressesAndSecurity() {
    SidecarSettings s = new SidecarSettings("img", "Always", "cp", "example.org", "k8s.local", ANCHORS, null, null,
        "placement.cp:50005", true, null, true, true, true, false);
    ObjectNode pod = Pods.barePod("w");
    JsonNode out = Pods.apply(((Outcome.Patched) PodPatch.compute(pod, "default", s)).operations(), pod);
    JsonNode daprd = container(out, "containers", "daprd");
    assertThat(flag(args(daprd), "--sentry-address")).isEqualTo("dapr-sentry.cp.svc.k8s.local:443");
    assertThat(flag(args(daprd), "--scheduler-host-address")).isEqualTo("dapr-scheduler-server-a.cp.svc.k8s.local:443");
    assertThat(flag(args(daprd), "--control-plane-address")).isEqualTo("dapr-api.cp.svc.k8s.local:443");
    assertThat(flag(args(daprd), "--placement-host-address")).isEqualTo("placement.cp:50005");
    assertThat(daprd.path("imagePullPolicy").asText()).isEqualTo("Always");
    assertThat(daprd.path("securityContext").path("capabilities").path("drop").get(0).asText()).isEqualTo("ALL");
    assertThat(out.path("spec").path("volumes").get(0).path("projected").path("sources").get(0).path("serviceAccountToken")
        .path("audience").asText()).isEqualTo("spiffe://example.org/ns/cp/dapr-sentry");
  }
}
