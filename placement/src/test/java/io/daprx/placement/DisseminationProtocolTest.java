package io.daprx.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.placement.dissemination.Tables;
import io.daprx.common.placement.HashRing;
import io.daprx.placement.sim.SidecarFleet;
import io.daprx.placement.sim.SidecarSpec;
import io.daprx.placement.sim.SimulatedSidecar;
import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.PlacementTable;
import io.daprx.proto.placement.v1.PlacementTables;
import io.daprx.proto.placement.v1.StatePlacementTables;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The 1.17+ dissemination protocol as simulated sidecars see it over real gRPC calls. */
class DisseminationProtocolTest {

  private final PlacementFixture fx = new PlacementFixture(Duration.ofSeconds(10));

  @AfterEach
  void close() {
    fx.close();
  }

  static ConditionFactory waiting() {
    return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5));
  }

  static List<String> orders(SimulatedSidecar s) {
    return s.history().stream().map(r -> r.operation() + ":" + r.version()).toList();
  }

  static void awaitVersion(SimulatedSidecar s, long version) {
    waiting().until(() -> s.table() != null && s.table().version() == version);
  }

  @Test
  void firstActorHostGetsLockUpdateUnlockOfVersionOneWithATableOfItself() {
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "default", "Cart");
    awaitVersion(a, 1);
    assertThat(orders(a)).containsExactly("lock:1", "update:1", "unlock:1");
    PlacementTables t = a.table().parsed();
    assertThat(t.getVersion()).isEqualTo("1");
    assertThat(t.getReplicationFactor()).isEqualTo(100);
    assertThat(t.getApiLevel()).isEqualTo(20);
    assertThat(t.getEntriesMap()).containsOnlyKeys("Cart");
    PlacementTable cart = t.getEntriesOrThrow("Cart");
    Host h = cart.getLoadMapOrThrow("10.0.0.1:50002");
    // what daprd reads from an entry: name, app id, port, load
    assertThat(h).isEqualTo(Host.newBuilder().setName("10.0.0.1:50002").setId("app-10.0.0.1-50002").setPort(50002).build());
    // daprd 1.17+ (api level 20) builds the ring itself: no virtual nodes on the wire
    assertThat(cart.getHostsCount()).isZero();
    assertThat(cart.getSortedSetCount()).isZero();
    assertThat(a.violations()).isEmpty();
  }

  @Test
  void everyStreamOfTheNamespaceGetsEachVersionInOrderAndTheSameTable() {
    for (int i = 1; i <= 6; i++) {
      fx.connect("10.0.0." + i + ":50002", "default", i % 2 == 0 ? new String[] {"Cart", "Order"} : new String[] {"Cart"});
    }
    waiting().until(() -> fx.fleet.converged("default"));
    List<SimulatedSidecar> all = fx.fleet.inNamespace("default");
    long version = all.get(0).table().version();
    assertThat(version).isBetween(1L, 6L); // joins during a round are folded, so at most one round per join
    for (SimulatedSidecar s : all) {
      assertThat(s.table().version()).isEqualTo(version);
      assertStrictRounds(orders(s));
    }
    Map<String, Set<String>> byType = SidecarFleet.hostsByType(all.get(0).table().parsed());
    assertThat(byType.get("Cart")).hasSize(6);
    assertThat(byType.get("Order")).containsExactlyInAnyOrder("10.0.0.2:50002", "10.0.0.4:50002", "10.0.0.6:50002");
    assertThat(fx.fleet.violations()).isEmpty();
  }

  /** lock v, update v, unlock v, with v increasing from one round to the next and nothing in between. */
  static void assertStrictRounds(List<String> orders) {
    assertThat(orders.size() % 3).as("orders %s", orders).isZero();
    long previous = -1;
    for (int i = 0; i < orders.size(); i += 3) {
      long v = Long.parseLong(orders.get(i).substring(orders.get(i).indexOf(':') + 1));
      assertThat(orders.subList(i, i + 3)).as("orders %s", orders).containsExactly("lock:" + v, "update:" + v, "unlock:" + v);
      assertThat(v).as("orders %s", orders).isGreaterThan(previous);
      previous = v;
    }
  }

  @Test
  void namespacesAreIsolated() {
    SimulatedSidecar a1 = fx.connect("10.1.0.1:50002", "team-a", "Cart");
    SimulatedSidecar b1 = fx.connect("10.2.0.1:50002", "team-b", "Cart");
    awaitVersion(a1, 1);
    awaitVersion(b1, 1);
    b1.clearHistory();

    SimulatedSidecar a2 = fx.connect("10.1.0.2:50002", "team-a", "Cart");
    awaitVersion(a2, 2);
    awaitVersion(a1, 2);
    SimulatedSidecar b2 = fx.connect("10.2.0.2:50002", "team-b", "Other");
    awaitVersion(b2, 2);
    awaitVersion(b1, 2);

    // team-b saw only its own round, and each namespace's table holds only its own hosts
    assertThat(orders(b1)).containsExactly("lock:2", "update:2", "unlock:2");
    assertThat(SidecarFleet.hostsByType(a1.table().parsed())).isEqualTo(Map.of("Cart", Set.of("10.1.0.1:50002", "10.1.0.2:50002")));
    assertThat(SidecarFleet.hostsByType(b1.table().parsed()))
        .isEqualTo(Map.of("Cart", Set.of("10.2.0.1:50002"), "Other", Set.of("10.2.0.2:50002")));
    StatePlacementTables state = fx.placement.state();
    assertThat(state.getTablesMap()).containsOnlyKeys("team-a", "team-b");
    assertThat(state.getTablesOrThrow("team-a").getVersion()).isEqualTo(2);
    assertThat(state.getTablesOrThrow("team-a").getHostsList()).extracting(Host::getName)
        .containsExactly("10.1.0.1:50002", "10.1.0.2:50002");
  }

  @Test
  void hostWithoutActorTypesGetsTheCurrentTableOnceAndStartsNoRound() {
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "default", "Cart");
    SimulatedSidecar b = fx.connect("10.0.0.2:50002", "default", "Cart");
    waiting().until(() -> fx.fleet.converged("default"));
    long version = a.table().version();
    a.clearHistory();
    b.clearHistory();

    SimulatedSidecar caller = fx.connect("10.0.0.9:50002", "default");
    awaitVersion(caller, version);
    assertThat(orders(caller)).containsExactly("lock:" + version, "update:" + version, "unlock:" + version);
    assertThat(SidecarFleet.hostsByType(caller.table().parsed())).isEqualTo(Map.of("Cart", Set.of("10.0.0.1:50002", "10.0.0.2:50002")));
    // it is not stored: no round, no change of version, not in the state
    assertThat(a.history()).isEmpty();
    assertThat(b.history()).isEmpty();
    assertThat(fx.placement.state().getTablesOrThrow("default").getHostsList()).extracting(Host::getName)
        .doesNotContain("10.0.0.9:50002");
    assertThat(fx.placement.state().getTablesOrThrow("default").getVersion()).isEqualTo(version);

    // it takes part in later rounds, since it calls actors too
    SimulatedSidecar c = fx.connect("10.0.0.3:50002", "default", "Cart");
    awaitVersion(caller, version + 1);
    awaitVersion(c, version + 1);
    assertThat(caller.violations()).isEmpty();
  }

  @Test
  void hostWithoutActorTypesInAFreshNamespaceGetsTheEmptyTableOfVersionZero() {
    SimulatedSidecar caller = fx.connect("10.0.0.9:50002", "lonely");
    awaitVersion(caller, 0);
    assertThat(orders(caller)).containsExactly("lock:0", "update:0", "unlock:0");
    assertThat(caller.table().parsed().getEntriesCount()).isZero();
    assertThat(caller.table().parsed().getVersion()).isEqualTo("0");
  }

  @Test
  void reportingNewActorTypesOnAnOpenStreamStartsARound() {
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "default", "Cart");
    SimulatedSidecar b = fx.connect("10.0.0.2:50002", "default");
    waiting().until(() -> fx.fleet.converged("default"));
    long v = a.table().version();
    b.report(List.of("Order", "Cart"));
    awaitVersion(a, v + 1);
    awaitVersion(b, v + 1);
    assertThat(SidecarFleet.hostsByType(a.table().parsed()))
        .isEqualTo(Map.of("Cart", Set.of("10.0.0.1:50002", "10.0.0.2:50002"), "Order", Set.of("10.0.0.2:50002")));
    // the same types in another order are no change
    a.clearHistory();
    b.report(List.of("Cart", "Order"));
    b.report(List.of("Cart", "Order", "Cart"));
    SimulatedSidecar probe = fx.connect("10.0.0.8:50002", "default"); // one-shot: proves the reports were handled
    awaitVersion(probe, v + 1);
    assertThat(a.history()).isEmpty();
  }

  @Test
  void leavingHostIsRemovedInTheNextVersion() {
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "default", "Cart");
    SimulatedSidecar b = fx.connect("10.0.0.2:50002", "default", "Cart");
    waiting().until(() -> fx.fleet.converged("default"));
    long v = a.table().version();
    b.drop();
    awaitVersion(a, v + 1);
    assertThat(SidecarFleet.hostsByType(a.table().parsed())).isEqualTo(Map.of("Cart", Set.of("10.0.0.1:50002")));
    waiting().until(() -> fx.placement.metrics().openStreams() == 1);
  }

  @Test
  void namespaceWhoseLastSidecarLeftStartsAgainFromVersionOne() {
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "transient", "Cart");
    SimulatedSidecar b = fx.connect("10.0.0.2:50002", "transient", "Cart");
    waiting().until(() -> fx.fleet.converged("transient"));
    a.drop();
    b.drop();
    waiting().until(() -> !fx.placement.state().getTablesMap().containsKey("transient"));
    waiting().untilAsserted(() -> assertThat(fx.placement.registry().scrape())
        .contains("dapr_placement_runtimes{host_namespace=\"transient\"} 0.0"));
    SimulatedSidecar c = fx.connect("10.0.0.3:50002", "transient", "Cart");
    awaitVersion(c, 1);
  }

  @Test
  void oldSidecarsGetVirtualNodesComputedFromTheRing() {
    SimulatedSidecar old = fx.fleet.connect(new SidecarSpec("10.0.0.1:3500", "old", "legacy", List.of("Cart"), 10));
    SimulatedSidecar young = fx.connect("10.0.0.2:50002", "legacy", "Cart");
    waiting().until(() -> fx.fleet.converged("legacy"));
    PlacementTables t = young.table().parsed();
    assertThat(t.getApiLevel()).isEqualTo(10);
    PlacementTable cart = t.getEntriesOrThrow("Cart");
    HashRing ring = HashRing.of(List.of("10.0.0.1:3500", "10.0.0.2:50002"), 100);
    assertThat(cart.getSortedSetList()).containsExactly(java.util.Arrays.stream(ring.sortedSet()).boxed().toArray(Long[]::new));
    assertThat(cart.getHostsMap()).isEqualTo(ring.virtualNodes());
    assertThat(old.table().version()).isEqualTo(young.table().version());
    assertThat(Tables.NO_VIRTUAL_NODES_API_LEVEL).isEqualTo(20);
  }

  @Test
  void metricsCountStreamsHostsTypesRoundsAndLeadership() {
    fx.connect("10.0.0.1:50002", "default", "Cart", "Order");
    fx.connect("10.0.0.2:50002", "default");
    waiting().until(() -> fx.fleet.converged("default"));
    waiting().untilAsserted(() -> assertThat(fx.placement.registry().scrape())
        .contains("dapr_placement_runtimes{host_namespace=\"default\"} 2.0")
        .contains("dapr_placement_actor_runtimes{host_namespace=\"default\"} 1.0")
        .contains("daprx_placement_actor_types{host_namespace=\"default\"} 2.0")
        .contains("dapr_placement_leader_status 1.0")
        .contains("daprx_placement_streams 2.0")
        .containsPattern("daprx_placement_dissemination_rounds_total\\{outcome=\"completed\"} [1-9]")
        .contains("daprx_placement_dissemination_duration_seconds_count"));
  }
}
