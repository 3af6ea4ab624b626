package io.daprx.scheduler.job;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Jobs in a sorted map, for tests, laptops and a single replica without a data directory: everything is lost when
 * the process ends. Commands are applied under one lock in arrival order, through the same {@link Transition} as
 * the replicated store.
 */
public final class InMemoryJobStore implements JobStore {

  private final NavigableMap<String, StoredJob> jobs = new TreeMap<>();
  private final List<Consumer<JobChange>> listeners = new CopyOnWriteArrayList<>();
  private final JobMap map = new JobMap() {
    @Override
    public StoredJob get(JobKey key) {
      return jobs.get(key.storeKey());
    }

    @Override
    public void put(StoredJob job) {
      jobs.put(job.key().storeKey(), job);
    }

    @Override
    public void remove(JobKey key) {
      jobs.remove(key.storeKey());
    }

    @Override
    public List<JobKey> keys(String prefix) {
      return candidates(prefix).values().stream().map(StoredJob::key).toList();
    }
  };
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

  /** Applies one command to the map, collecting what changed. */
  Outcome applyNow(JobCommand command, List<JobChange> changes) {
    Outcome o = Transition.apply(map, command, revision + 1, changes);
    if (o.applied() && command instanceof JobCommand.Put) {
      revision++;
    }
    return o;
  }

  private NavigableMap<String, StoredJob> candidates(String prefix) {
    return prefix.isEmpty() ? jobs : jobs.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
  }

  @Override
  public synchronized Optional<StoredJob> get(JobKey key) {
    return Optional.ofNullable(jobs.get(key.storeKey()));
  }

  @Override
  public synchronized List<StoredJob> list(JobSelector selector) {
    List<StoredJob> out = new ArrayList<>();
    String p = selector.keyPrefix().startsWith("\u0001") ? "" : selector.keyPrefix();
    for (StoredJob j : candidates(p).values()) {
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

  @Override
  public synchronized long count() {
    return jobs.size();
  }

  public synchronized int size() {
    return jobs.size();
  }
}
