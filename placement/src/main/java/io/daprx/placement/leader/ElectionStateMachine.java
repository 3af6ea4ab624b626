package io.daprx.placement.leader;

import java.util.Collection;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;

/**
 * A state machine with no state: placement replicates nothing (each new leader rebuilds the table from the
 * sidecars that reconnect), so Raft is used for its election only. It forwards the role events to {@code events}.
 *
 * <p>Ratis calls these on its own threads, some while holding the server's lock, so {@code events} must only
 * hand the work to another thread.
 */
final class ElectionStateMachine extends BaseStateMachine {

  /** The role events {@link RatisLeadership} reacts to. */
  interface Events {
    void leaderChanged(RaftPeerId newLeader);

    /** This replica is leader and has committed an entry of its own term. */
    void leaderReady();

    void steppedDown();

    void noLeaderForLong();

    void serverShutdown();
  }

  private final Events events;

  ElectionStateMachine(Events events) {
    this.events = events;
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    events.leaderChanged(newLeaderId);
  }

  @Override
  public void notifyLeaderReady() {
    events.leaderReady();
  }

  @Override
  public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
    events.steppedDown();
  }

  @Override
  public void notifyExtendedNoLeader(RoleInfoProto roleInfo) {
    events.noLeaderForLong();
  }

  @Override
  public void notifyServerShutdown(RoleInfoProto roleInfo, boolean allServer) {
    events.serverShutdown();
  }
}
