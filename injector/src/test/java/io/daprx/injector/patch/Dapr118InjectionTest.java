package io.daprx.injector.patch;

import static io.daprx.injector.patch.PodPatchTest.args;
import static io.daprx.injector.patch.PodPatchTest.container;
import static io.daprx.injector.patch.PodPatchTest.env;
import static io.daprx.injector.patch.PodPatchTest.flag;
import static io.daprx.injector.patch.PodPatchTest.patched;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.injector.patch.PodPatch.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What a daprd 1.18 pod gets from every annotation upstream's 1.18 injector reads, in upstream's order. */
class Dapr118InjectionTest {

  /**
   * daprd 1.18's flags in the order upstream's injector writes them (WIRE.md, Sidecar injector; {@code
   * pkg/injector/patcher/sidecar_container.go} at v1.18.2), each once.
   */
  static final List<String> WIRE_18_ORDER = List.of("--dapr-http-port", "--dapr-grpc-port", "--dapr-internal-grpc-port",
      "--dapr-listen-addresses", "--dapr-public-port", "--app-id", "--app-protocol", "--log-level", "--dapr-graceful-shutdown-seconds",
      "--mode", "--control-plane-address", "--sentry-address", "--app-port", "--enable-metrics", "--metrics-port", "--config",
      "--app-channel-address", "--placement-host-address", "--sentry-request-jwt-audiences", "--enable-api-logging",
      "--disable-builtin-k8s-secret-store", "--enable-app-health-check", "--app-health-check-path", "--app-health-probe-interval",
      "--app-health-probe-timeout", "--app-health-threshold", "--log-as-json", "--enable-profiling", "--enable-mtls", "--app-ssl",
      "--app-max-concurrency", "--dapr-http-max-request-size", "--max-body-size", "--dapr-http-read-buffer-size",
      "--read-buffer-size", "--unix-domain-socket", "--dapr-block-shutdown-duration", "--actors-disseminate-timeout",
      "--scheduler-host-address", "--disable-init-endpoints");

  /** The pod annotations of upstream's {@code pkg/injector/annotations/annotations.go} at v1.18.2 (component-container is a Component's). */
  static final List<String> UPSTREAM_18_POD_ANNOTATIONS = List.of("enabled", "app-port", "config", "app-protocol", "app-ssl", "app-id",
      "enable-profiling", "log-level", "api-token-secret", "app-token-secret", "log-as-json", "app-max-concurrency", "enable-metrics",
      "metrics-port", "enable-debug", "debug-port", "env", "env-from-secret", "grpc-port", "internal-grpc-port", "sidecar-cpu-request",
      "sidecar-cpu-limit", "sidecar-memory-request", "sidecar-memory-limit", "sidecar-listen-addresses",
      "sidecar-liveness-probe-delay-seconds", "sidecar-liveness-probe-timeout-seconds", "sidecar-liveness-probe-period-seconds",
      "sidecar-liveness-probe-threshold", "sidecar-readiness-probe-delay-seconds", "sidecar-readiness-probe-timeout-seconds",
      "sidecar-readiness-probe-period-seconds", "sidecar-readiness-probe-threshold", "sidecar-image", "sidecar-seccomp-profile-type",
      "http-max-request-size", "max-body-size", "http-read-buffer-size", "read-buffer-size", "graceful-shutdown-seconds",
      "block-shutdown-duration", "enable-api-logging", "unix-domain-socket-path", "volume-mounts", "volume-mounts-rw",
      "disable-builtin-k8s-secret-store", "enable-app-health-check", "app-health-check-path", "app-health-probe-interval",
      "app-health-probe-timeout", "app-health-threshold", "placement-host-address", "actors-disseminate-timeout",
      "scheduler-host-address", "pluggable-components", "pluggable-components-sockets-folder", "inject-pluggable-components",
      "app-channel-address", "sentry-request-jwt-audiences", "sidecar-svc-annotations", "disable-init-endpoints",
      "enable-native-sidecar");

