package io.daprx.scheduler.delivery;

import com.google.protobuf.TextFormat;
import io.daprx.proto.scheduler.v1.ConcurrencyLimit;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.metrics.SchedulerMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dapr 1.18's concurrency limits as upstream's scheduler keeps them: a gate per namespace and key (an actor type, or
 * {@code type:name} for a named limit), made by the streams that declare it in their {@code initial} and gone with
 * the last of them. A gate counts the triggers in flight that hold it and queues, first come first served, those
 * that wait for it. Each replica enforces its share of a limit ({@link #localLimit}).
 *
 * <p>Part of the {@link TriggerLoop}: touched by its thread only. The loop decides what a waiting trigger does when it
 * gets its turn; this class only counts.
 */
final class ConcurrencyGates {

  private static final Logger LOG = LoggerFactory.getLogger(ConcurrencyGates.class);

  /** Upstream's bound on one gate's queue; a trigger beyond it fails (and its failure policy applies). */
  static final int MAX_PENDING = 100_000;

  record Key(String namespace, String name) {
    @Override
    public String toString() {
      return namespace + "/" + name;
    }
  }

  /**
   * One limit: its global size, the triggers holding it here, and those waiting for it. The waiting are kept in one
   * queue per other gate they also need (none, or a named limit's), each in arrival order; the earliest head that
   * can go goes next. So one ready to go is found without looking at every trigger blocked behind a full named
   * limit — a burst of a throttled workflow name must not slow every other workflow.
   */
  static final class Gate {
    final Key key;
    final SchedulerMetrics.GateMeters meters;
    // keyed by the other gate each trigger also needs (null: none); values map job to arrival number
    private final Map<Gate, LinkedHashMap<JobKey, Long>> queues = new LinkedHashMap<>();
    int global;
    int inFlight;
    int waiting;
    boolean removed;

    Gate(Key key, int global, SchedulerMetrics.GateMeters meters) {
      this.key = key;
      this.global = global;
      this.meters = meters;
    }

    @Override
    public String toString() {
      return "Gate(" + key + " " + inFlight + "/" + global + ", " + waiting + " waiting)";
    }
  }

  private final SchedulerMetrics metrics;
  private final int maxPending;
  private final Map<Key, Gate> gates = new HashMap<>();
  private final Map<WatchStream, List<Key>> declared = new LinkedHashMap<>();
  private Ownership share;
  private long arrivals;

  ConcurrencyGates(SchedulerMetrics metrics, int maxPending, Ownership share) {
    this.metrics = metrics;
    this.maxPending = maxPending;
    this.share = share;
  }

  /**
   * This replica's part of a limit of {@code global} shared by {@code count} live replicas, this one at
   * {@code index}: an even split, the remainder to the lowest indices, so the parts add up to the limit; never 0, so
   * a limit smaller than the number of replicas is exceeded rather than starving a replica (as upstream).
   */
  static int localLimit(int global, int count, int index) {
    if (count <= 1) {
      return global;
    }
    int base = global / count;
    if (base < 1) {
      return 1;
    }
    return index < global % count ? base + 1 : base;
  }

  /** The live replicas changed; the caller drains every gate, as a share may have grown. */
  void share(Ownership now) {
    share = now;
  }

  /**
   * A stream opened: makes or resizes the gates its limits name (the last stream to declare a size wins, as
   * upstream). Limits without an actor target or with a size of 0 or less mean no limit (daprd sends 0 for an unset
   * global limit) and are skipped.
   *
   * @return the gates this stream declares, which the caller drains (a larger limit lets waiting triggers go)
   */
  List<Gate> declare(WatchStream stream, List<ConcurrencyLimit> limits) {
    List<Key> keys = new ArrayList<>();
    List<Gate> touched = new ArrayList<>();
    for (ConcurrencyLimit l : limits) {
      if (l.getMaxConcurrent() <= 0 || !l.hasActor()) {
        LOG.debug("stream of App({}/{}): limit {} names no actor type or no size; not a gate", stream.namespace(),
            stream.appId(), TextFormat.shortDebugString(l));
        continue;
      }
      String name = l.getActor().getType() + (l.hasName() ? ":" + l.getName() : "");
      Key key = new Key(stream.namespace(), name);
      Gate g = gates.get(key);
      if (g == null) {
        g = new Gate(key, l.getMaxConcurrent(), metrics.gate(key.namespace(), key.name()));
        gates.put(key, g);
        LOG.debug("concurrency gate {} made with a limit of {}", key, l.getMaxConcurrent());
      } else {
        g.global = l.getMaxConcurrent();
      }
      if (!keys.contains(key)) {
        keys.add(key);
        touched.add(g);
      }
    }
    if (!keys.isEmpty()) {
      declared.put(stream, keys);
    }
    return touched;
  }

  /**
   * A stream ended: its limits no longer count. Removes the gates no open stream declares any more.
   *
   * @return the gates removed; the caller sends their waiting triggers on without a gate
   */
  List<Gate> forget(WatchStream stream) {
    List<Key> keys = declared.remove(stream);
    if (keys == null) {
      return List.of();
    }
    List<Gate> gone = new ArrayList<>();
    for (Key k : keys) {
      if (declared.values().stream().noneMatch(other -> other.contains(k))) {
        Gate g = gates.remove(k);
        g.removed = true;
        g.meters.idle();
        gone.add(g);
        LOG.debug("concurrency gate {} removed with the last stream declaring it", k);
      }
    }
    return gone;
  }

  /**
   * The gates a reminder of {@code actorType} must hold: the type's, then {@code type:concurrencyKey}'s when the job
   * names a key; each only if a stream declared it.
   */
  List<Gate> needed(String namespace, String actorType, String concurrencyKey) {
    if (gates.isEmpty()) {
      return List.of();
    }
    Gate byType = gates.get(new Key(namespace, actorType));
    Gate byName = concurrencyKey == null ? null : gates.get(new Key(namespace, actorType + ":" + concurrencyKey));
    if (byType == null) {
      return byName == null ? List.of() : List.of(byName);
    }
    return byName == null ? List.of(byType) : List.of(byType, byName);
  }

  boolean hasRoom(Gate g) {
    return g.inFlight < localLimit(g.global, Math.max(share.count(), 1), share.index());
  }

  /**
   * Takes a slot in every gate of {@code need}, or in none.
   *
   * @return null when taken; else the first gate that was full
   */
  Gate acquire(List<Gate> need) {
    for (Gate g : need) {
      if (!hasRoom(g)) {
        g.meters.throttled();
        return g;
      }
    }
    for (Gate g : need) {
      g.inFlight++;
      g.meters.inFlight(g.inFlight);
    }
    return null;
  }

  /** A trigger that held {@code held} has its result (or its stream ended). A removed gate's count no longer matters. */
  void release(List<Gate> held) {
    for (Gate g : held) {
      if (g.inFlight > 0) {
        g.inFlight--;
      }
      if (!g.removed) {
        g.meters.inFlight(g.inFlight);
      }
    }
  }

  /**
   * Queues {@code job} behind the first gate of {@code need} (every trigger waiting there needs that gate, so while
   * it is full none of its queue can go).
   *
   * @return false when that queue is full: the trigger fails
   */
  boolean enqueue(List<Gate> need, JobKey job) {
    Gate first = need.get(0);
    if (first.waiting >= maxPending) {
      return false;
    }
    Gate also = need.size() > 1 ? need.get(1) : null;
    first.queues.computeIfAbsent(also, g -> new LinkedHashMap<>()).put(job, ++arrivals);
    first.waiting++;
    first.meters.pending(first.waiting);
    return true;
  }

  /** Takes {@code job} out of {@code gate}'s queue (it was deleted, replaced or handed away). */
  void dequeue(Gate gate, JobKey job) {
    for (Iterator<LinkedHashMap<JobKey, Long>> it = gate.queues.values().iterator(); it.hasNext(); ) {
      LinkedHashMap<JobKey, Long> q = it.next();
      if (q.remove(job) != null) {
        if (q.isEmpty()) {
          it.remove();
        }
        gate.waiting--;
        if (!gate.removed) {
          gate.meters.pending(gate.waiting);
        }
        return;
      }
    }
  }

  /**
   * Takes out of {@code gate}'s queue the earliest trigger whose gates all have room now (one blocked by a full
   * named limit keeps its place), or returns null. A gate removed meanwhile no longer blocks.
   */
  JobKey next(Gate gate) {
    if (!hasRoom(gate)) {
      return null;
    }
    Map.Entry<JobKey, Long> best = null;
    for (Map.Entry<Gate, LinkedHashMap<JobKey, Long>> q : gate.queues.entrySet()) {
      Gate also = q.getKey();
      if (also != null && !also.removed && !hasRoom(also)) {
        continue;
      }
      Map.Entry<JobKey, Long> head = q.getValue().entrySet().iterator().next();
      if (best == null || head.getValue() < best.getValue()) {
        best = head;
      }
    }
    if (best == null) {
      return null;
    }
    JobKey job = best.getKey();
    dequeue(gate, job);
    return job;
  }

  /** Empties the queue of a removed {@code gate}: its triggers in arrival order. */
  List<JobKey> drop(Gate gate) {
    List<Map.Entry<JobKey, Long>> all = new ArrayList<>();
    gate.queues.values().forEach(q -> all.addAll(q.entrySet()));
    all.sort(Map.Entry.comparingByValue());
    gate.queues.clear();
    gate.waiting = 0;
    return all.stream().map(Map.Entry::getKey).toList();
  }

  List<Gate> all() {
    return List.copyOf(gates.values());
  }

  /** Triggers waiting in every gate. */
  int pending() {
    int n = 0;
    for (Gate g : gates.values()) {
      n += g.waiting;
    }
    return n;
  }

  void clear() {
    gates.values().forEach(g -> g.meters.idle());
    gates.clear();
    declared.clear();
  }
}
