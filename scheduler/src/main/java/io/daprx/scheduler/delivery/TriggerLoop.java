package io.daprx.scheduler.delivery;

import io.daprx.common.runtime.DaemonThreads;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.daprx.scheduler.delivery.TriggerEvent.Changed;
import io.daprx.scheduler.delivery.TriggerEvent.Ended;
import io.daprx.scheduler.delivery.TriggerEvent.LoopState;
import io.daprx.scheduler.delivery.TriggerEvent.Opened;
import io.daprx.scheduler.delivery.TriggerEvent.Query;
import io.daprx.scheduler.delivery.TriggerEvent.Result;
import io.daprx.scheduler.delivery.TriggerEvent.Shutdown;
import io.daprx.scheduler.delivery.TriggerEvent.Wake;
import io.daprx.scheduler.job.JobChange;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.job.JobOwner;
import io.daprx.scheduler.job.JobSelector;
import io.daprx.scheduler.job.JobStore;
import io.daprx.scheduler.job.StoredJob;
import io.daprx.scheduler.metrics.SchedulerMetrics;
import io.daprx.scheduler.time.Ticks;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of trigger state: which jobs are due when, which trigger is in flight on which stream, which jobs
 * wait for a stream, and the streams by route. Events arrive through {@link #post} and run one at a time on the
 * loop's single thread, which also keeps the wake-up timer; nothing here blocks.
 *
 * <p>Delivery is at least once: a job's next attempt is computed only from the result of the last (so its ticks are
 * serial); a due job with no matching stream is held, uncounted, until one opens; a stream that ends hands its
 * triggers in flight to another stream (or holds them). Matching streams take turns.
 */