  /** A value each kind refuses. */
  static final Map<Annotation.Kind, String> BAD = new EnumMap<>(Map.ofEntries(Map.entry(Annotation.Kind.BOOL, "sometimes"),
      Map.entry(Annotation.Kind.PORT, "70000"), Map.entry(Annotation.Kind.POSITIVE, "0"), Map.entry(Annotation.Kind.NON_NEGATIVE, "-1"),
      Map.entry(Annotation.Kind.INTEGER, "1.5"), Map.entry(Annotation.Kind.SHUTDOWN_SECONDS, "-2"),
      Map.entry(Annotation.Kind.NON_EMPTY, " "), Map.entry(Annotation.Kind.PATH, "healthz"),
      Map.entry(Annotation.Kind.MOUNT_PATH, "/a/../b"), Map.entry(Annotation.Kind.APP_ID, "Bad_Id"),
      Map.entry(Annotation.Kind.PROTOCOL, "tcp"), Map.entry(Annotation.Kind.LOG_LEVEL, "verbose"),
      Map.entry(Annotation.Kind.QUANTITY, "lots"), Map.entry(Annotation.Kind.ENV, "1BAD=x"),
      Map.entry(Annotation.Kind.DURATION, "soon"), Map.entry(Annotation.Kind.SECCOMP, "strict"),
      Map.entry(Annotation.Kind.POSITIVE_DURATION, "0s"), Map.entry(Annotation.Kind.AUDIENCES, "orders,,billing"),
      Map.entry(Annotation.Kind.INIT_ENDPOINTS, "config,init"), Map.entry(Annotation.Kind.SERVICE_ANNOTATIONS, "team"),
      Map.entry(Annotation.Kind.ENV_FROM_SECRET, "TOKEN=My_Secret"), Map.entry(Annotation.Kind.VOLUME_MOUNTS, "data"),
      Map.entry(Annotation.Kind.CONTAINER_NAMES, "Bad_Name"), Map.entry(Annotation.Kind.ABSOLUTE_PATH, "relative/dir"),
      Map.entry(Annotation.Kind.UNSUPPORTED_TRUE, "true")));
  /** Kinds that take any text: nothing to refuse. */
  static final Set<Annotation.Kind> ANY_TEXT = Set.of(Annotation.Kind.STRING, Annotation.Kind.ADDRESSES);

