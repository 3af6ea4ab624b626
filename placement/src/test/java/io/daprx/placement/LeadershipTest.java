package io.daprx.placement;

import static io.daprx.placement.DisseminationProtocolTest.awaitVersion;
import static io.daprx.placement.DisseminationProtocolTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.placement.sim.SidecarFleet;
import io.daprx.placement.sim.SimulatedSidecar;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Only the leader serves; a change of leader moves every sidecar and rebuilds tables from scratch. */
class LeadershipTest {

  @Test
  void followerAnswersFailedPreconditionUntilItLeads() {
    FlippableLeadership leadership = new FlippableLeadership(false);
    try (PlacementFixture fx = new PlacementFixture(Duration.ofSeconds(5), leadership)) {
      SimulatedSidecar s = fx.connect("10.0.0.1:50002", "default", "Cart");
      waiting().until(() -> s.closedWith() != null);
      assertThat(s.closedWith().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(s.closedWith().getDescription()).contains("is not a leader");
      assertThat(fx.placement.isLeader()).isFalse();
      assertThatThrownBy(fx.placement::state).isInstanceOf(StatusRuntimeException.class).hasMessageContaining("FAILED_PRECONDITION");
      assertThat(fx.placement.registry().scrape()).contains("dapr_placement_leader_status 0.0");

      leadership.flip(true);
      s.connect();
      awaitVersion(s, 1);
      assertThat(fx.placement.registry().scrape()).contains("dapr_placement_leader_status 1.0");
    }
  }

  @Test
  void losingLeadershipClosesEveryStreamAndTheNextTermRebuildsFromReconnectingSidecars() {
    FlippableLeadership leadership = new FlippableLeadership(true);
    try (PlacementFixture fx = new PlacementFixture(Duration.ofSeconds(5), leadership)) {
      List<SimulatedSidecar> sidecars = List.of(fx.connect("10.0.0.1:50002", "a", "Cart"), fx.connect("10.0.0.2:50002", "a", "Cart"),
          fx.connect("10.0.0.3:50002", "b", "Order"), fx.connect("10.0.0.4:50002", "b"));
      waiting().until(() -> fx.fleet.converged("a") && fx.fleet.converged("b"));

      leadership.flip(false);
      for (SimulatedSidecar s : sidecars) {
        waiting().until(() -> s.closedWith() != null);
        assertThat(s.closedWith().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(s.closedWith().getDescription()).contains("lost leadership");
      }
      waiting().until(() -> fx.placement.metrics().openStreams() == 0);

      leadership.flip(true);
      assertThat(fx.placement.state().getTablesMap()).isEmpty(); // a new term starts empty
      sidecars.forEach(SimulatedSidecar::connect);
      waiting().until(() -> fx.fleet.converged("a") && fx.fleet.converged("b")
          && sidecars.stream().allMatch(s -> s.table() != null && s.table().version() <= 2));
      assertThat(SidecarFleet.hostsByType(sidecars.get(0).table().parsed()))
          .isEqualTo(Map.of("Cart", Set.of("10.0.0.1:50002", "10.0.0.2:50002")));
      assertThat(fx.placement.state().getTablesOrThrow("b").getHostsCount()).isEqualTo(1);
      assertThat(fx.fleet.violations()).isEmpty();
    }
  }

  @Test
  void newLeaderReplicaServesTheSidecarsTheOldOneClosed() {
    FlippableLeadership first = new FlippableLeadership(true);
    FlippableLeadership second = new FlippableLeadership(false);
    try (PlacementFixture one = new PlacementFixture(Duration.ofSeconds(5), first);
        PlacementFixture two = new PlacementFixture(Duration.ofSeconds(5), second)) {
      SimulatedSidecar a = one.connect("10.0.0.1:50002", "default", "Cart");
      awaitVersion(a, 1);
      SimulatedSidecar early = two.connect("10.0.0.1:50002", "default", "Cart"); // daprd tries the follower too
      waiting().until(() -> early.closedWith() != null);
      assertThat(early.closedWith().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);

      first.flip(false);
      second.flip(true);
      waiting().until(() -> a.closedWith() != null);
      early.connect(); // the same sidecar, now at the new leader
      awaitVersion(early, 1);
      assertThat(two.placement.state().getTablesOrThrow("default").getHostsCount()).isEqualTo(1);
    }
  }

  @Test
  void shuttingDownClosesStreamsWithUnavailable() {
    PlacementFixture fx = new PlacementFixture(Duration.ofSeconds(5));
    SimulatedSidecar a = fx.connect("10.0.0.1:50002", "default", "Cart");
    awaitVersion(a, 1);
    fx.placement.close();
    waiting().until(() -> a.closedWith() != null);
    assertThat(a.closedWith().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(a.closedWith().getDescription()).contains("shutting down");
    fx.close();
  }

  @Test
  void placementClosesTheLeadershipItWasGiven() {
    FlippableLeadership leadership = new FlippableLeadership(true);
    new PlacementFixture(Duration.ofSeconds(5), leadership).close();
    assertThat(leadership.closed).isTrue();
  }

  @Test
  void moreThanOnePeerWithoutAnElectionFailsAtStartSayingWhy() {
    PlacementOptions opts = PlacementOptions.defaults().withTls(false, null, null).withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withCluster("p0", PlacementOptions.parseInitialCluster("p0=127.0.0.1:8201,p1=127.0.0.1:8202"));
    assertThatThrownBy(() -> new Placement(opts, Clock.systemUTC()).start())
        .hasMessageContaining("2 replicas").hasMessageContaining("no replicated leader election");
  }
}
