package io.daprx.manager.target;

import io.daprx.manager.install.DaprSettings;
import io.daprx.manager.store.Doc;
import java.time.Duration;
import java.util.List;

/**
 * Where an install runs: the local cluster (processes on this machine) or, later, a Kubernetes cluster.
 * Every change to a target goes through {@link #apply} or {@link #remove} (one write path).
 */
public interface Target {

  /**
   * Makes the cluster run the control plane these settings describe and waits until every replica is
   * ready; throws {@link ReconcileException} with the reason when that does not happen within {@code timeout}.
   * Returns one status line per component.
   */
  List<ComponentStatus> apply(Doc cluster, String namespace, DaprSettings settings, Duration timeout) throws ReconcileException;

  /** Stops and removes everything the install created. */
  void remove(Doc cluster, String namespace);

  /** Stops the install's processes but keeps its state, so {@link #apply} brings it back as it was. */
  void stop(Doc cluster, String namespace);

  /** A component's rollout state after {@link #apply}. */
  record ComponentStatus(String workload, int ready, int desired) {}
}
