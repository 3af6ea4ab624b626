package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.cli.InProcessCli.Result;
import io.daprx.manager.ManagerServer;
import io.daprx.manager.ServerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clusters and extensions printed as az prints them (properties flattened, every field of az's model present), and the
 * seed's registrations followed at once by a create, as when its commands are pasted as one block. In-process against
 * a real management server whose registrations take a second, with an Offline connected cluster (nothing to install).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AzShapeCommandTest {

  static final String RG = "rg1";

  @TempDir
  static Path home;
  static ManagerServer server;
  static Map<String, String> env;

  @BeforeAll
  static void startServer() throws IOException {
    int ports = 26000 + (int) (ProcessHandle.current().pid() % 20) * 192;
    server = new ManagerServer(new ServerOptions(home, "127.0.0.1", 0, null, null, null, Duration.ofSeconds(1), Duration.ofSeconds(1), ports,
        Duration.ofSeconds(30), List.of("java"), null, Duration.ofHours(1), Duration.ofHours(6)), Clock.systemUTC()).start();
    env = Map.of("DAPRX_HOME", home.toString(), "DAPRX_ENDPOINT", server.url());
    ok("extension", "add", "--name", "k8s-extension");
    ok("cluster", "create", "-g", RG, "-n", "local1");
    Path kubeconfig = home.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
        users: [{name: u, user: {token: t0k}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """);
    ok("connectedk8s", "connect", "-g", RG, "-n", "kube1", "--kubeconfig", kubeconfig.toString());
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  static Result run(String... args) {
    return InProcessCli.run(env, args);
  }

  static Result ok(String... args) {
    Result r = run(args);
    assertThat(r.code()).as("daprx %s\nstdout: %s\nstderr: %s", String.join(" ", args), r.out(), r.err()).isZero();
    return r;
  }

  static List<String> names(JsonNode o) {
    List<String> out = new ArrayList<>();
    o.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  @Order(1)
  void clustersPrintFlatWithAzFieldsSoScriptsReadTheirState() {
    assertThat(ok("cluster", "show", "-g", RG, "-n", "local1", "--query", "provisioningState", "-o", "tsv").out()).isEqualTo("Succeeded\n");
    JsonNode local = ok("cluster", "show", "-g", RG, "-n", "local1").json();
    assertThat(local.has("properties")).isFalse();
    assertThat(names(local)).contains("resourceGroup", "systemData", "identity", "powerState", "kubernetesVersion", "currentKubernetesVersion",
        "agentPoolProfiles", "fqdn", "location", "sku", "tags");
    assertThat(local.path("resourceGroup").asText()).isEqualTo(RG);
    assertThat(local.path("powerState").path("code").asText()).isEqualTo("Running");
    assertThat(ok("cluster", "list", "-o", "table").out()).contains("local1").contains("Running").contains("Succeeded");

    assertThat(ok("connectedk8s", "show", "-g", RG, "-n", "kube1", "--query", "{p: provisioningState, c: connectivityStatus}", "-o", "tsv").out())
        .isEqualTo("Succeeded\tOffline\n");
    JsonNode kube = ok("connectedk8s", "show", "-g", RG, "-n", "kube1").json();
    assertThat(names(kube)).contains("resourceGroup", "systemData", "identity", "agentVersion", "totalNodeCount", "distribution", "infrastructure");
    String row = ok("connectedk8s", "list", "-o", "table").out().lines().skip(2).findFirst().orElseThrow();
    assertThat(row.split("\\s{2,}")).as(row).containsExactly("kube1", "local", "Offline", "Succeeded");
  }

  @Test
  @Order(2)
  void createNamesOnlyWhatIsMissingAndWaitsOutRegistrationsInProgress() {
    String[] create = {"k8s-extension", "create", "-t", "connectedClusters", "-c", "kube1", "-g", RG, "--name", "dapr",
        "--extension-type", "Microsoft.Dapr", "--no-wait"};
    ok("feature", "register", "--namespace", "Microsoft.ContainerService", "--name", "AKS-ExtensionManager");
    ok("feature", "register", "--namespace", "Microsoft.ContainerService", "--name", "AKS-Dapr");
    Result missing = run(create);
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("(MissingSubscriptionRegistration)")
        .contains("daprx provider register --namespace Microsoft.KubernetesConfiguration")
        .contains("daprx provider register --namespace Microsoft.ContainerService")
        .as("the features are Registering, not missing").doesNotContain("feature register");

    // the seed's next lines, pasted together: the create meets both providers still Registering
    ok("provider", "register", "--namespace", "Microsoft.KubernetesConfiguration");
    ok("provider", "register", "--namespace", "Microsoft.ContainerService");
    ok(create);

    JsonNode ext = ok("k8s-extension", "show", "-t", "connectedClusters", "-c", "kube1", "-g", RG, "--name", "dapr").json();
    assertThat(ext.has("properties")).isFalse();
    assertThat(names(ext)).containsExactlyInAnyOrder("aksAssignedIdentity", "autoUpgradeMinorVersion", "configurationProtectedSettings",
        "configurationSettings", "currentVersion", "customLocationSettings", "errorInfo", "extensionType", "id", "identity",
        "isSystemExtension", "name", "packageUri", "plan", "provisioningState", "releaseTrain", "resourceGroup", "scope", "statuses",
        "systemData", "type", "version");
    assertThat(ext.path("resourceGroup").asText()).isEqualTo(RG);
    assertThat(ok("k8s-extension", "show", "-t", "connectedClusters", "-c", "kube1", "-g", RG, "--name", "dapr",
        "--query", "provisioningState", "-o", "tsv").out()).isEqualTo(ext.path("provisioningState").asText() + "\n").isNotEqualTo("\n");
    String row = ok("k8s-extension", "list", "-t", "connectedClusters", "-c", "kube1", "-g", RG, "-o", "table").out().lines().skip(2)
        .findFirst().orElseThrow();
    assertThat(row).startsWith("dapr").contains("microsoft.dapr").contains(ext.path("provisioningState").asText());
  }

  @Test
  @Order(3)
  void spinnerDrawsOnStderrWhenItIsATerminalWhateverStdoutIs() {
    TtyRulesTest.FakeTerminal stderrOnly = TtyRulesTest.FakeTerminal.typing(false, false, true);
    Result r = InProcessCli.run(env, stderrOnly, "provider", "register", "--namespace", "Microsoft.Kubernetes", "--wait");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains(" - Running ..\r").endsWith("\u001b[K");

    Result piped = InProcessCli.run(env, TtyRulesTest.FakeTerminal.typing(true, true, false), "provider", "unregister", "--namespace",
        "Microsoft.Kubernetes", "--wait");
    assertThat(piped.code()).as(piped.err()).isZero();
    assertThat(piped.err()).as("stderr is not a terminal").isEmpty();
  }
}
