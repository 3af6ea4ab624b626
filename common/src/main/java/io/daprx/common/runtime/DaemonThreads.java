package io.daprx.common.runtime;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Named daemon threads for a component's pools: a stuck pool never keeps a stopping process alive, and dumps say whose thread it is. */
public final class DaemonThreads {

  private DaemonThreads() {}

  /** Threads named {@code <prefix>-1}, {@code <prefix>-2}, ... */
  public static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
