package io.daprx.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Our injector's output accepted by the real daprd: {@code daprx inject} (the webhook's code path, offline) on a
 * realistically annotated pod; the daprd container's exact {@code args} and {@code env} are run with upstream's
 * binary, only addresses, ports and paths rewritten to the local cluster's. A flag our injector writes that daprd does
 * not know would end daprd at once with "unknown flag".
 */
@InteropScenario
@Order(3)
class InjectedSidecarIT {

  static final String POD = "orders-7d9f8b6c5-x2x4q";
  static final String POD_NAMESPACE = "shop";
  /** What a pod names when a scheduler exists; rewritten to the fixture's. Without one the pod says "" (scheduler off). */
  static final String SCHEDULER_IN_CLUSTER = "dapr-scheduler-server-a.dapr-system.svc.cluster.local:443";

  static Interop interop;
  static String appId;
  static List<String> injectedArgs;
  static List<String> rewrittenArgs;
  static Map<String, String> env;
  static TestApp app;
  static Daprd daprd;
  /** Where daprd's sockets go here: a short path (a socket's path is at most 107 bytes) for the pod's emptyDir. */
  static Path socketDir;

  @BeforeAll
  static void injectAndStart(Interop fixture) throws Exception {
    interop = fixture;
    appId = interop.appId("orders");
    Path dir = Files.createDirectories(interop.dir().resolve("injected"));
    Path pod = dir.resolve("pod.yaml");
    Files.writeString(pod, """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: %s
          labels:
            app: orders
          annotations:
            dapr.io/enabled: "true"
            dapr.io/app-id: "%s"
            dapr.io/app-port: "8080"
            dapr.io/app-protocol: "http"
            dapr.io/config: "appconfig"
            dapr.io/log-level: "debug"
            dapr.io/log-as-json: "true"
            dapr.io/enable-metrics: "true"
            dapr.io/metrics-port: "9090"
            dapr.io/enable-api-logging: "true"
            dapr.io/enable-app-health-check: "true"
            dapr.io/app-health-check-path: "/healthz"
            dapr.io/app-health-probe-interval: "3"
            dapr.io/app-health-probe-timeout: "200"
            dapr.io/app-health-threshold: "2"
            dapr.io/app-max-concurrency: "10"
            dapr.io/graceful-shutdown-seconds: "10"
            dapr.io/block-shutdown-duration: "5s"
            dapr.io/max-body-size: "8Mi"
            dapr.io/read-buffer-size: "16Ki"
            dapr.io/disable-builtin-k8s-secret-store: "true"
            dapr.io/sidecar-cpu-request: "100m"
            dapr.io/sidecar-memory-limit: "256Mi"
            dapr.io/env: "FOO=bar,LOG_STYLE=plain"
            dapr.io/sentry-request-jwt-audiences: "orders-api"
            dapr.io/actors-disseminate-timeout: "20s"
            dapr.io/disable-init-endpoints: "subscribe"
            dapr.io/scheduler-host-address: "%s"
            dapr.io/http-max-request-size: "8"
            dapr.io/http-read-buffer-size: "16"
            dapr.io/unix-domain-socket-path: "/var/run/app-sockets"
        spec:
          containers:
          - name: orders
            image: example.com/shop/orders:1.4.2
            ports:
            - containerPort: 8080
        """.formatted(POD, POD_NAMESPACE, appId, interop.schedulerAddress().isPresent() ? SCHEDULER_IN_CLUSTER : ""));
    String injected = interop.cluster().cli().ok("inject", "-f", pod.toString(),
        "--trust-anchors-file", interop.cluster().trustAnchorsFile().toString()).out();
    Files.writeString(dir.resolve("injected.yaml"), injected);
    JsonNode container = daprdContainer(injected);
    injectedArgs = new ArrayList<>();
    container.path("args").forEach(a -> injectedArgs.add(a.asText()));
    if (container.has("command")) {
      container.path("command").forEach(a -> injectedArgs.add(0, a.asText()));
    }

    app = interop.track(TestApp.plain("orders-app"));
    int http = Ports.free();
    int internal = Ports.free();
    int pub = Ports.free();
    Path config = dir.resolve("appconfig.yaml");
    Files.writeString(config, """
        apiVersion: dapr.io/v1alpha1
        kind: Configuration
        metadata:
          name: appconfig
        spec:
          tracing:
            samplingRate: "1"
        """);
    Map<String, String> values = new LinkedHashMap<>();
    values.put("--dapr-http-port", "" + http);
    values.put("--dapr-grpc-port", "" + Ports.free());
    values.put("--dapr-internal-grpc-port", "" + internal);
    values.put("--dapr-public-port", "" + pub);
    values.put("--metrics-port", "" + Ports.free());
    values.put("--app-port", "" + app.port());
    // kubernetes mode needs a projected service-account token and the Kubernetes API; the flags are the same
    values.put("--mode", "standalone");
    values.put("--sentry-address", interop.cluster().sentryAddress());
    values.put("--control-plane-address", interop.cluster().operatorAddress());
    values.put("--placement-host-address", String.join(",", interop.cluster().placementAddresses()));
    // in standalone mode --config is a file
    values.put("--config", config.toString());
    interop.schedulerAddress().ifPresent(a -> values.put("--scheduler-host-address", a));
    // the injected /var/run/dapr-sockets is the pod's in-memory emptyDir; here a temp dir plays it
    socketDir = Files.createTempDirectory(Path.of("/tmp"), "dsock-");
    values.put("--unix-domain-socket", socketDir.toString());
    rewrittenArgs = rewrite(injectedArgs, values);
    env = resolveEnv(container.path("env"));
    daprd = interop.start(new Daprd.Spec(appId, rewrittenArgs, env, http, pub, internal));
  }

