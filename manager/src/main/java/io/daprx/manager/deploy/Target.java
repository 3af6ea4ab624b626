package io.daprx.manager.deploy;

import io.daprx.manager.store.Doc;
import java.time.Duration;
import java.util.List;

/**
 * Where an install runs: the local cluster (processes on this machine) or a Kubernetes cluster.
 * Every change to a target goes through {@link #apply} or {@link #remove} (one write path).
 */
public interface Target {

  /**
   * Makes the cluster run the release and settings of {@code install}, component after component, and waits until
   * every replica is ready (the health gate of each step); throws {@link ReconcileException} with the reason when
   * that does not happen within {@code timeout}. Returns one status line per component.
   */
  List<ComponentStatus> apply(Doc cluster, Install install, Duration timeout) throws ReconcileException;

  /** Stops and removes everything the install created. */
  void remove(Doc cluster, String namespace);

  /**
   * Removes what the install of extension {@code owner} created, and nothing of another extension's install: where a
   * cluster holds one control plane, an extension that does not own it (a second install refused or failed) removes nothing.
   */
  default void remove(Doc cluster, String namespace, String owner) {
    remove(cluster, namespace);
  }

  /** Stops the install's processes but keeps its state, so {@link #apply} brings it back as it was. */
  void stop(Doc cluster, String namespace);

  /**
   * Makes the extension's state (as the API shows it, and its recent operations) readable inside the cluster, for
   * the dashboard; a target whose dashboard reads the management API needs nothing here.
   */
  default void publish(Doc cluster, String namespace, com.fasterxml.jackson.databind.node.ObjectNode extension,
      com.fasterxml.jackson.databind.node.ArrayNode operations) {}

  /** A component's rollout state after {@link #apply}. */
  record ComponentStatus(String workload, int ready, int desired) {}
}
