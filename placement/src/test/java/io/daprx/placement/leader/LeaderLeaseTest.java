package io.daprx.placement.leader;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lease that keeps a cut-off leader from serving alongside the next one. */
class LeaderLeaseTest {

  private static final Duration LEASE = Duration.ofMillis(900);

  @Test
  void aSingleReplicaAlwaysHoldsIt() {
    assertThat(LeaderLease.holds(List.of(), 1, LEASE)).isTrue();
  }

  @Test
  void oneRecentFollowerOfTwoIsAMajorityOfThree() {
    assertThat(LeaderLease.holds(List.of(120L, 5_000L), 3, LEASE)).isTrue();
  }

  @Test
  void aLeaderNobodyAnsweredWithinTheLeaseLosesIt() {
    assertThat(LeaderLease.holds(List.of(900L, 5_000L), 3, LEASE)).isFalse();
  }

  @Test
  void fiveReplicasNeedTwoRecentFollowers() {
    assertThat(LeaderLease.holds(List.of(100L, 200L, 5_000L, 5_000L), 5, LEASE)).isTrue();
    assertThat(LeaderLease.holds(List.of(100L, 5_000L, 5_000L, 5_000L), 5, LEASE)).isFalse();
  }

  @Test
  void twoReplicasNeedBoth() {
    assertThat(LeaderLease.holds(List.of(100L), 2, LEASE)).isTrue();
    assertThat(LeaderLease.holds(List.of(1_000L), 2, LEASE)).isFalse();
  }
}
