package io.daprx.placement;

import io.daprx.placement.leader.Leadership;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A leadership a test decides: {@link #flip(boolean)} notifies placement as an election would. */
final class FlippableLeadership implements Leadership {

  private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean leader;
  volatile boolean closed;

  FlippableLeadership(boolean leader) {
    this.leader = leader;
  }

  synchronized void flip(boolean leads) {
    leader = leads;
    listeners.forEach(l -> l.accept(leads));
  }

  @Override
  public boolean isLeader() {
    return leader;
  }

  @Override
  public synchronized void onChange(Consumer<Boolean> listener) {
    listeners.add(listener);
    listener.accept(leader);
  }

  @Override
  public void close() {
    closed = true;
  }
}
