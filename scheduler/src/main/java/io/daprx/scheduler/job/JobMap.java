package io.daprx.scheduler.job;

import java.util.List;

/**
 * The jobs a {@link Transition} reads and writes: a sorted map in memory, or the replicated store's table on disk.
 * Keys are {@link JobKey#storeKey()}s.
 */
public interface JobMap {

  StoredJob get(JobKey key);

  void put(StoredJob job);

  void remove(JobKey key);

  /** The keys starting with {@code prefix} (all of them for ""), in key order, safe to remove while going through. */
  List<JobKey> keys(String prefix);
}
