package io.daprx.scheduler.job;

/** What a store tells its listeners after applying a command: the triggering side follows these. */
public sealed interface JobChange {

  /** A job was stored, new or replacing one of the same key. */
  record Stored(StoredJob job) implements JobChange {}

  /** A job was deleted, or ended. */
  record Removed(JobKey key) implements JobChange {}
}
