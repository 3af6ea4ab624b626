package io.daprx.cli;

import io.daprx.cli.InProcessCli.Result;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daprx.manager.ManagerServer;
import io.daprx.manager.ServerOptions;
import io.daprx.manager.engine.Versions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daprx k8s-extension extension-types list-versions-by-cluster} parsed and run in-process against a real
 * management server (in this JVM, with its own home and a catalog file), printed as a user sees it.
 */
class ExtensionTypesCommandTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String RG = "rg1";
  static final String LOCAL = "local1";
  static final String KUBE = "kube1";

  /**
   * Stable: 9.1.0 has no jar, so a local cluster cannot run it; 8.0.0 is out of the supported window (newest three
   * minors). Dev: this build (which a local cluster runs without a jar) and a pre-release with an image only.
   */
  static final String CATALOG = """
      {"trains": {
        "stable": [
          {"version": "8.0.0", "imageTag": "8.0.0", "daprVersion": "1.16.0", "distribution": %1$s},
          {"version": "9.0.0", "imageTag": "9.0.0", "daprVersion": "1.17.0", "distribution": %1$s},
          {"version": "9.1.0", "imageTag": "9.1.0", "daprVersion": "1.17.4"},
          {"version": "9.2.0", "imageTag": "9.2.0", "daprVersion": "1.18.0", "distribution": %1$s},
          {"version": "9.2.1", "imageTag": "9.2.1", "daprVersion": "1.18.1", "distribution": %1$s}
        ],
        "dev": [
          {"version": "%2$s", "imageTag": "%2$s", "daprVersion": "1.17.0"},
          {"version": "9.3.0-rc.1", "imageTag": "9.3.0-rc.1", "daprVersion": "1.18.1"}
        ]
      }}
      """.formatted("{\"url\": \"file:/opt/daprx/daprx.jar\", \"sha256\": \"" + "cd".repeat(32) + "\"}", Versions.CURRENT);

  @TempDir
  static Path home;
  static ManagerServer server;
  static Map<String, String> env;


  @BeforeAll
  static void startServerWithAClusterOfEachType() throws IOException {
    Path catalog = home.resolve("catalog.json");
    Files.writeString(catalog, CATALOG);
    int ports = 24000 + (int) (ProcessHandle.current().pid() % 20) * 192;
    server = new ManagerServer(new ServerOptions(home, "127.0.0.1", 0, null, null, null, Duration.ZERO, Duration.ZERO, ports,
        Duration.ofSeconds(30), List.of("java"), catalog.toString(), Duration.ofHours(1), Duration.ofHours(6)), Clock.systemUTC()).start();
    env = Map.of("DAPRX_HOME", home.toString(), "DAPRX_ENDPOINT", server.url());
    ok("extension", "add", "--name", "k8s-extension"); // else the first k8s-extension command warns that it installs it
    ok("cluster", "create", "-g", RG, "-n", LOCAL);
    Path kubeconfig = home.resolve("kubeconfig");
    // an API server no one answers at: the cluster is stored Offline, which is enough to list what it could install
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
        users: [{name: u, user: {token: t0k}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """);
    ok("connectedk8s", "connect", "-g", RG, "-n", KUBE, "--kubeconfig", kubeconfig.toString());
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

  static Result versions(String clusterType, String cluster, String... more) {
    String[] base = {"k8s-extension", "extension-types", "list-versions-by-cluster", "-g", RG, "-c", cluster, "-t", clusterType,
        "--extension-type", "Microsoft.Dapr"};
    String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return run(args);
  }

  @Test
  void tableShowsTheSupportedVersionsALocalClusterCanRun() {
    Result r = versions("managedClusters", LOCAL, "-o", "table");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("""
        Version    ReleaseTrain    DaprVersion    ClusterTypes
        ---------  --------------  -------------  ----------------------------------
        9.0.0      Stable          1.17.0         connectedClusters, managedClusters
        9.2.1      Stable          1.18.1         connectedClusters, managedClusters
        """);
  }

  @Test
  void connectedClusterListsEveryVersionOfTheWindowAsArmResources() {
    JsonNode v = versions("connectedClusters", KUBE).json();

    assertThat(v).hasSize(3);
    assertThat(v.findValuesAsText("name")).containsExactly("9.0.0", "9.1.0", "9.2.1");
    JsonNode image = v.get(1);
    assertThat(image.path("type").asText()).isEqualTo("Microsoft.KubernetesConfiguration/extensionTypes/versions");
    assertThat(image.path("id").asText()).endsWith("/providers/Microsoft.Kubernetes/connectedClusters/" + KUBE
        + "/providers/Microsoft.KubernetesConfiguration/extensionTypes/microsoft.dapr/versions/9.1.0");
    assertThat(image.path("properties").path("daprVersion").asText()).isEqualTo("1.17.4");
    assertThat(image.path("properties").path("supportedClusterTypes").toString()).isEqualTo("[\"connectedClusters\"]");
  }

  @Test
  void showLatestMajorVersionAndReleaseTrainNarrowTheList() {
    assertThat(versions("connectedClusters", KUBE, "--show-latest", "--query", "[].name", "-o", "tsv").out()).isEqualTo("9.2.1\n");
    assertThat(versions("connectedClusters", KUBE, "--major-version", "8", "-o", "json").json()).isEmpty();
    assertThat(versions("connectedClusters", KUBE, "--major-version", "9", "--query", "length(@)", "-o", "tsv").out()).isEqualTo("3\n");
    assertThat(versions("connectedClusters", KUBE, "--release-train", "dev", "--query", "[].properties.[version, releaseTrain]", "-o", "tsv")
        .out()).isEqualTo(Versions.CURRENT + "\tDev\n9.3.0-rc.1\tDev\n");
    assertThat(versions("managedClusters", LOCAL, "--release-train", "dev", "--query", "[].name", "-o", "tsv").out())
        .as("a local cluster runs this build without a jar, not the image-only pre-release").isEqualTo(Versions.CURRENT + "\n");
    assertThat(versions("managedClusters", LOCAL, "--show-latest", "-o", "yaml").out()).contains("version: 9.2.1").doesNotContain("9.0.0");
  }

  @Test
  void errorsAreReportedAsForEveryOtherCommand() {
    Result unknownType = run("k8s-extension", "extension-types", "list-versions-by-cluster", "-g", RG, "-c", LOCAL,
        "--extension-type", "Microsoft.Flux");
    assertThat(unknownType.code()).isEqualTo(3);
    assertThat(unknownType.out()).isEmpty();
    assertThat(unknownType.err()).startsWith("ERROR: (ExtensionTypeNotFound) Extension type 'Microsoft.Flux' is not available");

    Result badTrain = versions("managedClusters", LOCAL, "--release-train", "nightly");
    assertThat(badTrain.code()).isEqualTo(1);
    assertThat(badTrain.err()).startsWith("ERROR: (InvalidReleaseTrain) ").contains("nightly").contains("stable");

    Result noCluster = versions("managedClusters", "nosuch");
    assertThat(noCluster.code()).isEqualTo(3);
    assertThat(noCluster.err()).startsWith("ERROR: (ResourceNotFound) ").contains("nosuch");

    Result badType = versions("otherClusters", LOCAL);
    assertThat(badType.code()).isEqualTo(1);
    assertThat(badType.err()).isEqualTo("ERROR: invalid --cluster-type 'otherClusters': use managedClusters or connectedClusters\n");

    Result noExtensionType = run("k8s-extension", "extension-types", "list-versions-by-cluster", "-g", RG, "-c", LOCAL);
    assertThat(noExtensionType.code()).isEqualTo(2);
    assertThat(noExtensionType.err()).contains("Missing required option: '--extension-type=<extensionType>'");
  }

  @Test
  void helpNamesTheGroupAndItsOptions() {
    assertThat(ok("k8s-extension", "--help").out()).contains("extension-types");
    assertThat(ok("k8s-extension", "extension-types", "--help").out()).contains("list-versions-by-cluster");
    assertThat(ok("k8s-extension", "extension-types", "list-versions-by-cluster", "--help").out())
        .contains("--resource-group", "--cluster-name", "--cluster-type", "--extension-type", "--release-train", "--major-version",
            "--show-latest", "--query", "--output");
  }
}