  /** A realistic pod of a Deployment that sets every annotation that turns into a flag, and the others beside. */
  static ObjectNode everyAnnotationPod() {
    return Pods.parse("""
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"generateName":"orders-7d9f8b-","namespace":"shop","labels":{"app":"orders"},
           "annotations":{"dapr.io/enabled":"true","dapr.io/app-id":"orders","dapr.io/app-port":"8080","dapr.io/app-protocol":"http",
             "dapr.io/config":"appconfig","dapr.io/log-level":"debug","dapr.io/log-as-json":"true","dapr.io/enable-metrics":"true",
             "dapr.io/metrics-port":"9091","dapr.io/grpc-port":"50011","dapr.io/internal-grpc-port":"50012",
             "dapr.io/sidecar-listen-addresses":"0.0.0.0","dapr.io/graceful-shutdown-seconds":"10",
             "dapr.io/app-channel-address":"127.0.0.1","dapr.io/placement-host-address":"'placement.example:50005'",
             "dapr.io/sentry-request-jwt-audiences":"orders-api,billing","dapr.io/enable-api-logging":"true",
             "dapr.io/disable-builtin-k8s-secret-store":"true","dapr.io/enable-app-health-check":"true",
             "dapr.io/app-health-check-path":"/ready","dapr.io/app-health-probe-interval":"3","dapr.io/app-health-probe-timeout":"200",
             "dapr.io/app-health-threshold":"2","dapr.io/enable-profiling":"true","dapr.io/app-ssl":"false",
             "dapr.io/app-max-concurrency":"10","dapr.io/http-max-request-size":"8","dapr.io/max-body-size":"8Mi",
             "dapr.io/http-read-buffer-size":"16","dapr.io/read-buffer-size":"16Ki","dapr.io/unix-domain-socket-path":"/var/run/app-sockets",
             "dapr.io/block-shutdown-duration":"5s","dapr.io/actors-disseminate-timeout":"20s",
             "dapr.io/scheduler-host-address":" \\"scheduler.example:50006\\" ","dapr.io/disable-init-endpoints":"config, Subscribe",
             "dapr.io/env":"GOMAXPROCS=2","dapr.io/env-from-secret":"API_KEY=orders-keys:api,DB_PASSWORD=db-password",
             "dapr.io/volume-mounts":"certs:/etc/orders/certs","dapr.io/volume-mounts-rw":"scratch:/var/scratch",
             "dapr.io/sidecar-svc-annotations":"example.com/team=orders, service.beta.kubernetes.io/aws-load-balancer-internal=true",
             "dapr.io/pluggable-components":"queue-component","dapr.io/pluggable-components-sockets-folder":"/var/run/components",
             "dapr.io/inject-pluggable-components":"false","dapr.io/sidecar-cpu-request":"100m","dapr.io/sidecar-cpu-limit":"1",
             "dapr.io/sidecar-memory-request":"64Mi","dapr.io/sidecar-memory-limit":"256Mi",
             "dapr.io/sidecar-seccomp-profile-type":"RuntimeDefault","dapr.io/api-token-secret":"dapr-api-token",
             "dapr.io/app-token-secret":"app-api-token","dapr.io/sidecar-image":"registry.example/daprd:1.18.2",
             "dapr.io/sidecar-readiness-probe-delay-seconds":"2","dapr.io/sidecar-readiness-probe-timeout-seconds":"2",
             "dapr.io/sidecar-readiness-probe-period-seconds":"1","dapr.io/sidecar-readiness-probe-threshold":"3",
             "dapr.io/sidecar-liveness-probe-delay-seconds":"60","dapr.io/sidecar-liveness-probe-timeout-seconds":"3",
             "dapr.io/sidecar-liveness-probe-period-seconds":"10","dapr.io/sidecar-liveness-probe-threshold":"5",
             "dapr.io/enable-native-sidecar":"false","dapr.io/enable-debug":"false","dapr.io/debug-port":"40001"}},
         "spec":{
           "containers":[
             {"name":"orders","image":"shop/orders:2","ports":[{"containerPort":8080}]},
             {"name":"queue-component","image":"shop/queue-component:1","env":[{"name":"LOG","value":"json"}]}],
           "volumes":[{"name":"certs","secret":{"secretName":"orders-certs"}},{"name":"scratch","emptyDir":{}}]}}
        """);
  }

  @Test
  void everyPodAnnotationOfUpstream118IsRead() {
    Set<String> ours = Arrays.stream(Annotation.values()).map(Annotation::key).collect(Collectors.toCollection(TreeSet::new));
    assertThat(ours).containsAll(UPSTREAM_18_POD_ANNOTATIONS.stream().map(a -> Annotation.PREFIX + a).toList());
    Set<String> set = PodPatch.annotations(everyAnnotationPod()).keySet();
    assertThat(set).as("the realistic pod sets every annotation").containsAll(ours);
  }

  @Test
  void theArgumentsOfAPodWithEveryAnnotationComeInWire18Order() {
    ObjectNode pod = everyAnnotationPod();
    Pods.annotate(pod, "dapr.io/app-ssl", "true");
    List<String> args = args(container(Pods.apply(patched(pod, "shop").operations(), pod), "containers", "daprd"));
    assertThat(args.get(0)).isEqualTo("/daprd");
    List<String> flags = new ArrayList<>();
    for (String a : args) {
      if (a.startsWith("--")) {
        flags.add(a.contains("=") ? a.substring(0, a.indexOf('=')) : a);
      }
    }
    assertThat(flags).containsExactlyElementsOf(WIRE_18_ORDER);
    assertThat(flag(args, "--placement-host-address")).as("quotes trimmed, as upstream").isEqualTo("placement.example:50005");
    assertThat(flag(args, "--scheduler-host-address")).isEqualTo("scheduler.example:50006");
    assertThat(flag(args, "--disable-init-endpoints")).isEqualTo("config, Subscribe");
    assertThat(flag(args, "--sentry-request-jwt-audiences")).isEqualTo("orders-api,billing");
    assertThat(flag(args, "--dapr-listen-addresses")).isEqualTo("0.0.0.0");
    assertThat(args).contains("--enable-api-logging=true");
  }

