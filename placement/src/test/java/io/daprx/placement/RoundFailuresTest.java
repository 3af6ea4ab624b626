package io.daprx.placement;

import static io.daprx.placement.DisseminationProtocolTest.awaitVersion;
import static io.daprx.placement.DisseminationProtocolTest.orders;
import static io.daprx.placement.DisseminationProtocolTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.placement.sim.Misbehaviour;
import io.daprx.placement.sim.SidecarFleet;
import io.daprx.placement.sim.SimulatedSidecar;
import io.daprx.proto.placement.v1.Host;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rounds under churn, slow and misbehaving sidecars, with a short disseminate timeout. */
class RoundFailuresTest {

  private static final Duration TIMEOUT = Duration.ofMillis(600);

  private final PlacementFixture fx = new PlacementFixture(TIMEOUT);

  @AfterEach
  void close() {
    fx.close();
  }

  @Test
  void churnDuringARoundIsFoldedIntoOneFollowUpRound() {
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "default", "Cart");
    awaitVersion(a, 1);
    SimulatedSidecar slow = fx.connect("10.0.0.2:50002", "default", "Cart");
    awaitVersion(slow, 2);
    awaitVersion(a, 2);
    slow.pauseAcks();
    slow.clearHistory();

    SimulatedSidecar c = fx.connect("10.0.0.3:50002", "default", "Cart");
    waiting().until(() -> slow.lockedVersion() == 3); // round 3 is under way and waits for the slow sidecar
    // churn while round 3 waits: two joins, one leave, one actorless join
    SimulatedSidecar d = fx.connect("10.0.0.4:50002", "default", "Cart");
    SimulatedSidecar e = fx.connect("10.0.0.5:50002", "default", "Order");
    SimulatedSidecar caller = fx.connect("10.0.0.9:50002", "default");
    a.drop();
    waiting().until(() -> fx.placement.metrics().openStreams() == 5);
    assertThat(d.history()).isEmpty(); // joined mid-round: not part of round 3
    slow.resumeAcks();

