package io.daprx.scheduler.job;

import io.daprx.scheduler.job.JobCommand.Advance;
import io.daprx.scheduler.job.JobCommand.Delete;
import io.daprx.scheduler.job.JobCommand.DeleteWhere;
import io.daprx.scheduler.job.JobCommand.Put;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Jobs in a sorted map, for tests, laptops and a single replica without a data directory: everything is lost when
 * the process ends. Commands are applied under one lock in arrival order; {@link #applyNow} is the deterministic
 * transition a replicated state machine can reuse.
 */
public final class InMemoryJobStore implements JobStore {

  private final NavigableMap<String, StoredJob> jobs = new TreeMap<>();
  private final List<Consumer<JobChange>> listeners = new CopyOnWriteArrayList<>();
  private long revision;

  @Override
  public CompletableFuture<Outcome> apply(JobCommand command) {
    List<JobChange> changes = new ArrayList<>();
    Outcome outcome;
    synchronized (this) {
      outcome = applyNow(command, changes);
      // listeners hear changes in apply order: notify under the lock
      for (JobChange c : changes) {
        for (Consumer<JobChange> l : listeners) {
          l.accept(c);
        }
      }
    }
    return CompletableFuture.completedFuture(outcome);
  }

  /** Applies one command to the map, collecting what changed. Deterministic: the same commands, the same map. */
  Outcome applyNow(JobCommand command, List<JobChange> changes) {
    if (command instanceof Put p) {
      String k = p.job().key().storeKey();
      if (!p.overwrite() && jobs.containsKey(k)) {
        return Outcome.notApplied();
      }
      StoredJob stored = p.job().withRevision(++revision);
      jobs.put(k, stored);
      changes.add(new JobChange.Stored(stored));
      return new Outcome(true, stored.revision(), List.of());
    } else if (command instanceof Delete d) {
      StoredJob gone = jobs.remove(d.key().storeKey());
      if (gone == null) {
        return new Outcome(true, 0, List.of());
      }
      changes.add(new JobChange.Removed(gone.key()));
      return new Outcome(true, 0, List.of(gone.key()));
    } else if (command instanceof DeleteWhere w) {
      List<JobKey> removed = new ArrayList<>();
      var it = candidates(w.selector()).entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<String, StoredJob> e = it.next();
        if (w.selector().matches(e.getValue().key())) {
          removed.add(e.getValue().key());
          it.remove();
          changes.add(new JobChange.Removed(e.getValue().key()));
        }
      }
      return new Outcome(true, 0, List.copyOf(removed));
    } else if (command instanceof Advance a) {
      String k = a.key().storeKey();
      StoredJob current = jobs.get(k);
      if (current == null || current.revision() != a.revision()) {
        return Outcome.notApplied();
      }
      if (a.ticks() == null) {
        jobs.remove(k);
        changes.add(new JobChange.Removed(a.key()));
        return new Outcome(true, 0, List.of(a.key()));
      }
      jobs.put(k, current.withTicks(a.ticks()));
      return new Outcome(true, current.revision(), List.of());
    }
    throw new IllegalArgumentException("unknown command " + command);
  }

  /** The part of the map a selector can match: its key prefix's range, or everything for a namespace. */
  private NavigableMap<String, StoredJob> candidates(JobSelector selector) {
    String p = selector.keyPrefix();
    if (p.startsWith("\u0001")) {
      return jobs;
    }
    return jobs.subMap(p, true, p + Character.MAX_VALUE, false);
  }

  @Override
  public synchronized Optional<StoredJob> get(JobKey key) {
    return Optional.ofNullable(jobs.get(key.storeKey()));
  }

  @Override
  public synchronized List<StoredJob> list(JobSelector selector) {
    List<StoredJob> out = new ArrayList<>();
    for (StoredJob j : candidates(selector).values()) {
      if (selector.matches(j.key())) {
        out.add(j);
      }
    }
    return out;
  }

  @Override
  public void subscribe(Consumer<JobChange> listener) {
    listeners.add(listener);
  }

  public synchronized int size() {
    return jobs.size();
  }
}
