package io.daprx.placement.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Real Ratis servers on loopback ports, plaintext: election, failover, rejoin, single replica, late peers. */
class RatisLeadershipTest {

  private static final Logger LOG = LoggerFactory.getLogger(RatisLeadershipTest.class);

  @TempDir
  Path storage;
  private TestCluster cluster;

  @AfterEach
  void stopAll() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void threeReplicasElectExactlyOneLeaderAndListenersHearIt() {
    cluster = TestCluster.plaintext(storage, 3);
    cluster.startAll();

    String leader = cluster.awaitOneLeader(Duration.ofSeconds(10));

    assertThat(cluster.leaders()).containsExactly(leader);
    // steady for several heartbeat rounds: the lease never lapses while everyone answers
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      assertThat(cluster.events(leader)).containsExactly(false, true);
      cluster.peers.keySet().stream().filter(id -> !id.equals(leader))
          .forEach(id -> assertThat(cluster.events(id)).containsExactly(false));
    });
    assertThat(cluster.mostLeadingAtOnce()).isEqualTo(1);
  }

  @Test
  void aCrashedLeaderIsReplacedWithinSeconds() {
    cluster = TestCluster.plaintext(storage, 3);
    cluster.startAll();
    String first = cluster.awaitOneLeader(Duration.ofSeconds(10));
    RatisLeadership old = cluster.get(first);

    long t0 = System.nanoTime();
    cluster.crash(first);
    assertThat(old.isLeader()).isFalse();
    String second = cluster.awaitOneLeader(Duration.ofSeconds(6));
    LOG.info("failover after a crash: {} -> {} leads {} ms later", first, second, (cluster.leaderSinceNanos(second) - t0) / 1_000_000);

    assertThat(second).isNotEqualTo(first);
    assertThat(cluster.events(first)).containsExactly(false, true, false);
    assertThat(cluster.events(second)).endsWith(false, true);
    assertThat(cluster.mostLeadingAtOnce()).isEqualTo(1);
  }

  @Test
  void closingTheLeaderHandsLeadershipOverAtOnce() {
    cluster = TestCluster.plaintext(storage, 3);
    cluster.startAll();
    String first = cluster.awaitOneLeader(Duration.ofSeconds(10));

    long t0 = System.nanoTime();
    cluster.stop(first);
    String second = cluster.awaitOneLeader(Duration.ofSeconds(2));
    // well below the 1 s minimum election timeout: nobody waited for one
    assertThat(cluster.leaderSinceNanos(second) - t0).isLessThan(Duration.ofMillis(900).toNanos());
    LOG.info("hand-over on close: {} -> {} leads {} ms later", first, second, (cluster.leaderSinceNanos(second) - t0) / 1_000_000);

    assertThat(second).isNotEqualTo(first);
    assertThat(cluster.mostLeadingAtOnce()).isEqualTo(1);
  }

  @Test
  void aLeaderCutOffFromItsMajorityStopsLeadingBeforeRatisStepsItDown() {
    cluster = TestCluster.plaintext(storage, 3);
    cluster.startAll();
    String leader = cluster.awaitOneLeader(Duration.ofSeconds(10));
    RatisLeadership cutOff = cluster.get(leader);
    AtomicReference<Boolean> raftLeaderWhenWeStopped = new AtomicReference<>();
    cutOff.onChange(now -> {
      if (!now) {
        raftLeaderWhenWeStopped.set(cutOff.raftLeader());
      }
    });

    long t0 = System.nanoTime();
    // both followers vanish at once: no heartbeat answers from now on
    CompletableFuture.allOf(cluster.peers.keySet().stream().filter(id -> !id.equals(leader))
        .map(id -> CompletableFuture.runAsync(() -> cluster.crash(id))).toArray(CompletableFuture[]::new)).join();

    await().atMost(Duration.ofSeconds(3)).until(() -> !cutOff.isLeader());
    LOG.info("cut-off leader stopped leading {} ms after its followers vanished", (System.nanoTime() - t0) / 1_000_000);
    // Ratis itself still thought it led: the lease, not Ratis' step-down (after the max timeout), ended it
    assertThat(raftLeaderWhenWeStopped.get()).isTrue();
  }

  @Test
  void restartedReplicasRejoinAsFollowersWithoutDeposingTheLeader() throws Exception {
    cluster = TestCluster.plaintext(storage, 3);
    cluster.startAll();
    String leader = cluster.awaitOneLeader(Duration.ofSeconds(10));
    long term = cluster.get(leader).term();
    String follower = cluster.peers.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();

    // same id, port and storage: the port must have been released by close()
    cluster.stop(follower);
    RatisLeadership back = cluster.start(follower);

    await().atMost(Duration.ofSeconds(5)).until(() -> back.leaderId().equals(Optional.of(leader)));
    assertThat(back.isLeader()).isFalse();
    assertThat(cluster.leaders()).containsExactly(leader);
    // pre-vote: the returning replica did not start a new term
    assertThat(cluster.get(leader).term()).isEqualTo(term);
  }

  @Test
  void oldLeaderRestartedAfterFailoverFollowsTheNewOne() {
    cluster = TestCluster.plaintext(storage, 3);
    cluster.startAll();
    String first = cluster.awaitOneLeader(Duration.ofSeconds(10));
    cluster.stop(first);
    String second = cluster.awaitOneLeader(Duration.ofSeconds(6));

    RatisLeadership back = cluster.start(first);

    await().atMost(Duration.ofSeconds(5)).until(() -> back.leaderId().equals(Optional.of(second)));
    assertThat(back.isLeader()).isFalse();
    assertThat(cluster.leaders()).containsExactly(second);
  }

  @Test
  void aSingleReplicaLeads() {
    cluster = TestCluster.plaintext(storage, 1);
    RatisLeadership only = cluster.start(TestCluster.id(0));

    await().atMost(Duration.ofSeconds(5)).until(only::isLeader);
    assertThat(only.leaderId()).contains(TestCluster.id(0));
  }

  @Test
  void aMinorityNeverLeadsAndTheClusterFormsWhenPeersAppear() {
    Map<String, InetSocketAddress> peers = new LinkedHashMap<>(TestCluster.loopbackPeers(2));
    // a DNS name that never resolves: the replicas must start anyway and keep trying it
    peers.put(TestCluster.id(2), InetSocketAddress.createUnresolved("dapr-placement-server-2.invalid", 8201));
    cluster = TestCluster.of(peers, storage, id -> RatisOptions.plaintext(id, peers, storage));
    RatisLeadership alone = cluster.start(TestCluster.id(0));

    // a few election timeouts on its own: one of three replicas must never lead
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> !alone.isLeader());
    assertThat(alone.leaderId()).isEmpty();

    cluster.start(TestCluster.id(1));
    String leader = cluster.awaitOneLeader(Duration.ofSeconds(8));
    assertThat(List.of(TestCluster.id(0), TestCluster.id(1))).contains(leader);
  }

  @Test
  void aTakenPeerPortFailsTheStartNamingTheAddress() throws Exception {
    Map<String, InetSocketAddress> peers = TestCluster.loopbackPeers(1);
    InetSocketAddress self = peers.get(TestCluster.id(0));
    try (ServerSocket taken = new ServerSocket(self.getPort(), 1, InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(() -> RatisLeadership.start(RatisOptions.plaintext(TestCluster.id(0), peers, storage)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Replica(dapr-placement-server-0): cannot start Raft on 127.0.0.1:" + self.getPort());
    }
    // the failed attempt left nothing behind (storage lock, threads): the port is free now and the replica starts
    RatisLeadership r = RatisLeadership.start(RatisOptions.plaintext(TestCluster.id(0), peers, storage));
    try {
      await().atMost(Duration.ofSeconds(5)).until(r::isLeader);
    } finally {
      r.close();
    }
  }

  @Test
  void listenersRegisteredAfterCloseHearFalse() {
    cluster = TestCluster.plaintext(storage, 1);
    RatisLeadership only = cluster.start(TestCluster.id(0));
    await().atMost(Duration.ofSeconds(5)).until(only::isLeader);
    cluster.stop(TestCluster.id(0));

    List<Boolean> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    only.onChange(heard::add);
    assertThat(only.isLeader()).isFalse();
    assertThat(heard).containsExactly(false);
    assertThat(cluster.events(TestCluster.id(0))).containsExactly(false, true, false);
  }
}
