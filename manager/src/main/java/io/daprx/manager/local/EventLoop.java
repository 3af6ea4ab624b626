package io.daprx.manager.local;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a supervisor's state. Process exits, probe results, timers and API calls all become
 * tasks here, and after each task a hook runs (persist what changed, wake waiting callers).
 */
final class EventLoop implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

  private final ScheduledExecutorService executor;
  private final Runnable afterEach;
  private volatile Thread thread;

  EventLoop(String name, Runnable afterEach) {
    this.afterEach = afterEach;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      // the children outlive the supervisor by design; neither should keep a JVM alive that forgot close()
      t.setDaemon(true);
      thread = t;
      return t;
    });
  }

  /** Runs the task on the loop; after close it is dropped, which is fine: the next supervisor re-reads reality. */
  void execute(Runnable task) {
    try {
      executor.execute(() -> run(task));
    } catch (RejectedExecutionException closed) {
      LOG.debug("event loop closed; dropping a task");
    }
  }

  /** Null when the loop is closed. */
  ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    try {
      return executor.schedule(() -> run(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      return null;
    }
  }

  ScheduledFuture<?> every(Runnable task, Duration period) {
    return executor.scheduleWithFixedDelay(() -> run(task), period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Runs the task on the loop and waits for its result; failures of the task are rethrown here. */
  <T> T call(Supplier<T> task) {
    if (Thread.currentThread() == thread) {
      throw new IllegalStateException("the supervisor's own thread cannot wait for itself");
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      executor.execute(() -> run(() -> {
        try {
          result.complete(task.get());
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
        }
      }));
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("the supervisor is closed", e);
    }
    return await(result);
  }

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the supervisor", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  private void run(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.error("supervisor task failed", e);
    } finally {
      try {
        afterEach.run();
      } catch (RuntimeException e) {
        LOG.error("supervisor bookkeeping failed", e);
      }
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("supervisor event loop did not stop within 5s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
