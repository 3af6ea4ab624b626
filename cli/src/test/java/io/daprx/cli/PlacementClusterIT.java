package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.common.pki.Pem;
import io.daprx.placement.sim.SidecarFleet;
import io.daprx.placement.sim.SidecarSpec;
import io.daprx.placement.sim.SimulatedSidecar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Placement in a local HA install, with real processes: replicas elect a leader over mTLS, sidecars
 * (simulated, with SVIDs from the cluster's sentry) get one table, and when the leader is killed another
 * replica serves and the sidecars that reconnect get a fresh table.
 */
class PlacementClusterIT {

  @TempDir
  static Path home;

  static DaprxCli cli;
  static List<X509Certificate> anchors;
  static String sentryAddress;

  @BeforeAll
  static void installTheControlPlane() throws Exception {
    cli = new DaprxCli(home, 26000 + (int) (ProcessHandle.current().pid() % 25) * 192); // below the kernel's ephemeral ports
    cli.ok("cluster", "create", "-g", "rg", "-n", "actors");
    cli.registerForDapr();
    cli.ok("k8s-extension", "create", "-t", "managedClusters", "-c", "actors", "-g", "rg", "-n", "dapr", "--extension-type", "Microsoft.Dapr");
    cli.ok("mtls", "export", "-g", "rg", "-n", "actors", "--out", home.resolve("trust").toString());
    anchors = Pem.parseCertificates(Files.readString(home.resolve("trust/ca.crt")));
    sentryAddress = cli.ok("get", "services", "-n", "dapr-system", "-o", "tsv", "--query", "[?name=='dapr-sentry'].address | [0]").out().trim();
  }

  @AfterAll
  static void stopEverything() {
    assertThat(cli.stopAndFindLeftovers()).isEmpty();
  }

  @Test
  void sidecarsAgreeOnOneTableAndGetAFreshOneFromTheNextLeader() throws Exception {
    try (LeaderSidecars leaders = new LeaderSidecars(cli, sentryAddress, anchors)) {
      List<SimulatedSidecar> sidecars = new ArrayList<>();
      String leaderName = null;
      for (String app : List.of("cart", "orders", "payments")) {
        SidecarSpec spec = SidecarSpec.of("127.0.0.1:" + (40000 + sidecars.size()), app, "shop", "Cart", app.equals("orders") ? "Order" : "Cart");
        LeaderSidecars.Connected c = leaders.connect(spec);
        sidecars.add(c.sidecar());
        leaderName = c.replica();
      }
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        Map<String, Set<String>> expected = SidecarFleet.expectedTable(sidecars);
        for (SimulatedSidecar s : sidecars) {
          assertThat(s.table()).isNotNull();
          assertThat(SidecarFleet.hostsByType(s.table().parsed())).isEqualTo(expected);
        }
      });

      // kill -9 the leader: another replica leads within seconds, and sidecars that reconnect get a fresh table
      // 'placement lookup' finds the leader among the cluster's replicas and answers as daprd's ring would
      JsonNode owner = cli.ok("placement", "lookup", "--actor-type", "Cart", "--actor-id", "42", "-n", "shop").json();
      assertThat(owner.path("host").asText()).isIn(SidecarFleet.expectedTable(sidecars).get("Cart"));
      assertThat(cli.ok("placement", "lookup", "--actor-type", "Cart", "--actor-id", "42", "-n", "shop", "-o", "tsv", "--query", "host").out().trim())
          .isEqualTo(owner.path("host").asText());
      DaprxCli.Run missing = cli.run("placement", "lookup", "--actor-type", "Nope", "--actor-id", "1", "-n", "shop");
      assertThat(missing.code()).isEqualTo(1);
      assertThat(missing.err()).contains("Nope");

      JsonNode leader = leaders.placementPods().get(leaderName);
      ProcessHandle victim = ProcessHandle.of(leader.path("pid").asLong()).orElseThrow();
      victim.destroyForcibly();
      victim.onExit().get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(20)).until(() -> sidecars.stream().noneMatch(SimulatedSidecar::isOpen));

      List<SimulatedSidecar> again = new ArrayList<>();
      for (SimulatedSidecar old : sidecars) {
        LeaderSidecars.Connected c = leaders.connect(old.spec());
        assertThat(c.replica()).isNotEqualTo(leaderName);
        again.add(c.sidecar());
      }
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        Map<String, Set<String>> expected = SidecarFleet.expectedTable(again);
        for (SimulatedSidecar s : again) {
          assertThat(SidecarFleet.hostsByType(s.table().parsed())).isEqualTo(expected);
        }
      });
      assertThat(again).allSatisfy(s -> assertThat(s.violations()).isEmpty());
      String killed = leader.path("name").asText();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        JsonNode p = leaders.placementPods().get(killed);
        assertThat(p.path("restarts").asInt()).isEqualTo(1);
        assertThat(p.path("ready").asText()).isEqualTo("1/1");
      });
    }
  }
}
