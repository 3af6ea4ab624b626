package io.daprx.manager.engine;

import io.daprx.manager.store.Doc;
import io.daprx.manager.deploy.Install;
import io.daprx.manager.deploy.ReconcileException;
import io.daprx.manager.deploy.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A target that runs nothing: it records every install it is asked for and fails those the test says should fail, so
 * a test sees exactly what the runner decided to apply (release, settings, CRDs) and in which order.
 */
final class FakeTarget implements Target {

  /** One {@link #apply} call: on which cluster, what, and whether it was made to fail. */
  record Applied(String clusterName, Install install, boolean failed) {
    String version() {
      return install.version();
    }
  }

  private final List<Applied> applied = new ArrayList<>();
  private Predicate<Install> fails = i -> false;

  /** From now on, installs that match fail as a health gate would (not ready in time). */
  synchronized void failWhen(Predicate<Install> when) {
    fails = when;
  }

  synchronized void failVersion(String version) {
    failWhen(i -> i.version().equals(version));
  }

  synchronized void succeedAll() {
    failWhen(i -> false);
  }

  synchronized List<Applied> applied() {
    return List.copyOf(applied);
  }

  synchronized Applied last() {
    return applied.get(applied.size() - 1);
  }

  synchronized void clear() {
    applied.clear();
  }

  @Override
  public synchronized List<ComponentStatus> apply(Doc cluster, Install install, Duration timeout) throws ReconcileException {
    boolean fail = fails.test(install);
    applied.add(new Applied(cluster.body().path("name").asText(), install, fail));
    if (fail) {
      throw new ReconcileException("dapr-sentry " + install.version() + " not ready within " + timeout.toSeconds() + "s: 0/3 replicas ready");
    }
    return List.of(new ComponentStatus("dapr-sentry", 3, 3), new ComponentStatus("dapr-operator", 3, 3));
  }

  @Override
  public void remove(Doc cluster, String namespace) {}

  @Override
  public void stop(Doc cluster, String namespace) {}
}
