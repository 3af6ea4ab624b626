package io.daprx.placement.dissemination;

import io.daprx.proto.placement.v1.Host;
import java.util.concurrent.ScheduledFuture;

/** One stream of a namespace as its loop sees it. Touched by the loop's thread only. */
final class Member {

  final SidecarStream stream;
  /** The last report, normalized (see {@link Tables#normalize}). */
  Host host;
  /** Takes part in the current round (joined before it started). */
  boolean inRound;
  /** The last phase of the current round it acknowledged. */
  Phase acked;
  /** The ack a one-shot table delivery waits for, or null when there is none. */
  Phase oneShot;
  long oneShotSequence;
  ScheduledFuture<?> oneShotDeadline;

  Member(SidecarStream stream, Host host) {
    this.stream = stream;
    this.host = host;
  }

  boolean hasActors() {
    return host.getEntitiesCount() > 0;
  }

  /** The ack this stream owes in the current round, or null. */
  Phase owes(Phase roundPhase) {
    if (inRound) {
      return roundPhase != Phase.IDLE && acked != roundPhase ? roundPhase : null;
    }
    return oneShot;
  }

  void cancelOneShot() {
    oneShot = null;
    if (oneShotDeadline != null) {
      oneShotDeadline.cancel(false);
      oneShotDeadline = null;
    }
  }

  @Override
  public String toString() {
    return "Host(" + host.getNamespace() + "/" + host.getName() + ")";
  }
}
