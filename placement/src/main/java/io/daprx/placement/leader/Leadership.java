package io.daprx.placement.leader;

import java.util.function.Consumer;

/**
 * Whether this placement replica is the leader: only the leader serves sidecars. Two implementations:
 * {@link SingleNodeLeadership} (one replica, always leader) and the Ratis election among replicas.
 */
public interface Leadership extends AutoCloseable {

  boolean isLeader();

  /**
   * Called once with the current value when registered, then with the new value on every change, in order, on a
   * thread of the implementation's choosing.
   */
  void onChange(Consumer<Boolean> listener);

  @Override
  void close();
}