  @AfterAll
  static void stop() {
    if (daprd != null) {
      daprd.close();
    }
    if (app != null) {
      app.close();
    }
    if (socketDir != null) {
      try (var files = Files.list(socketDir)) {
        files.forEach(f -> f.toFile().delete());
      } catch (java.io.IOException e) {
        // a leftover temp dir is harmless
      }
      socketDir.toFile().delete();
    }
  }

  @Test
  void theRealDaprdAcceptsEveryFlagOurInjectorWrites() {
    // healthy, or exited: either way, as soon as we know
    await("injected daprd healthy or exited").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> !daprd.isAlive() || daprd.healthz() == 204);
    String log = daprd.logText();
    assertThat(log).as("daprd's complaint about a flag our injector wrote").doesNotContain("unknown flag")
        .doesNotContain("flag provided but not defined").doesNotContain("invalid argument \"");
    assertThat(daprd.isAlive()).as("daprd exited (%s) with the injected arguments %s", daprd.exitCode(), rewrittenArgs).isTrue();
    assertThat(daprd.healthz()).as("healthz on the public port, as the injected readiness probe asks").isEqualTo(204);
    // and it stays up
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(daprd::isAlive);
    // the flags of the newest annotations reached daprd too
    assertThat(rewrittenArgs).contains("--actors-disseminate-timeout", "--sentry-request-jwt-audiences", "--disable-init-endpoints",
        "--scheduler-host-address");
    // and those of the deprecated ones, which daprd 1.18 still takes (warning that they are deprecated)
    assertThat(rewrittenArgs).contains("--dapr-http-max-request-size", "--dapr-http-read-buffer-size", "--unix-domain-socket");
    // --unix-domain-socket moves daprd's HTTP and gRPC APIs onto sockets in that directory
    assertThat(socketDir.resolve("dapr-" + appId + "-http.socket")).exists();
    assertThat(socketDir.resolve("dapr-" + appId + "-grpc.socket")).exists();
    if (interop.schedulerAddress().isEmpty()) {
      // --scheduler-host-address "" is how a pod turns the scheduler off; daprd 1.18 takes it so
      assertThat(log).contains("No scheduler host addresses provided. Scheduler disabled");
    }
    interop.record("injector: daprd args accepted", (injectedArgs.size() - 1) + " args, " + env.size() + " env vars, healthz 204");
  }

  @Test
  void theInjectedEnvironmentGivesDaprdItsIdentityFromOurSentry() throws Exception {
    await().atMost(Duration.ofSeconds(60)).until(() -> daprd.healthz() == 204);
    // no trust-anchors or control-plane flags: DAPR_TRUST_ANCHORS and DAPR_CONTROLPLANE_* as the injector set them
    assertThat(rewrittenArgs).doesNotContain("--control-plane-trust-domain", "--control-plane-namespace");
    assertThat(env.get("DAPR_TRUST_ANCHORS").strip()).isEqualTo(interop.cluster().trustAnchorsPem().strip());
    assertThat(daprd.logText()).contains("Security is initialized successfully");
    // the HTTP API is on the unix socket (dapr.io/unix-domain-socket-path), not on --dapr-http-port
    JsonNode md = metadataOverSocket();
    assertThat(md.path("id").asText()).isEqualTo(appId);
    JsonNode appConnection = md.path("appConnectionProperties");
    assertThat(appConnection.path("port").asInt()).isEqualTo(app.port());
    assertThat(appConnection.path("maxConcurrency").asInt()).isEqualTo(10);
    assertThat(appConnection.path("health").path("healthCheckPath").asText()).isEqualTo("/healthz");
  }

  /**
   * {@code dapr.io/app-ssl} (deprecated) on a pod of its own: daprd would speak TLS to the realistic pod's plain-HTTP
   * app and wait for it forever, so this pod has no app port, and daprd shows what it made of the flag.
   */
  @Test
  void theDeprecatedAppSslReachesDaprdWhichMakesTheProtocolHttps() throws Exception {
    Path dir = Files.createDirectories(interop.dir().resolve("injected-app-ssl"));
    Path pod = dir.resolve("pod.yaml");
    String sslAppId = interop.appId("legacy");
    Files.writeString(pod, """
        apiVersion: v1
        kind: Pod
        metadata:
          name: legacy-0
          namespace: %s
          annotations:
            dapr.io/enabled: "true"
            dapr.io/app-id: "%s"
            dapr.io/app-ssl: "true"
            dapr.io/scheduler-host-address: ""
        spec:
          containers:
          - name: legacy
            image: example.com/shop/legacy:1
        """.formatted(POD_NAMESPACE, sslAppId));
    String injected = interop.cluster().cli().ok("inject", "-f", pod.toString(),
        "--trust-anchors-file", interop.cluster().trustAnchorsFile().toString()).out();
    JsonNode container = daprdContainer(injected);
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asText()));
    assertThat(args).contains("--app-ssl");
    int http = Ports.free();
    int internal = Ports.free();
    int pub = Ports.free();
    Map<String, String> values = new LinkedHashMap<>();
    values.put("--dapr-http-port", "" + http);
    values.put("--dapr-grpc-port", "" + Ports.free());
    values.put("--dapr-internal-grpc-port", "" + internal);
    values.put("--dapr-public-port", "" + pub);
    values.put("--metrics-port", "" + Ports.free());
    values.put("--mode", "standalone");
    values.put("--sentry-address", interop.cluster().sentryAddress());
    values.put("--control-plane-address", interop.cluster().operatorAddress());
    values.put("--placement-host-address", String.join(",", interop.cluster().placementAddresses()));
    values.put("--scheduler-host-address", interop.schedulerAddress().orElse(""));
    try (Daprd legacy = interop.start(new Daprd.Spec(sslAppId, rewrite(args, values), resolveEnv(container.path("env")), http, pub,
        internal))) {
      legacy.awaitHealthy(Duration.ofSeconds(60));
      assertThat(legacy.logText()).contains("Flag --app-ssl has been deprecated").doesNotContain("unknown flag");
      assertThat(legacy.metadata().path("appConnectionProperties").path("protocol").asText()).isEqualTo("https");
    }
  }

  /** {@code GET /v1.0/metadata} on daprd's HTTP socket; HTTP/1.0, so the answer is neither chunked nor kept alive. */
  static JsonNode metadataOverSocket() throws Exception {
    Path socket = socketDir.resolve("dapr-" + appId + "-http.socket");
    try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
      ch.write(java.nio.ByteBuffer.wrap("GET /v1.0/metadata HTTP/1.0\r\nHost: localhost\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8192);
      while (ch.read(buf) >= 0) {
        all.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      String response = all.toString(java.nio.charset.StandardCharsets.UTF_8);
      assertThat(response).as("metadata over %s", socket).startsWith("HTTP/1.").contains(" 200 ");
      return DaprxCli.JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }
  }

  /** The injector's daprd container of the first document (a Pod: in containers, or initContainers when native). */
  static JsonNode daprdContainer(String yaml) throws Exception {
    try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isNull() || doc.isMissingNode()) {
          continue;
        }
        for (String list : List.of("containers", "initContainers")) {
          for (JsonNode c : doc.path("spec").path(list)) {
            if (c.path("name").asText().equals("daprd")) {
              return c;
            }
          }
        }
      }
    }
    throw new AssertionError("daprx inject wrote no daprd container:\n" + yaml);
  }

  /**
   * The injected arguments with the values of {@code values}' flags replaced ({@code --flag value} or
   * {@code --flag=value}); the program name ({@code /daprd}) dropped. Every flag to rewrite must be there: a flag our
   * injector stopped writing would otherwise go unnoticed.
   */
  static List<String> rewrite(List<String> args, Map<String, String> values) {
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = args.get(0).startsWith("-") ? 0 : 1; i < args.size(); i++) {
      String a = args.get(i);
      int eq = a.indexOf('=');
      String flag = eq > 0 ? a.substring(0, eq) : a;
      if (!values.containsKey(flag)) {
        out.add(a);
      } else if (eq > 0) {
        out.add(flag + "=" + values.get(flag));
        seen.add(flag);
      } else {
        out.add(a);
        out.add(values.get(flag));
        seen.add(flag);
        i++;
      }
    }
    assertThat(seen).as("flags of the injected daprd to point at the local cluster, in %s", args).containsExactlyInAnyOrderElementsOf(values.keySet());
    return out;
  }

  /** The container's env with the downward API resolved as the kubelet would for this pod. */
  static Map<String, String> resolveEnv(JsonNode env) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode e : env) {
      String name = e.path("name").asText();
      if (e.has("value")) {
        out.put(name, e.path("value").asText());
        continue;
      }
      String field = e.path("valueFrom").path("fieldRef").path("fieldPath").asText();
      switch (field) {
        case "metadata.name" -> out.put(name, POD);
        case "metadata.namespace" -> out.put(name, POD_NAMESPACE);
        default -> throw new AssertionError("env " + name + " comes from " + e.path("valueFrom") + ", which this test cannot resolve");
      }
    }
    return out;
  }
}
