package io.daprx.placement.dissemination;

import java.time.Duration;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The namespace loops' timer with a clock that moves only when a test calls {@link #advance}: due tasks run then, on
 * the caller's thread, in order of their due time. One-shot {@code schedule(Runnable, ...)} only, as the loops use it.
 */
final class ManualTimer extends AbstractExecutorService implements ScheduledExecutorService {

  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long now;
  private long sequence;

  long nanoTime() {
    return now;
  }

  /** Moves the clock forward by {@code d}, running every task that falls due on the way. */
  void advance(Duration d) {
    long until = now + d.toNanos();
    for (Task t = queue.peek(); t != null && t.due <= until; t = queue.peek()) {
      queue.poll();
      now = t.due;
      if (!t.cancelled) {
        t.done = true;
        t.task.run();
      }
    }
    now = until;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    Task t = new Task(command, now + unit.toNanos(delay), sequence++);
    queue.add(t);
    return t;
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void execute(Runnable command) {
    command.run();
  }

  @Override
  public void shutdown() {}

  @Override
  public List<Runnable> shutdownNow() {
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }

  private final class Task implements ScheduledFuture<Object> {
    final Runnable task;
    final long due;
    final long order;
    boolean cancelled;
    boolean done;

    Task(Runnable task, long due, long order) {
      this.task = task;
      this.due = due;
      this.order = order;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(due - now, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      Task other = (Task) o;
      return due != other.due ? Long.compare(due, other.due) : Long.compare(order, other.order);
    }

    @Override
    public boolean cancel(boolean mayInterrupt) {
      if (done || cancelled) {
        return false;
      }
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public Object get() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }
  }
}
