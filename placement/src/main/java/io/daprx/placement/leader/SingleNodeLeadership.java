package io.daprx.placement.leader;

import java.util.function.Consumer;

/** A single placement replica (no peers): it leads from start to close. */
public final class SingleNodeLeadership implements Leadership {

  @Override
  public boolean isLeader() {
    return true;
  }

  @Override
  public void onChange(Consumer<Boolean> listener) {
    listener.accept(true);
  }

  @Override
  public void close() {
    // nothing to release
  }
}