  @Test
  void aPodWithEveryAnnotationGetsEachOneAsUpstream118Does() {
    ObjectNode pod = everyAnnotationPod();
    JsonNode out = Pods.apply(patched(pod, "shop").operations(), pod);
    JsonNode daprd = container(out, "containers", "daprd");
    assertThat(daprd.path("image").asText()).isEqualTo("registry.example/daprd:1.18.2");
    assertThat(daprd.has("restartPolicy")).isFalse();
    assertThat(daprd.path("ports").toString()).doesNotContain("dapr-debug").contains("{\"containerPort\":9091,\"name\":\"dapr-metrics\"}");

    // env: the pod's, then the Secrets', DAPR_ENV_KEYS naming both, the components' folder, then the API tokens
    List<String> names = new ArrayList<>();
    daprd.path("env").forEach(e -> names.add(e.path("name").asText()));
    assertThat(names).containsExactly("NAMESPACE", "DAPR_TRUST_ANCHORS", "POD_NAME", "DAPR_CONTROLPLANE_NAMESPACE",
        "DAPR_CONTROLPLANE_TRUST_DOMAIN", "GOMAXPROCS", "API_KEY", "DB_PASSWORD", "DAPR_ENV_KEYS", "DAPR_COMPONENT_SOCKETS_FOLDER",
        "DAPR_API_TOKEN", "APP_API_TOKEN");
    Map<String, JsonNode> env = env(daprd);
    assertThat(env.get("API_KEY").path("valueFrom").toString()).isEqualTo("{\"secretKeyRef\":{\"name\":\"orders-keys\",\"key\":\"api\"}}");
    assertThat(env.get("DB_PASSWORD").path("valueFrom").toString())
        .as("without a key the Secret's name is the key, as upstream").isEqualTo("{\"secretKeyRef\":{\"name\":\"db-password\",\"key\":\"db-password\"}}");
    assertThat(env.get("DAPR_ENV_KEYS").path("value").asText()).isEqualTo("GOMAXPROCS API_KEY DB_PASSWORD");
    assertThat(env.get("DAPR_COMPONENT_SOCKETS_FOLDER").path("value").asText()).isEqualTo("/var/run/components");

    // mounts: the pod's volumes named by the annotations, the app's sockets, the token, the components' sockets
    assertThat(daprd.path("volumeMounts").toString()).isEqualTo("[{\"name\":\"certs\",\"mountPath\":\"/etc/orders/certs\",\"readOnly\":true},"
        + "{\"name\":\"scratch\",\"mountPath\":\"/var/scratch\"},"
        + "{\"name\":\"dapr-unix-domain-socket\",\"mountPath\":\"/var/run/dapr-sockets\"},"
        + "{\"name\":\"dapr-identity-token\",\"readOnly\":true,\"mountPath\":\"/var/run/secrets/dapr.io/sentrytoken\"},"
        + "{\"name\":\"dapr-components-unix-domain-socket\",\"mountPath\":\"/var/run/components\"}]");
    List<String> volumes = new ArrayList<>();
    out.path("spec").path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
    assertThat(volumes).containsExactly("certs", "scratch", "dapr-unix-domain-socket", "dapr-identity-token",
        "dapr-components-unix-domain-socket");

    // probes: the annotations over 1.18's defaults
    assertThat(daprd.path("readinessProbe").path("failureThreshold").asInt()).isEqualTo(3);
    assertThat(daprd.path("readinessProbe").path("periodSeconds").asInt()).isEqualTo(1);
    assertThat(daprd.path("livenessProbe").path("initialDelaySeconds").asInt()).isEqualTo(60);
    assertThat(daprd.path("securityContext").path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");

    // the app container is told daprd's ports and gets the app's sockets; the component container gets neither, only its folder
    JsonNode app = container(out, "containers", "orders");
    assertThat(env(app)).containsKeys("DAPR_HTTP_PORT", "DAPR_GRPC_PORT", "APP_PROTOCOL").doesNotContainKey("DAPR_COMPONENT_SOCKETS_FOLDER");
    assertThat(env(app).get("DAPR_GRPC_PORT").path("value").asText()).isEqualTo("50011");
    assertThat(app.path("volumeMounts").toString()).isEqualTo("[{\"name\":\"dapr-unix-domain-socket\",\"mountPath\":\"/var/run/app-sockets\"}]");
    JsonNode component = container(out, "containers", "queue-component");
    assertThat(env(component).keySet()).containsExactlyInAnyOrder("LOG", "DAPR_COMPONENT_SOCKETS_FOLDER");
    assertThat(component.path("volumeMounts").toString())
        .isEqualTo("[{\"name\":\"dapr-components-unix-domain-socket\",\"mountPath\":\"/var/run/components\"}]");
  }

  @Test
  void enableDebugRunsDaprdUnderDelveOnTheDebugPort() {
    ObjectNode pod = Pods.annotate(Pods.annotate(Pods.barePod("w"), "dapr.io/enable-debug", "true"), "dapr.io/debug-port", "40001");
    JsonNode daprd = container(Pods.apply(patched(pod, "default").operations(), pod), "containers", "daprd");
    List<String> args = args(daprd);
    // upstream: /dlv --listen :<port> --accept-multiclient --headless=true --log --api-version=2 exec /daprd -- <daprd's flags>
    assertThat(args.subList(0, 10)).containsExactly("/dlv", "--listen", ":40001", "--accept-multiclient", "--headless=true", "--log",
        "--api-version=2", "exec", "/daprd", "--");
    assertThat(args.subList(10, 12)).containsExactly("--dapr-http-port", "3500");
    assertThat(daprd.path("ports").get(4).toString()).isEqualTo("{\"containerPort\":40001,\"name\":\"dapr-debug\"}");
    ObjectNode plain = Pods.barePod("w");
    assertThat(args(container(Pods.apply(patched(plain, "default").operations(), plain), "containers", "daprd")).get(0))
        .isEqualTo("/daprd");
  }

  @Test
  void pluggableComponentsShareTheirSocketsInUpstreamsFolderUnlessThePodNamesAnother() {
    ObjectNode pod = Pods.annotate(Pods.barePod("w"), "dapr.io/pluggable-components", "queue");
    ((com.fasterxml.jackson.databind.node.ArrayNode) pod.path("spec").path("containers")).addObject().put("name", "queue")
        .put("image", "shop/queue:1");
    JsonNode patched = Pods.apply(patched(pod, "default").operations(), pod);
    for (String c : List.of("daprd", "queue")) {
      assertThat(PodPatchTest.env(container(patched, "containers", c)).get("DAPR_COMPONENT_SOCKETS_FOLDER").path("value").asText())
          .as(c).isEqualTo("/tmp/dapr-components-sockets");
    }
    Pods.annotate(pod, "dapr.io/pluggable-components-sockets-folder", "/var/run/components");
    JsonNode elsewhere = Pods.apply(patched(pod, "default").operations(), pod);
    assertThat(PodPatchTest.env(container(elsewhere, "containers", "daprd")).get("DAPR_COMPONENT_SOCKETS_FOLDER").path("value").asText())
        .isEqualTo("/var/run/components");
  }

  @Test
  void sslCertDirInTheEnvMakesDaprdTheWindowsAdministratorAsUpstream() {
    ObjectNode pod = Pods.annotate(Pods.barePod("w"), "dapr.io/env", "SSL_CERT_DIR=/certs");
    JsonNode sec = container(Pods.apply(patched(pod, "default").operations(), pod), "containers", "daprd").path("securityContext");
    assertThat(sec.path("windowsOptions").path("runAsUserName").asText()).isEqualTo("ContainerAdministrator");
    assertThat(sec.path("runAsNonRoot").asBoolean()).isFalse();
    assertThat(sec.path("readOnlyRootFilesystem").asBoolean()).isFalse();
  }

  @Test
  void everyAnnotationRefusesABadValueNamingTheAnnotationTheValueAndWhatItTakes() {
    for (Annotation a : Annotation.values()) {
      if (ANY_TEXT.contains(a.kind()) || a == Annotation.ENABLED) { // enabled: anything but a truthy value means no sidecar
        continue;
      }
      String bad = BAD.get(a.kind());
      assertThat(bad).as("a bad value for kind %s", a.kind()).isNotNull();
      String message = AnnotationValidationTest.rejection(a.key(), bad);
      assertThat(message).as(a.key()).contains("annotation " + a.key());
      if (a.kind() != Annotation.Kind.ENV) { // dapr.io/env's values may be secrets: its messages name variables only
        assertThat(message).as(a.key()).contains("\"" + bad + "\"", a.kind().accepted());
      }
    }
  }

  @Test
  void theNewerAnnotationsRefuseWhatDaprdOrKubernetesWouldNot() {
    assertThat(AnnotationValidationTest.rejection("dapr.io/actors-disseminate-timeout", "0m0.0s")).contains("above zero");
    assertThat(AnnotationValidationTest.rejection("dapr.io/sentry-request-jwt-audiences", "orders api")).contains("none with spaces");
    assertThat(AnnotationValidationTest.rejection("dapr.io/sidecar-svc-annotations", "dapr.io/app-id=other"))
        .contains("may not set dapr.io/app-id", "the operator sets it");
    assertThat(AnnotationValidationTest.rejection("dapr.io/sidecar-svc-annotations", "bad key=x")).contains("\"bad key=x\"");
    assertThat(AnnotationValidationTest.rejection("dapr.io/env-from-secret", "NAMESPACE=ns-secret")).contains("may not set NAMESPACE");
    assertThat(AnnotationValidationTest.rejection("dapr.io/env-from-secret", "TOKEN=a:b:c")).contains("\"TOKEN=a:b:c\"");
    assertThat(AnnotationValidationTest.rejection("dapr.io/volume-mounts", "data:relative")).contains("volume:/mount/path");
    assertThat(AnnotationValidationTest.rejection("dapr.io/volume-mounts", "a:/x,b:/x")).contains("\"a:/x,b:/x\"");
    assertThat(AnnotationValidationTest.rejection("dapr.io/inject-pluggable-components", "yes"))
        .contains("does not read Components", "dapr.io/pluggable-components");
    SidecarConfig ok = SidecarConfig.fromAnnotations(Map.of("dapr.io/actors-disseminate-timeout", "0.5s",
        "dapr.io/disable-init-endpoints", " SUBSCRIBE ", "dapr.io/sidecar-svc-annotations", "a=1,,example.com/b=",
        "dapr.io/inject-pluggable-components", "no", "dapr.io/env-from-secret", ""));
    assertThat(ok.string(Annotation.ACTORS_DISSEMINATE_TIMEOUT)).isEqualTo("0.5s");
  }

  @Test
  void whatTheAnnotationsNameMustBeInThePod() {
    ObjectNode noVolume = Pods.annotate(Pods.barePod("w"), "dapr.io/volume-mounts-rw", "scratch:/var/scratch");
    assertThat(((Outcome.Rejected) PodPatch.compute(noVolume, "default", PodPatchTest.SETTINGS)).message()).isEqualTo(
        "annotation dapr.io/volume-mounts-rw names volume \"scratch\", which the pod does not have: add it to spec.volumes or"
            + " remove it from the annotation");
    ObjectNode onToken = everyAnnotationPod();
    Pods.annotate(onToken, "dapr.io/volume-mounts", "certs:/var/run/secrets/dapr.io/sentrytoken");
    assertThat(((Outcome.Rejected) PodPatch.compute(onToken, "shop", PodPatchTest.SETTINGS)).message())
        .contains("dapr.io/volume-mounts", "where daprd already mounts the sentry token");
    ObjectNode noContainer = Pods.annotate(Pods.barePod("w"), "dapr.io/pluggable-components", "queue");
    assertThat(((Outcome.Rejected) PodPatch.compute(noContainer, "default", PodPatchTest.SETTINGS)).message())
        .contains("dapr.io/pluggable-components names container \"queue\"", "its containers: app");
    ObjectNode twice = Pods.annotate(Pods.annotate(Pods.barePod("w"), "dapr.io/env", "KEY=plain"), "dapr.io/env-from-secret", "KEY=s");
    assertThat(((Outcome.Rejected) PodPatch.compute(twice, "default", PodPatchTest.SETTINGS)).message())
        .contains("dapr.io/env and dapr.io/env-from-secret both set KEY");
  }
}