    for (SimulatedSidecar s : List.of(slow, c, d, e, caller)) {
      awaitVersion(s, 4);
    }
    // exactly one follow-up round: version 4 and nothing after it
    assertThat(orders(slow)).containsExactly("lock:3", "update:3", "unlock:3", "lock:4", "update:4", "unlock:4");
    assertThat(orders(d)).containsExactly("lock:4", "update:4", "unlock:4");
    assertThat(orders(caller)).containsExactly("lock:4", "update:4", "unlock:4");
    assertThat(SidecarFleet.hostsByType(c.table().parsed())).isEqualTo(Map.of(
        "Cart", Set.of("10.0.0.2:50002", "10.0.0.3:50002", "10.0.0.4:50002"), "Order", Set.of("10.0.0.5:50002")));
    assertThat(fx.placement.state().getTablesOrThrow("default").getVersion()).isEqualTo(4);
    assertThat(fx.fleet.violations()).isEmpty();
  }

  @Test
  void laggardIsClosedWithDeadlineExceededAndTheOthersAreNotHeldBeyondTheTimeout() {
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "default", "Cart");
    SimulatedSidecar b = fx.connect("10.0.0.2:50002", "default", "Cart");
    SimulatedSidecar hung = fx.connect("10.0.0.3:50002", "default", "Cart");
    waiting().until(() -> fx.fleet.converged("default"));
    long v = a.table().version();
    hung.misbehave(Misbehaviour.NEVER_ACK);

    long started = System.nanoTime();
    SimulatedSidecar d = fx.connect("10.0.0.4:50002", "default", "Cart");
    waiting().until(() -> hung.closedWith() != null);
    assertThat(hung.closedWith().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(hung.closedWith().getDescription()).contains("no lock ack for version " + (v + 1));
    // the laggard hosted actors, so a new round without it follows at once
    for (SimulatedSidecar s : List.of(a, b, d)) {
      awaitVersion(s, v + 2);
    }
    long took = Duration.ofNanos(System.nanoTime() - started).toMillis();
    assertThat(took).as("time to the table without the laggard").isLessThan(TIMEOUT.toMillis() + 1_000);
    assertThat(SidecarFleet.hostsByType(a.table().parsed()).get("Cart"))
        .containsExactlyInAnyOrder("10.0.0.1:50002", "10.0.0.2:50002", "10.0.0.4:50002");
    assertThat(orders(a)).containsSubsequence("lock:" + (v + 1), "lock:" + (v + 2), "update:" + (v + 2), "unlock:" + (v + 2))
        .doesNotContain("update:" + (v + 1));
    assertThat(fx.placement.registry().scrape()).contains("daprx_placement_streams_closed_total{reason=\"deadline\"} 1.0")
        .contains("daprx_placement_dissemination_rounds_total{outcome=\"aborted\"} 1.0");
    assertThat(fx.fleet.violations()).isEmpty();
  }

  @Test
  void actorlessLaggardIsClosedAndTheRoundGoesOnWithoutANewVersion() {
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "default", "Cart");
    SimulatedSidecar caller = fx.connect("10.0.0.9:50002", "default");
    waiting().until(() -> fx.fleet.converged("default") && caller.table() != null);
    long v = a.table().version();
    caller.misbehave(Misbehaviour.NEVER_ACK);
    SimulatedSidecar b = fx.connect("10.0.0.2:50002", "default", "Cart");
    awaitVersion(b, v + 1);
    awaitVersion(a, v + 1);
    assertThat(caller.closedWith().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(fx.placement.state().getTablesOrThrow("default").getVersion()).isEqualTo(v + 1);
  }

  @Test
  void actorlessSidecarThatNeverAcksItsOneShotTableIsClosedWithoutARound() {
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "default", "Cart");
    awaitVersion(a, 1);
    a.clearHistory();
    SimulatedSidecar mute = fx.create("10.0.0.9:50002", "default");
    mute.misbehave(Misbehaviour.NEVER_ACK);
    mute.connect();
    waiting().until(() -> mute.closedWith() != null);
    assertThat(mute.closedWith().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(mute.closedWith().getDescription()).contains("no lock ack for version 1");
    assertThat(orders(mute)).containsExactly("lock:1");
    assertThat(a.history()).isEmpty();
    assertThat(fx.placement.state().getTablesOrThrow("default").getVersion()).isEqualTo(1);
  }

  @Test
  void sidecarThatStopsReadingIsClosedAfterTheTimeoutWithoutBlockingTheNamespace() {
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "default", "Cart");
    awaitVersion(a, 1);
    SimulatedSidecar deaf = fx.create("10.0.0.2:50002", "default", "Cart");
    deaf.misbehave(Misbehaviour.NEVER_READ);
    deaf.connect();
    waiting().until(() -> deaf.closedWith() != null);
    assertThat(deaf.closedWith().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    awaitVersion(a, 3); // round 2 (with it) aborted, round 3 without it
    assertThat(SidecarFleet.hostsByType(a.table().parsed())).isEqualTo(Map.of("Cart", Set.of("10.0.0.1:50002")));
  }

  @Test
  void acksWithAStaleVersionAreIgnored() {
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "default", "Cart");
    awaitVersion(a, 1);
    SimulatedSidecar stale = fx.create("10.0.0.2:50002", "default", "Cart");
    stale.misbehave(Misbehaviour.STALE_ACK);
    stale.connect();
    // its lock acks say version 1 while the round is 2: they do not count, so nobody gets the update of 2
    waiting().until(() -> stale.closedWith() != null);
    assertThat(stale.closedWith().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    awaitVersion(a, 3);
    assertThat(orders(a)).containsExactly("lock:1", "update:1", "unlock:1", "lock:2", "lock:3", "update:3", "unlock:3");
    assertThat(orders(stale)).containsExactly("lock:2");
  }

  @Test
  void unknownOperationFromOldClientsCountsAsAnAck() {
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "default", "Cart");
    SimulatedSidecar old = fx.create("10.0.0.2:50002", "default", "Cart");
    old.misbehave(Misbehaviour.UNKNOWN_OPERATION);
    old.connect();
    waiting().until(() -> fx.fleet.converged("default"));
    long v = a.table().version();
    SimulatedSidecar c = fx.connect("10.0.0.3:50002", "default", "Order");
    for (SimulatedSidecar s : List.of(a, old, c)) {
      awaitVersion(s, v + 1);
    }
    assertThat(old.isOpen()).isTrue();
    assertThat(old.violations()).isEmpty();
    assertThat(SidecarFleet.hostsByType(a.table().parsed()).get("Cart")).containsExactlyInAnyOrder("10.0.0.1:50002", "10.0.0.2:50002");
  }

  @Test
  void reconnectStormConvergesToOneTableWithEveryHostOnce() {
    for (int i = 1; i <= 20; i++) {
      fx.connect("10.0.1." + i + ":50002", "storm", i % 3 == 0 ? "Order" : "Cart");
    }
    waiting().until(() -> fx.fleet.converged("storm"));
    List<SimulatedSidecar> all = fx.fleet.inNamespace("storm");
    fx.fleet.reconnectStorm(all.subList(0, 10), 5);
    waiting().until(() -> fx.fleet.converged("storm") && fx.placement.metrics().openStreams() == 20);
    waiting().until(() -> fx.placement.state().getTablesOrThrow("storm").getHostsCount() == 20);
    assertThat(fx.placement.state().getTablesOrThrow("storm").getHostsList()).extracting(Host::getName).doesNotHaveDuplicates();
    assertThat(fx.fleet.violations()).isEmpty();
  }
}
