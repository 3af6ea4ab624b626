package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions on a local cluster, end to end with real processes: one build installed under two version labels side by
 * side (the catalog's 0.1.0 is this build, 0.2.0 the same jar fetched from the catalog's distribution), an upgrade
 * that rolls every replica onto the other jar, then a broken release published to the catalog that the auto-upgrader
 * takes, whose health gate fails, and which is rolled back with the control plane healthy on the previous version.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpgradeIT {

  @TempDir
  static Path home;

  static Path catalog;
  static DaprxCli cli;
  static final String RG = "rg";
  static final String CLUSTER = "upgrades";
  static final String BUILD = io.daprx.manager.engine.Versions.CURRENT;
  /**
   * HA with two replicas each (the dashboard runs one, the scheduler always three): enough to see replicas replaced one at
   * a time.
   */
  static final int PODS = 4 * 2 + 3 + 1;

  @BeforeAll
  static void catalogWithTwoLabelsOfThisBuild() throws Exception {
    Path jar = Path.of("target", "daprx.jar").toAbsolutePath();
    Path mirror = Files.createDirectories(home.resolve("mirror"));
    Path copy = Files.copy(jar, mirror.resolve("daprx-0.2.0.jar"));
    catalog = home.resolve("catalog.json");
    writeCatalog(entry(BUILD, null) + ",\n" + entry("0.2.0", copy));
    cli = new DaprxCli(Files.createDirectories(home.resolve("daprx")), 28000 + (int) (ProcessHandle.current().pid() % 10) * 192, Map.of(
        "DAPRX_CATALOG", catalog.toString(),
        "DAPRX_AUTO_UPGRADE_INTERVAL", "2s",
        // twelve replicas replaced one after the other must fit (40 s did for nine, not for twelve on a busy machine)
        "DAPRX_RECONCILE_TIMEOUT", "60s"));
  }

  @AfterAll
  static void leaveNoProcessBehind() {
    if (cli != null) {
      assertThat(cli.stopAndFindLeftovers()).as("control-plane processes left running after 'server stop'").isEmpty();
    }
  }

  @Test
  @Order(1)
  void aPinnedVersionIsInstalledAndTheClusterListsWhatItCanRun() {
    cli.ok("cluster", "create", "-g", RG, "-n", CLUSTER);
    cli.ok("feature", "register", "--namespace", "Microsoft.ContainerService", "--name", "AKS-ExtensionManager");
    cli.ok("feature", "register", "--namespace", "Microsoft.ContainerService", "--name", "AKS-Dapr");
    cli.ok("provider", "register", "--namespace", "Microsoft.KubernetesConfiguration", "--wait");
    cli.ok("provider", "register", "--namespace", "Microsoft.ContainerService", "--wait");
    await().atMost(Duration.ofSeconds(30)).until(() -> cli.ok("feature", "list", "-o", "tsv", "--query",
        "[?contains(name, 'AKS-')].properties.state").out().trim().replace("\n", " ").equals("Registered Registered"));
    JsonNode ext = cli.ok("k8s-extension", "create", "-t", "managedClusters", "-c", CLUSTER, "-g", RG, "-n", "dapr",
        "--extension-type", "Microsoft.Dapr", "--auto-upgrade-minor-version", "false", "--version", BUILD,
        "--configuration-settings", "global.ha.replicaCount=2").json();
    assertThat(ext.path("provisioningState").asText()).isEqualTo("Succeeded");
    assertThat(ext.path("currentVersion").asText()).isEqualTo(BUILD);
    assertThat(cli.pods()).hasSize(PODS).allSatisfy(p -> assertThat(p.path("version").asText()).isEqualTo(BUILD));
  }

  @Test
  @Order(2)
  void turningAutoUpgradeOnMovesEveryReplicaToTheNewestVersionOfTheTrain() {
    JsonNode ext = cli.ok("k8s-extension", "update", "-t", "managedClusters", "-c", CLUSTER, "-g", RG, "-n", "dapr",
        "--auto-upgrade-minor-version", "true", "--yes").json();
    assertThat(ext.path("provisioningState").asText()).isEqualTo("Succeeded");
    assertThat(ext.path("currentVersion").asText()).isEqualTo("0.2.0");
    assertThat(ext.path("statuses").toString()).contains("VersionChanged").contains("Running sidecars are not restarted");
    JsonNode pods = cli.pods();
    assertThat(pods).hasSize(PODS).allSatisfy(p -> {
      assertThat(p.path("version").asText()).isEqualTo("0.2.0");
      assertThat(p.path("ready").asText()).isEqualTo("1/1");
    });
    // the scheduler's peers were replaced one at a time, like placement's: each started once the one before was ready
    List<java.time.Instant> started = java.util.stream.StreamSupport.stream(pods.spliterator(), false)
        .filter(p -> p.path("component").asText().equals("scheduler")).map(p -> java.time.Instant.parse(p.path("createdAt").asText()))
        .sorted().toList();
    assertThat(started).hasSize(3);
    for (int i = 1; i < started.size(); i++) {
      assertThat(Duration.between(started.get(i - 1), started.get(i))).as("scheduler replica %d started after the one before was ready", i)
          .isGreaterThan(Duration.ofMillis(500));
    }
    // the second version is installed beside the first, checked against the catalog's digest
    assertThat(home.resolve("daprx").resolve("versions").resolve("0.2.0").resolve("daprx.jar")).isRegularFile();
  }

  @Test
  @Order(3)
  void aReleaseThatFailsItsHealthGateIsRolledBackAndReported() throws Exception {
    Path broken = home.resolve("mirror").resolve("daprx-0.3.0.jar");
    writeBrokenJar(broken);
    writeCatalog(entry(BUILD, null) + ",\n" + entry("0.2.0", home.resolve("mirror").resolve("daprx-0.2.0.jar")) + ",\n" + entry("0.3.0", broken));

    // The auto-upgrader finds 0.3.0; its first sentry replica crash-loops, the gate times out, 0.2.0 comes back. All the
    // while the other sentry replica serves: a broken release never takes a component down.
    java.util.Set<String> seen = new java.util.TreeSet<>();
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      JsonNode pods = cli.pods();
      pods.forEach(pod -> seen.add(pod.path("version").asText()));
      long readySentries = java.util.stream.StreamSupport.stream(pods.spliterator(), false)
          .filter(pod -> pod.path("component").asText().equals("sentry") && pod.path("ready").asText().equals("1/1")).count();
      assertThat(readySentries).as("ready sentry replicas while 0.3.0 rolls out: " + pods).isGreaterThanOrEqualTo(1);
      return cli.ok("k8s-extension", "show", "-t", "managedClusters", "-c", CLUSTER, "-g", RG, "-n", "dapr").json()
          .path("statuses").toString().contains("AutoUpgradeRolledBack");
    });
    assertThat(seen).as("the broken version did start").contains("0.3.0");
    JsonNode ext = cli.ok("k8s-extension", "show", "-t", "managedClusters", "-c", CLUSTER, "-g", RG, "-n", "dapr").json();
    JsonNode p = ext;
    assertThat(p.path("provisioningState").asText()).isEqualTo("Succeeded");
    assertThat(p.path("currentVersion").asText()).isEqualTo("0.2.0");
    assertThat(p.path("statuses").get(0).path("level").asText()).isEqualTo("Error");
    assertThat(p.path("statuses").get(0).path("message").asText()).contains("auto-upgrade to 0.3.0 failed")
        .contains("is crash-looping").contains("rolled back to 0.2.0"); // failed fast, not at the 60 s timeout
    assertThat(cli.pods()).hasSize(PODS).allSatisfy(pod -> {
      assertThat(pod.path("version").asText()).isEqualTo("0.2.0");
      assertThat(pod.path("ready").asText()).isEqualTo("1/1");
    });
    // the failed version is not tried again at the next ticks: the extension stays idle and healthy
    await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() -> cli.ok("k8s-extension", "show", "-t", "managedClusters",
        "-c", CLUSTER, "-g", RG, "-n", "dapr", "--query", "provisioningState", "-o", "tsv").out().trim().equals("Succeeded"));
  }

  private static String entry(String version, Path jar) throws Exception {
    String dist = jar == null ? "" : ", \"distribution\": {\"url\": \"" + jar.toUri() + "\", \"sha256\": \"" + sha256(jar) + "\"}";
    return "{\"version\": \"" + version + "\", \"imageTag\": \"" + version + "\", \"daprVersion\": \"1.17.0\"" + dist + "}";
  }

  private static void writeCatalog(String entries) throws IOException {
    Path tmp = catalog.resolveSibling("catalog.json.tmp");
    Files.writeString(tmp, "{\"trains\": {\"stable\": [\n" + entries + "\n]}}\n");
    Files.move(tmp, catalog, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** A jar whose main class does not exist: every replica of it exits at once, as a bad release would. */
  private static void writeBrokenJar(Path jar) throws IOException {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "io.daprx.cli.DoesNotExist");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
      j.flush();
    }
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
