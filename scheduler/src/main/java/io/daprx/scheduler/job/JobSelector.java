package io.daprx.scheduler.job;

/**
 * A set of jobs as a prefix of their store keys: every job of an app, every reminder of an actor type, of an actor,
 * of actor ids with a prefix, and any of these narrowed to names with a prefix. Deterministic and serializable, so
 * a replicated store can apply a bulk delete the same way on every replica.
 */
public record JobSelector(String keyPrefix) {

  /** Every job of the app. */
  public static JobSelector app(String namespace, String appId) {
    return new JobSelector(new JobOwner.App(namespace, appId).keyPrefix());
  }

  /**
   * Reminders of an actor type: all of them when {@code id} is empty, else those of actor {@code id}, or, with
   * {@code idPrefix}, of every actor whose id starts with {@code id} (a workflow and its activities).
   */
  public static JobSelector actor(String namespace, String type, String id, boolean idPrefix) {
    String typePrefix = "actor\0" + namespace + "\0" + type + "\0";
    if (id == null || id.isEmpty()) {
      return new JobSelector(typePrefix);
    }
    return new JobSelector(idPrefix ? typePrefix + id : typePrefix + id + "\0");
  }

  /** The jobs of one owner whose names start with {@code prefix} (all of them for an empty prefix). */
  public static JobSelector namePrefix(JobOwner owner, String prefix) {
    return new JobSelector(owner.keyPrefix() + prefix);
  }

  /** Every job. */
  public static JobSelector all() {
    return new JobSelector("");
  }

  /** Every job and reminder of a namespace (the namespace was deleted). */
  public static JobSelector namespace(String namespace) {
    return new JobSelector("\u0001" + namespace); // matched by matches(), not as a plain prefix
  }

  public boolean matches(JobKey key) {
    if (keyPrefix.startsWith("\u0001")) {
      return key.owner().namespace().equals(keyPrefix.substring(1));
    }
    return key.storeKey().startsWith(keyPrefix);
  }
}
