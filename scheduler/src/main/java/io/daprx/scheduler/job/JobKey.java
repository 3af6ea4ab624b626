package io.daprx.scheduler.job;

/** The identity of a job: its owner and its name. */
public record JobKey(JobOwner owner, String name) {

  /** The store's key: the owner's prefix, then the name; sorts a owner's jobs together for prefix scans. */
  public String storeKey() {
    return owner.keyPrefix() + name;
  }

  @Override
  public String toString() {
    return owner + ":" + name;
  }
}
