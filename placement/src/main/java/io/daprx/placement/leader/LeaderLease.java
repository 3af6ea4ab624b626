package io.daprx.placement.leader;

import java.time.Duration;
import java.util.Collection;

/**
 * Whether a Raft leader may still act as the only leader: a majority of the voters (the leader counting itself)
 * answered a heartbeat within the lease.
 *
 * <p>Ratis only steps a cut-off leader down after the <em>maximum</em> election timeout, while the other replicas
 * may elect a new one after the <em>minimum</em>; without this check two replicas would both serve sidecars for up
 * to {@code max - min}. Ratis' own leader lease is not public API, so this one is computed from the follower
 * reply times Ratis reports.
 */
final class LeaderLease {

  private LeaderLease() {}

  /**
   * @param followerReplyAgesMs for each other voter, milliseconds since its last reply to the leader
   * @param voters all voters including the leader
   */
  static boolean holds(Collection<Long> followerReplyAgesMs, int voters, Duration lease) {
    long fresh = 1 + followerReplyAgesMs.stream().filter(age -> age < lease.toMillis()).count();
    return fresh > voters / 2;
  }
}
