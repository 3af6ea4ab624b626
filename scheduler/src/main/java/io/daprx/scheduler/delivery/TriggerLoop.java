package io.daprx.scheduler.delivery;

import com.google.protobuf.Any;
import io.daprx.common.runtime.DaemonThreads;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.daprx.scheduler.delivery.ConcurrencyGates.Gate;
import io.daprx.scheduler.delivery.TriggerEvent.Assigned;
import io.daprx.scheduler.delivery.TriggerEvent.Changed;
import io.daprx.scheduler.delivery.TriggerEvent.Ended;
import io.daprx.scheduler.delivery.TriggerEvent.LoopState;
import io.daprx.scheduler.delivery.TriggerEvent.Opened;
import io.daprx.scheduler.delivery.TriggerEvent.Query;
import io.daprx.scheduler.delivery.TriggerEvent.Result;
import io.daprx.scheduler.delivery.TriggerEvent.Shutdown;
import io.daprx.scheduler.delivery.TriggerEvent.Wake;
import io.daprx.scheduler.job.DueJob;
import io.daprx.scheduler.job.JobChange;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.job.JobOwner;
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
 *
 * <p>With several replicas, each triggers only the jobs its {@link Ownership} names and takes in or drops jobs when
 * the live replicas change; a job taken over fires its stored tick again (at least once). Memory: a job is a few
 * fields here ({@link Entry}); the rest is read from the store when it fires.
 *
 * <p>Dapr 1.18's concurrency limits ({@link ConcurrencyGates}): a reminder whose actor type (or type and
 * {@code concurrency_key}) has a gate goes only when it gets a slot in each of them, all or none; otherwise it waits in
 * the first gate's queue, in order, and goes when a trigger holding that gate has its result or its stream ends. A
 * waiting trigger is neither in flight nor held; it is still this loop's job, so it is not lost when its stream ends
 * (it goes, or is held, when its turn comes) or when its job moves to another replica (which fires it from the
 * store).
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
  private final ConcurrencyGates gates;
  private long sequence;
  private Ownership ownership;
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

  /** A job as the loop tracks it: what it needs to order, route and match results; the job itself is in the store. */
  private static final class Entry {
    final JobKey key;
    long revision;
    int partition;
    Ticks ticks; // this loop's progress of the job, ahead of the store's until its Advance is applied; null = the store's
    long dueSequence; // the queue element that is current; older ones are stale
    boolean inFlight;
    boolean held;
    Gate waitingAt; // the concurrency gate whose queue it waits in, or null

    Entry(JobKey key) {
      this.key = key;
    }
  }

  private record Due(Instant at, long sequence, JobKey key) implements Comparable<Due> {
    @Override
    public int compareTo(Due o) {
      int c = at.compareTo(o.at);
      return c != 0 ? c : Long.compare(sequence, o.sequence);
    }
  }

  /** A trigger sent, and the concurrency gates it holds until its result. */
  private record InFlight(JobKey key, long revision, List<Gate> gates) {}

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

  /** A loop that triggers every job: one replica. */
  public TriggerLoop(JobStore store, Clock clock, SchedulerMetrics metrics) {
    this(store, clock, metrics, Ownership.ALL);
  }

  /** @param ownership which jobs to trigger until an {@link Assigned} event says otherwise */
  public TriggerLoop(JobStore store, Clock clock, SchedulerMetrics metrics, Ownership ownership) {
    this(store, clock, metrics, ownership, ConcurrencyGates.MAX_PENDING);
  }

  /** @param maxPending how many triggers may wait for one concurrency gate (upstream's 100,000; tests use fewer) */
  TriggerLoop(JobStore store, Clock clock, SchedulerMetrics metrics, Ownership ownership, int maxPending) {
    this.store = store;
    this.gates = new ConcurrencyGates(metrics, maxPending, ownership);
    this.ownership = ownership;
    this.clock = clock;
    this.metrics = metrics;
    this.thread = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("scheduler-triggers"));
    this.thread.setRemoveOnCancelPolicy(true);
  }

  /** Follows the store from now on and takes in every job it already holds. */
  public TriggerLoop start() {
    store.subscribe(change -> post(new Changed(change)));
    thread.execute(() -> {
      Ownership own = ownership;
      store.scan(own::owns, this::track);
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
        q.result().complete(new LoopState(0, 0, 0, 0, 0));
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
        q.result().complete(new LoopState(0, 0, 0, 0, 0));
      }
      return;
    }
    if (event instanceof Changed c) {
      if (c.change() instanceof JobChange.Stored s) {
        stored(s.job());
      } else if (c.change() instanceof JobChange.Removed r) {
        removed(r.key());
      }
    } else if (event instanceof Assigned a) {
      assigned(a.ownership(), a.reset());
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
      q.result().complete(new LoopState(jobs.size(), inFlight, heldCount, conns.size(), gates.pending()));
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
      if (e != null && e.dueSequence == d.sequence() && !e.inFlight && !e.held && e.waitingAt == null) {
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
    if (!ownership.owns(job.partition())) {
      removed(job.key()); // replaced with a partition another replica triggers
      return;
    }
    Entry e = take(job.key(), job.revision(), job.partition());
    if (e != null) {
      e.ticks = job.ticks();
      plan(e, job.attemptAt());
    }
  }

  /** A job read from the store (start, a new share): tracked unless the loop knows it already. */
  private void track(DueJob d) {
    Entry e = take(d.key(), d.revision(), d.partition());
    if (e != null) {
      e.ticks = null; // the store's, read when it fires
      plan(e, Optional.ofNullable(d.attemptAt()));
    }
  }

  /** The entry to (re)plan for this revision, or null when the loop already tracks it or a newer one. */
  private Entry take(JobKey key, long revision, int partition) {
    Entry e = jobs.get(key);
    if (e != null && e.revision >= revision) {
      // The start-up listing and the change feed overlap: a job put while the loop was listing the store arrives
      // twice. Revisions only grow, so the copy we already track is the same job or a newer one.
      return null;
    }
    if (e != null) {
      unpark(e);
      e.inFlight = false; // the result of a trigger of the old revision is ignored when it comes
    } else {
      e = new Entry(key);
      jobs.put(key, e);
    }
    e.revision = revision;
    e.partition = partition;
    return e;
  }

  private void removed(JobKey key) {
    Entry e = jobs.remove(key);
    if (e != null) {
      unpark(e);
    }
  }

  /** The live replicas changed: drop the jobs no longer ours, take in those that now are. */
  private void assigned(Ownership now, boolean reset) {
    Ownership before = ownership;
    ownership = now;
    gates.share(now);
    if (reset) {
      for (Entry e : List.copyOf(jobs.values())) {
        removed(e.key);
      }
    } else if (now.equals(before)) {
      return;
    } else {
      for (Entry e : List.copyOf(jobs.values())) {
        if (!now.owns(e.partition)) {
          removed(e.key);
        }
      }
    }
    int had = jobs.size();
    store.scan(now::owns, this::track);
    gates.all().forEach(this::drain); // a share of a limit may have grown
    LOG.info("triggering share {} of {} (was {} of {}): {} jobs, {} taken in", now.index(), now.count(), before.index(),
        before.count(), jobs.size(), jobs.size() - had);
  }

  /** Queues the job's next attempt, or ends it when there is none. */
  private void plan(Entry e, Optional<Instant> at) {
    if (at.isEmpty()) {
      finish(e);
      return;
    }
    e.dueSequence = ++sequence;
    due.add(new Due(at.get(), e.dueSequence, e.key));
  }

  private void finish(Entry e) {
    jobs.remove(e.key);
    unpark(e);
    store.apply(new JobCommand.Advance(e.key, e.revision, null));
    LOG.debug("{} is over", e.key);
  }

  /** The job no longer waits: neither for a stream nor for a concurrency slot. */
  private void unpark(Entry e) {
    if (e.waitingAt != null) {
      gates.dequeue(e.waitingAt, e.key);
      e.waitingAt = null;
    }
    if (e.held) {
      Set<JobKey> waiting = held.get(Route.of(e.key.owner()));
      if (waiting != null) {
        waiting.remove(e.key);
      }
      e.held = false;
    }
  }

  /** The job as stored, if the store still has the revision the loop tracks (else a change for it is on its way). */
  private StoredJob current(Entry e) {
    StoredJob j = store.peek(e.key).orElse(null);
    return j != null && j.revision() == e.revision ? j : null;
  }

  /**
   * Sends the job's trigger to the next matching stream once it holds the concurrency gates it needs; holds it until
   * a stream opens, or queues it for a gate.
   */
  private void fire(Entry e) {
    Route route = Route.of(e.key.owner());
    Streams streams = routes.get(route);
    if (streams == null || streams.conns.isEmpty()) {
      e.held = true;
      held.computeIfAbsent(route, r -> new LinkedHashSet<>()).add(e.key);
      metrics.held();
      LOG.debug("{} is due but no stream takes {}; held until one opens", e.key, route);
      return;
    }
    StoredJob j = current(e);
    if (j == null) {
      return;
    }
    List<Gate> need = needed(route, j);
    if (!need.isEmpty()) {
      Gate full = gates.acquire(need);
      if (full != null) {
        wait(e, j, need, full);
        return;
      }
    }
    send(e, j, streams.pick(), need);
  }

  /** The concurrency gates a trigger of {@code j} must hold: only reminders have any. */
  private List<Gate> needed(Route route, StoredJob j) {
    if (!route.actor()) {
      return List.of();
    }
    String key = j.metadata().hasConcurrencyKey() ? j.metadata().getConcurrencyKey() : null;
    return gates.needed(route.namespace(), route.name(), key);
  }

  private void send(Entry e, StoredJob j, Conn c, List<Gate> holding) {
    long id = ++c.lastId;
    c.inFlight.put(id, new InFlight(e.key, e.revision, holding));
    e.inFlight = true;
    WatchJobsResponse.Builder trigger = WatchJobsResponse.newBuilder().setName(e.key.name()).setId(id).setMetadata(j.metadata());
    if (j.spec().hasData() && !j.spec().getData().equals(Any.getDefaultInstance())) {
      // no data means no data: a present but empty Any makes daprd 1.18 fail the reminder ("proto: invalid empty
      // type URL") and retry it for ever; upstream sends none either
      trigger.setData(j.spec().getData());
    }
    j.timing().attemptAt(j.ticks(), j.policy()).ifPresent(at -> metrics.fired(Duration.between(at, clock.instant())));
    c.stream.send(trigger.build());
  }

  /** Queues the trigger for its gates; when the queue is full the attempt fails, as upstream's does. */
  private void wait(Entry e, StoredJob j, List<Gate> need, Gate full) {
    if (gates.enqueue(need, e.key)) {
      e.waitingAt = need.get(0);
      LOG.debug("{} waits for a slot of {} ({} is full)", e.key, e.waitingAt, full);
      return;
    }
    LOG.warn("{} cannot wait for {}: {} triggers wait already; the attempt fails", e.key, need.get(0),
        need.get(0).waiting);
    settle(e, j, false);
  }

  /** Lets the triggers waiting for {@code g} go, earliest first, while it has room. */
  private void drain(Gate g) {
    JobKey k;
    while (!g.removed && (k = gates.next(g)) != null) {
      Entry e = jobs.get(k);
      if (e != null && e.waitingAt == g) {
        e.waitingAt = null;
        fire(e); // takes its slots: what it needs may have changed while it waited, so it is asked again
      }
    }
  }

  /** A gate is gone: its waiting triggers go on without it (or are held, or wait for another gate). */
  private void unblock(Gate g) {
    for (JobKey k : gates.drop(g)) {
      Entry e = jobs.get(k);
      if (e != null && e.waitingAt == g) {
        e.waitingAt = null;
        fire(e);
      }
    }
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
    List<Gate> declared = gates.declare(stream, stream.concurrencyLimits());
    LOG.debug("stream of App({}/{}) opened: jobs {}, actor types {}, concurrency gates {}", stream.namespace(),
        stream.appId(), stream.acceptsJobs(), stream.actorTypes(), declared);
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
    declared.forEach(this::drain); // a limit may have grown
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
    Set<Gate> released = new LinkedHashSet<>();
    for (InFlight f : c.inFlight.values()) {
      gates.release(f.gates());
      released.addAll(f.gates());
    }
    List<Gate> gone = gates.forget(stream);
    // the triggers that were in flight go first: they are older than any waiting, and take back the slots they freed
    for (InFlight f : c.inFlight.values()) {
      Entry e = jobs.get(f.key());
      if (e != null && e.inFlight && e.revision == f.revision()) {
        e.inFlight = false;
        metrics.redelivered();
        fire(e);
      }
    }
    c.inFlight.clear();
    gone.forEach(this::unblock);
    released.forEach(this::drain);
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
    // the slots are free whatever became of the job meanwhile
    gates.release(f.gates());
    Entry e = jobs.get(f.key());
    if (e != null && e.revision == f.revision() && e.inFlight) {
      e.inFlight = false;
      StoredJob j = current(e);
      if (j != null) {
        settle(e, j, success);
      }
    }
    f.gates().forEach(this::drain);
  }

  /** The attempt succeeded or failed: plans the job's next attempt from it, or ends the job. */
  private void settle(Entry e, StoredJob j, boolean success) {
    Ticks ticks = e.ticks != null ? e.ticks : j.ticks();
    Instant tickAt = j.timing().tick(ticks).orElse(null);
    if (tickAt == null) {
      finish(e);
      return;
    }
    Ticks next = success ? ticks.succeeded(tickAt) : ticks.failed(tickAt, j.policy());
    metrics.result(success, Duration.between(j.timing().attemptAt(ticks, j.policy()).orElse(tickAt), clock.instant()));
    e.ticks = next;
    Optional<Instant> at = j.timing().attemptAt(next, j.policy());
    if (at.isEmpty()) {
      finish(e);
      return;
    }
    // progress goes through the log, so the job's tick counter survives this replica; the loop does not wait for it
    store.apply(new JobCommand.Advance(j.key(), j.revision(), next));
    plan(e, at);
  }

  private void shutdown(Shutdown s) {
    stopped = true;
    for (Conn c : conns.values()) {
      c.stream.close(s.status());
    }
    conns.clear();
    routes.clear();
    gates.clear();
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
