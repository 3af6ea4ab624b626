package io.daprx.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * daprd 1.18 in Kubernetes mode, where it reads its resources from our operator: every list and update stream it
 * opens — the 1.18 MCPServer and WorkflowAccessPolicy ones included — is served (no "not supported by the Dapr control
 * plane" fallback), scopes decide what it gets, a new resource is hot-reloaded, and re-applying or touching an unchanged
 * file sends nothing that would make it restart. Run as a plain process: no API server, so no service-account token
 * (the local sentry's standalone validator) and the built-in Kubernetes secret store off, as the injector can ask.
 */
@InteropScenario
@Order(8)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesModeSidecarIT {

  static final String NS = "agents";
  static final String CONFIG = "agentconfig";

  static Interop interop;
  static String appId;
  static Path resources;
  static Daprd daprd;

  @BeforeAll
  static void applyAndStart(Interop fixture) throws Exception {
    interop = fixture;
    appId = interop.appId("agent");
    Path dir = Files.createDirectories(interop.dir().resolve("kubernetes-mode"));
    resources = dir.resolve("resources.yaml");
    Files.writeString(resources, """
        apiVersion: dapr.io/v1alpha1
        kind: Configuration
        metadata:
          name: %2$s
          namespace: %1$s
        spec:
          tracing:
            samplingRate: "0"
        ---
        apiVersion: dapr.io/v1alpha1
        kind: MCPServer
        metadata:
          name: weather
          namespace: %1$s
        spec:
          # no MCP server listens there: daprd connects at load, and would end on the failure without this
          ignoreErrors: true
          endpoint:
            streamableHTTP:
              url: http://127.0.0.1:9/mcp
              headers:
              - name: X-Team
                value: agents
        scopes:
        - %3$s
        ---
        apiVersion: dapr.io/v1alpha1
        kind: MCPServer
        metadata:
          name: not-for-this-app
          namespace: %1$s
        spec:
          # no MCP server listens there: daprd connects at load, and would end on the failure without this
          ignoreErrors: true
          endpoint:
            sse:
              url: http://127.0.0.1:9/sse
        scopes:
        - someone-else
        ---
        apiVersion: dapr.io/v1alpha1
        kind: WorkflowAccessPolicy
        metadata:
          name: orders-only
          namespace: %1$s
        spec:
          rules:
          - callers:
            - appID: orders
            workflows:
            - name: ProcessOrder
              operations: [schedule, get]
        scopes:
        - %3$s
        """.formatted(NS, CONFIG, appId));
    interop.cluster().cli().ok("apply", "-f", resources.toString());

    LocalCluster cluster = interop.cluster();
    int http = Ports.free();
    int internal = Ports.free();
    int pub = Ports.free();
    List<String> args = new ArrayList<>(List.of(
        "--app-id", appId, "--mode", "kubernetes",
        "--dapr-http-port", "" + http, "--dapr-grpc-port", "" + Ports.free(), "--dapr-internal-grpc-port", "" + internal,
        "--dapr-public-port", "" + pub, "--metrics-port", "" + Ports.free(), "--dapr-listen-addresses", "127.0.0.1",
        "--enable-mtls", "--sentry-address", cluster.sentryAddress(), "--control-plane-address", cluster.operatorAddress(),
        // Kubernetes mode dials only the first address (a headless Service's name that resolves to every replica,
        // where daprd finds the leader); here each replica has its own port, so the leader's is given
        "--placement-host-address", placementLeader(cluster),
        "--config", CONFIG, "--disable-builtin-k8s-secret-store", "--log-level", "debug"));
    interop.schedulerAddress().ifPresent(s -> args.addAll(List.of("--scheduler-host-address", s)));
    // the environment our injector gives a pod (DAPR_CONTROLPLANE_*, NAMESPACE, POD_NAME, the anchors); daprd refuses
    // to run as root in Kubernetes mode unless told this is not a container
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DAPR_TRUST_ANCHORS", cluster.trustAnchorsPem());
    env.put("DAPR_CONTROLPLANE_NAMESPACE", LocalCluster.CONTROL_PLANE_NAMESPACE);
    env.put("DAPR_CONTROLPLANE_TRUST_DOMAIN", LocalCluster.CONTROL_PLANE_TRUST_DOMAIN);
    env.put("NAMESPACE", NS);
    env.put("POD_NAME", appId + "-6b7f9c8d4-q2w7x");
    env.put("DAPR_UNSAFE_SKIP_CONTAINER_UID_GID_CHECK", "true");
    // the operator picks the applied files up at its next look at the resources directory; a daprd that asked first
    // exits ("Configuration not found") and, as the kubelet would, is started again
    Daprd.Spec spec = new Daprd.Spec(appId, args, env, http, pub, internal);
    daprd = interop.start(spec);
    await("daprd in Kubernetes mode healthy").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
      if (!daprd.isAlive()) {
        assertThat(daprd.logText()).as("daprd exited for another reason than a Configuration not served yet")
            .contains("Configuration(" + NS + "/" + CONFIG + ") not found");
        daprd.close();
        daprd = interop.start(spec);
      }
      return daprd.healthz() == 204;
    });
  }

  static String placementLeader(LocalCluster cluster) {
    LocalCluster.Pod leader = await("a placement leader").atMost(Duration.ofSeconds(30)).until(cluster::placementLeader,
        java.util.Optional::isPresent).orElseThrow().getKey();
    return "127.0.0.1:" + leader.ports().get("grpc"); // a local replica names its gRPC port so (a Kubernetes pod: api)
  }

  @AfterAll
  static void stop() {
    if (daprd != null) {
      daprd.close();
    }
  }

  static List<String> names(JsonNode metadata, String field) {
    List<String> out = new ArrayList<>();
    metadata.path(field).forEach(n -> out.add(n.path("name").asText()));
    return out;
  }

  @Test
  @Order(1)
  void everyStreamAndListOfA118SidecarIsServedWithTheResourcesInItsScope() {
    await("MCP servers and policies in daprd's metadata").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> !names(daprd.metadata(), "mcpServers").isEmpty() && !names(daprd.metadata(), "workflowAccessPolicies").isEmpty());
    JsonNode metadata = daprd.metadata();
    assertThat(names(metadata, "mcpServers")).as("scoped to this app only").containsExactly("weather");
    assertThat(names(metadata, "workflowAccessPolicies")).containsExactly("orders-only");
    String log = daprd.logText();
    assertThat(log).as("daprd's fallback for an rpc our operator would not implement")
        .doesNotContain("not supported by the Dapr control plane").doesNotContain("Unimplemented");
    assertThat(log).contains("MCPServer loaded");
    interop.record("kubernetes mode: 1.18 resources", names(metadata, "mcpServers") + " " + names(metadata, "workflowAccessPolicies"));
  }

  @Test
  @Order(2)
  void reApplyingOrTouchingUnchangedResourcesSendsNothingThatRestartsDaprd() throws Exception {
    String before = daprd.logText();
    interop.cluster().cli().ok("apply", "-f", resources.toString());
    Files.setLastModifiedTime(resources, FileTime.from(Instant.now()));
    interop.cluster().cli().ok("apply", "-f", resources.toString());
    // daprd restarts itself (SIGHUP) on a real change of its Configuration: nothing of the kind for the same content
    await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() -> {
      String added = daprd.logText().substring(before.length());
      return !added.contains("SIGHUP") && !added.contains("Received reload");
    });
    assertThat(daprd.isAlive()).isTrue();
    assertThat(daprd.healthz()).isEqualTo(204);
  }

  @Test
  @Order(3)
  void aNewMcpServerReachesTheRunningSidecarWithoutARestart() throws Exception {
    Path added = resources.resolveSibling("calendar.yaml");
    Files.writeString(added, """
        apiVersion: dapr.io/v1alpha1
        kind: MCPServer
        metadata:
          name: calendar
          namespace: %s
        spec:
          # no MCP server listens there: daprd connects at load, and would end on the failure without this
          ignoreErrors: true
          endpoint:
            streamableHTTP:
              url: http://127.0.0.1:9/calendar
        """.formatted(NS));
    String before = daprd.logText();
    interop.cluster().cli().ok("apply", "-f", added.toString());
    await("calendar hot-reloaded").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> names(daprd.metadata(), "mcpServers").contains("calendar"));
    assertThat(names(daprd.metadata(), "mcpServers")).containsExactlyInAnyOrder("weather", "calendar");
    assertThat(daprd.logText().substring(before.length())).doesNotContain("SIGHUP");
  }
}
