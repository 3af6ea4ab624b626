package io.daprx.manager.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.util.Locale;
import java.util.Objects;

/**
 * A workload's rollout as its controller reports it, and whether it is complete, decided as {@code kubectl rollout
 * status} decides: the controller has seen the latest spec ({@code observedGeneration}), every replica runs the new
 * pod template ({@code updatedReplicas}) and is ready, and no old replica is left (a Deployment's surplus
 * {@code replicas}, a StatefulSet's {@code currentRevision}). Counting ready replicas alone is not enough during an
 * upgrade: the old ReplicaSet's pods are ready while the new ones crash.
 *
 * @param generation the spec's generation; 1 when the object has none (the API server gives every object one)
 * @param observedGeneration the generation the controller last acted on; 0 before it ever has
 * @param desired {@code spec.replicas} (1 when unset, the API server's default)
 * @param total {@code status.replicas}: pods of every revision
 * @param available a Deployment's available replicas; a StatefulSet's is not part of the decision
 */
public record Rollout(String kind, String namespace, String name, long generation, long observedGeneration, int desired,
    int total, int updated, int ready, int available, String currentRevision, String updateRevision) {

  /** The rollout of a Deployment or StatefulSet; any other object has none. */
  public static Rollout of(HasMetadata workload) {
    long generation = workload.getMetadata().getGeneration() == null ? 1 : workload.getMetadata().getGeneration();
    String ns = workload.getMetadata().getNamespace();
    String name = workload.getMetadata().getName();
    if (workload instanceof Deployment d) {
      DeploymentStatus s = d.getStatus();
      return new Rollout("Deployment", ns, name, generation, s == null ? 0 : n(s.getObservedGeneration()), replicas(d.getSpec().getReplicas()),
          s == null ? 0 : n(s.getReplicas()), s == null ? 0 : n(s.getUpdatedReplicas()), s == null ? 0 : n(s.getReadyReplicas()),
          s == null ? 0 : n(s.getAvailableReplicas()), null, null);
    }
    if (workload instanceof StatefulSet t) {
      StatefulSetStatus s = t.getStatus();
      return new Rollout("StatefulSet", ns, name, generation, s == null ? 0 : n(s.getObservedGeneration()), replicas(t.getSpec().getReplicas()),
          s == null ? 0 : n(s.getReplicas()), s == null ? 0 : n(s.getUpdatedReplicas()), s == null ? 0 : n(s.getReadyReplicas()),
          s == null ? 0 : n(s.getAvailableReplicas()), s == null ? null : s.getCurrentRevision(), s == null ? null : s.getUpdateRevision());
    }
    throw new IllegalArgumentException(workload.getKind() + " " + name + " is not a Deployment or StatefulSet");
  }

  /** Whether every replica runs the current spec and is ready: the health gate of one component. */
  public boolean done() {
    if (observedGeneration < generation || updated != desired || ready != desired) {
      return false;
    }
    if ("Deployment".equals(kind)) {
      return available == desired && total == desired;
    }
    return currentRevision == null || updateRevision == null || currentRevision.equals(updateRevision);
  }

  /** What the rollout stands at, e.g. {@code Deployment(dapr-system/dapr-sentry) 1/3 updated, 3/3 ready, 1 old pending termination}. */
  public String describe() {
    String who = kind + "(" + (namespace == null ? name : namespace + "/" + name) + ")";
    if (observedGeneration < generation) {
      return who + " spec change not yet acted on by its controller (generation " + generation + ", observed " + observedGeneration + ")";
    }
    StringBuilder b = new StringBuilder(who).append(' ').append(updated).append('/').append(desired).append(" updated, ")
        .append(ready).append('/').append(desired).append(" ready");
    if ("Deployment".equals(kind)) {
      b.append(", ").append(available).append('/').append(desired).append(" available");
      if (total > updated) {
        b.append(", ").append(total - updated).append(" old pending termination");
      }
    } else if (currentRevision != null && updateRevision != null && !Objects.equals(currentRevision, updateRevision)) {
      b.append(", revision ").append(currentRevision).append(" -> ").append(updateRevision);
    }
    return b.toString();
  }

  /** The command that watches this rollout on the cluster. */
  public String kubectl() {
    return "kubectl -n " + namespace + " rollout status " + kind.toLowerCase(Locale.ROOT) + "/" + name;
  }

  private static int replicas(Integer specReplicas) {
    return specReplicas == null ? 1 : specReplicas;
  }

  private static int n(Integer v) {
    return v == null ? 0 : v;
  }

  private static long n(Long v) {
    return v == null ? 0 : v;
  }
}