public final class TriggerLoop implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TriggerLoop.class);

  private final JobStore store;
  private final Clock clock;
  private final SchedulerMetrics metrics;
  private final ScheduledThreadPoolExecutor thread;

  // Everything below is touched by the loop thread only.
  private final Map<JobKey, Entry> jobs = new HashMap<>();
  private final PriorityQueue<Due> due = new PriorityQueue<>();
  private final Map<Route, Set<JobKey>> held = new HashMap<>();
  private final Map<Route, Streams> routes = new HashMap<>();
  private final Map<WatchStream, Conn> conns = new LinkedHashMap<>();
  private long sequence;
  private ScheduledFuture<?> wake;
  private Instant wakeAt;
  private boolean stopped;

  /** Where a job's triggers go: an app's streams, or the streams hosting an actor type, in a namespace. */
  record Route(String namespace, boolean actor, String name) {
    static Route of(JobOwner owner) {
      if (owner instanceof JobOwner.Actor a) {
        return new Route(a.namespace(), true, a.type());
      }
      JobOwner.App app = (JobOwner.App) owner;
      return new Route(app.namespace(), false, app.appId());
    }
  }

  /** A job as the loop tracks it. */
  private static final class Entry {
    StoredJob job;
    long dueSequence; // the queue element that is current; older ones are stale
    boolean inFlight;
    boolean held;

    Entry(StoredJob job) {
      this.job = job;
    }
  }

  private record Due(Instant at, long sequence, JobKey key) implements Comparable<Due> {
    @Override
    public int compareTo(Due o) {
      int c = at.compareTo(o.at);
      return c != 0 ? c : Long.compare(sequence, o.sequence);
    }
  }

  private record InFlight(JobKey key, long revision) {}

  private static final class Conn {
    final WatchStream stream;
    final Map<Long, InFlight> inFlight = new LinkedHashMap<>();
    long lastId;

    Conn(WatchStream stream) {
      this.stream = stream;
    }
  }

  /** A route's streams, taking turns. */
  private static final class Streams {
    final List<Conn> conns = new ArrayList<>();
    int next;

    /** The next stream in turn that the transport says is ready; when none is, simply the next in turn. */
    Conn pick() {
      int n = conns.size();
      for (int i = 0; i < n; i++) {
        int index = Math.floorMod(next + i, n);
        if (conns.get(index).stream.isReady()) {
          next = Math.floorMod(index + 1, n);
          return conns.get(index);
        }
      }
      Conn c = conns.get(Math.floorMod(next, n)); // all busy: it waits in this one's buffer
      next = Math.floorMod(next + 1, n);
      return c;
    }
  }

  public TriggerLoop(JobStore store, Clock clock, SchedulerMetrics metrics) {
    this.store = store;
    this.clock = clock;
    this.metrics = metrics;
    this.thread = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("scheduler-triggers"));
    this.thread.setRemoveOnCancelPolicy(true);
  }

  /** Follows the store from now on and takes in every job it already holds. */
  public TriggerLoop start() {
    store.subscribe(change -> post(new Changed(change)));
    thread.execute(() -> {
      for (StoredJob j : store.list(JobSelector.all())) {
        stored(j);
      }
      afterEvent();
    });
    return this;
  }

  public void post(TriggerEvent event) {
    try {
      thread.execute(() -> {
        try {
          handle(event);
        } catch (RuntimeException e) {
          LOG.error("trigger loop failed on {}: {}", event.getClass().getSimpleName(), e.toString(), e);
        }
      });
    } catch (RejectedExecutionException e) {
      if (event instanceof Ended end && end.closeWith() != null) {
        end.stream().close(end.closeWith());
      } else if (event instanceof Opened open) {
        open.stream().close(Status.UNAVAILABLE.withDescription("scheduler is shutting down"));
      } else if (event instanceof Shutdown s) {
        s.done().complete(null);
      } else if (event instanceof Query q) {
        q.result().complete(new LoopState(0, 0, 0, 0));
      }
    }
  }

  /** The loop's counts, as of the events handled so far. */
  public CompletableFuture<LoopState> state() {
    CompletableFuture<LoopState> f = new CompletableFuture<>();
    post(new Query(f));
    return f;
  }

  void handle(TriggerEvent event) {
    if (stopped) {
      if (event instanceof Opened o) {
        o.stream().close(Status.UNAVAILABLE.withDescription("scheduler is shutting down"));
      } else if (event instanceof Shutdown s) {
        s.done().complete(null);
      } else if (event instanceof Query q) {
        q.result().complete(new LoopState(0, 0, 0, 0));
      }
      return;
    }
    if (event instanceof Changed c) {
      if (c.change() instanceof JobChange.Stored s) {
        stored(s.job());
      } else if (c.change() instanceof JobChange.Removed r) {
        removed(r.key());
      }
    } else if (event instanceof Opened o) {
      opened(o.stream());
    } else if (event instanceof Ended e) {
      ended(e.stream(), e.closeWith());
    } else if (event instanceof Result r) {
      result(r.stream(), r.id(), r.success());
    } else if (event instanceof Wake) {
      wakeAt = null;
    } else if (event instanceof Query q) {
      int inFlight = conns.values().stream().mapToInt(c -> c.inFlight.size()).sum();
      int heldCount = held.values().stream().mapToInt(Set::size).sum();
      q.result().complete(new LoopState(jobs.size(), inFlight, heldCount, conns.size()));
    } else if (event instanceof Shutdown s) {
      shutdown(s);
      return;
    }
    afterEvent();
  }

  /** Fires every job whose time has come, then sets the timer for the next. */
  private void afterEvent() {
    Instant now = clock.instant();
    while (!due.isEmpty() && !due.peek().at().isAfter(now)) {
      Due d = due.poll();
      Entry e = jobs.get(d.key());
      if (e != null && e.dueSequence == d.sequence() && !e.inFlight && !e.held) {
        fire(e);
      }
    }
    while (!due.isEmpty() && isStale(due.peek())) {
      due.poll();
    }
    metrics.loop(jobs.size(), held.values().stream().mapToInt(Set::size).sum(), conns.size());
    if (due.isEmpty()) {
      return;
    }
    Instant next = due.peek().at();
    if (wakeAt != null && !wakeAt.isAfter(next)) {
      return; // an earlier or equal wake-up is already set
    }
    if (wake != null) {
      wake.cancel(false);
    }
    wakeAt = next;
    long delayNanos = Math.max(0, Duration.between(now, next).toNanos());
    wake = thread.schedule(() -> handle(new Wake()), delayNanos, TimeUnit.NANOSECONDS);
  }

  private boolean isStale(Due d) {
    Entry e = jobs.get(d.key());
    return e == null || e.dueSequence != d.sequence();
  }

  // --- jobs

  private void stored(StoredJob job) {
    Entry e = jobs.get(job.key());
    if (e != null && e.job.revision() >= job.revision()) {
      // The start-up listing and the change feed overlap: a job put while the loop was listing the store arrives
      // twice. Revisions only grow, so the copy we already track is the same job or a newer one.
      return;
    }
    if (e != null) {
      unhold(e);
      e.job = job;
      e.inFlight = false; // the result of a trigger of the old revision is ignored when it comes
    } else {
      e = new Entry(job);
      jobs.put(job.key(), e);
    }
    plan(e);
  }

  private void removed(JobKey key) {
    Entry e = jobs.remove(key);
    if (e != null) {
      unhold(e);
    }
  }

  /** Queues the job's next attempt, or ends it when there is none. */
  private void plan(Entry e) {
    StoredJob j = e.job;
    Optional<Instant> at = j.timing().attemptAt(j.ticks(), j.policy());
    if (at.isEmpty()) {
      finish(e);
      return;
    }
    e.dueSequence = ++sequence;
    due.add(new Due(at.get(), e.dueSequence, j.key()));
  }

  private void finish(Entry e) {
    jobs.remove(e.job.key());
    unhold(e);
    store.apply(new JobCommand.Advance(e.job.key(), e.job.revision(), null));
    LOG.debug("{} is over after {} ticks", e.job.key(), e.job.ticks().count());
  }

  private void unhold(Entry e) {
    if (e.held) {
      Set<JobKey> waiting = held.get(Route.of(e.job.key().owner()));
      if (waiting != null) {
        waiting.remove(e.job.key());
      }
      e.held = false;
    }
  }

  /** Sends the job's trigger to the next matching stream, or holds it until one opens. */
  private void fire(Entry e) {
    Route route = Route.of(e.job.key().owner());
    Streams streams = routes.get(route);
    if (streams == null || streams.conns.isEmpty()) {
      e.held = true;
      held.computeIfAbsent(route, r -> new LinkedHashSet<>()).add(e.job.key());
      metrics.held();
      LOG.debug("{} is due but no stream takes {}; held until one opens", e.job.key(), route);
      return;
    }
    Conn c = streams.pick();
    long id = ++c.lastId;
    c.inFlight.put(id, new InFlight(e.job.key(), e.job.revision()));
    e.inFlight = true;
    c.stream.send(WatchJobsResponse.newBuilder().setName(e.job.key().name()).setId(id).setData(e.job.spec().getData())
        .setMetadata(e.job.metadata()).build());
  }

  // --- streams

  private void opened(WatchStream stream) {
    Conn c = new Conn(stream);
    conns.put(stream, c);
    List<Route> own = new ArrayList<>();
    if (stream.acceptsJobs()) {
      own.add(new Route(stream.namespace(), false, stream.appId()));
    }
    for (String type : new LinkedHashSet<>(stream.actorTypes())) {
      own.add(new Route(stream.namespace(), true, type));
    }
    for (Route r : own) {
      routes.computeIfAbsent(r, x -> new Streams()).conns.add(c);
    }
    LOG.debug("stream of App({}/{}) opened: jobs {}, actor types {}", stream.namespace(), stream.appId(),
        stream.acceptsJobs(), stream.actorTypes());
    for (Route r : own) {
      Set<JobKey> waiting = held.remove(r);
      if (waiting == null) {
        continue;
      }
      for (JobKey k : waiting) {
        Entry e = jobs.get(k);
        if (e != null && e.held) {
          e.held = false;
          fire(e);
        }
      }
    }
  }

  private void ended(WatchStream stream, Status closeWith) {
    if (closeWith != null) {
      stream.close(closeWith);
    }
    Conn c = conns.remove(stream);
    if (c == null) {
      return;
    }
    for (Streams s : routes.values()) {
      s.conns.remove(c);
    }
    routes.values().removeIf(s -> s.conns.isEmpty());
    LOG.debug("stream of App({}/{}) ended{}; {} triggers in flight go again", stream.namespace(), stream.appId(),
        closeWith == null ? "" : " (" + closeWith.getCode() + ")", c.inFlight.size());
    for (InFlight f : c.inFlight.values()) {
      Entry e = jobs.get(f.key());
      if (e != null && e.inFlight && e.job.revision() == f.revision()) {
        e.inFlight = false;
        metrics.redelivered();
        fire(e);
      }
    }
    c.inFlight.clear();
  }

  private void result(WatchStream stream, long id, boolean success) {
    Conn c = conns.get(stream);
    if (c == null) {
      return; // ended meanwhile; its triggers went elsewhere
    }
    InFlight f = c.inFlight.remove(id);
    if (f == null) {
      ended(stream, Status.INVALID_ARGUMENT.withDescription("result for unknown trigger id " + Long.toUnsignedString(id)));
      return;
    }
    Entry e = jobs.get(f.key());
    if (e == null || e.job.revision() != f.revision() || !e.inFlight) {
      return; // deleted or replaced while in flight
    }
    e.inFlight = false;
    StoredJob j = e.job;
    Instant tickAt = j.timing().tick(j.ticks()).orElseThrow();
    Ticks next = success ? j.ticks().succeeded(tickAt) : j.ticks().failed(tickAt, j.policy());
    metrics.result(success, Duration.between(j.timing().attemptAt(j.ticks(), j.policy()).orElse(tickAt), clock.instant()));
    e.job = j.withTicks(next);
    if (e.job.timing().attemptAt(next, j.policy()).isEmpty()) {
      finish(e);
      return;
    }
    store.apply(new JobCommand.Advance(j.key(), j.revision(), next));
    plan(e);
  }

  private void shutdown(Shutdown s) {
    stopped = true;
    for (Conn c : conns.values()) {
      c.stream.close(s.status());
    }
    conns.clear();
    routes.clear();
    if (wake != null) {
      wake.cancel(false);
    }
    s.done().complete(null);
  }

  /** Ends every stream with UNAVAILABLE and stops the thread. */
  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    post(new Shutdown(Status.UNAVAILABLE.withDescription("scheduler is shutting down"), done));
    try {
      done.get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("closing the trigger streams took longer than 2 s: {}", e.toString());
    }
    thread.shutdownNow();
  }
}
