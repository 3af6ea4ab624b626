package io.daprx.placement.dissemination;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in order, on a shared pool: a namespace's loop without a thread of its own, so a
 * hundred namespaces share a few threads. After a batch it yields the thread so one busy namespace cannot starve
 * the others.
 */
final class SerialExecutor implements Executor {

  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
  private static final int BATCH = 256;

  private final Executor pool;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  SerialExecutor(Executor pool) {
    this.pool = pool;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    if (scheduled.compareAndSet(false, true)) {
      pool.execute(this::drain);
    }
  }

  private void drain() {
    for (int i = 0; i < BATCH; i++) {
      Runnable r = tasks.poll();
      if (r == null) {
        scheduled.set(false);
        // a task added between the poll and the reset would otherwise wait for the next execute()
        if (tasks.isEmpty() || !scheduled.compareAndSet(false, true)) {
          return;
        }
        continue;
      }
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.error("namespace loop task failed", e);
      }
    }
    pool.execute(this::drain);
  }
}
