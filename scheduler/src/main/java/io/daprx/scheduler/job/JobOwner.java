package io.daprx.scheduler.job;

/**
 * Whom a job belongs to, and so where its triggers go: an app's own job, or an actor's reminder. The app id is not
 * part of a reminder's owner: a reminder belongs to the actor, whichever app hosts it.
 */
public sealed interface JobOwner {

  String namespace();

  /** The store's key prefix of this owner's jobs; each part ends with a NUL, which no name or id may contain. */
  String keyPrefix();

  /** A job of app {@code appId}, triggered on that app's streams. */
  record App(String namespace, String appId) implements JobOwner {
    @Override
    public String keyPrefix() {
      return "app\0" + namespace + "\0" + appId + "\0";
    }

    @Override
    public String toString() {
      return "App(" + namespace + "/" + appId + ")";
    }
  }

  /** A reminder of actor {@code type}/{@code id}, triggered on any stream of the namespace hosting {@code type}. */
  record Actor(String namespace, String type, String id) implements JobOwner {
    @Override
    public String keyPrefix() {
      return "actor\0" + namespace + "\0" + type + "\0" + id + "\0";
    }

    @Override
    public String toString() {
      return "Actor(" + namespace + "/" + type + "/" + id + ")";
    }
  }
}
