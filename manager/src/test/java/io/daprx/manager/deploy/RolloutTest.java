package io.daprx.manager.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import org.junit.jupiter.api.Test;

/** The health gate of a component as {@code kubectl rollout status} decides it, on workload objects alone. */
class RolloutTest {

  static Deployment deployment(long generation, long observed, int total, int updated, int ready, int available) {
    return new DeploymentBuilder().withNewMetadata().withNamespace("dapr-system").withName("dapr-sentry").withGeneration(generation).endMetadata()
        .withNewSpec().withReplicas(3).endSpec()
        .withStatus(new DeploymentStatusBuilder().withObservedGeneration(observed).withReplicas(total).withUpdatedReplicas(updated)
            .withReadyReplicas(ready).withAvailableReplicas(available).build())
        .build();
  }

  static StatefulSet statefulSet(long generation, long observed, int updated, int ready, String current, String update) {
    return new StatefulSetBuilder().withNewMetadata().withNamespace("dapr-system").withName("dapr-placement-server").withGeneration(generation)
        .endMetadata().withNewSpec().withReplicas(3).endSpec()
        .withStatus(new StatefulSetStatusBuilder().withObservedGeneration(observed).withReplicas(3).withUpdatedReplicas(updated)
            .withReadyReplicas(ready).withCurrentRevision(current).withUpdateRevision(update).build())
        .build();
  }

  @Test
  void aDeploymentWhoseEveryReplicaIsUpdatedReadyAndAvailableIsRolledOut() {
    assertThat(Rollout.of(deployment(2, 2, 3, 3, 3, 3)).done()).isTrue();
  }

  @Test
  void aDeploymentMidUpgradeIsNotRolledOutAlthoughItsOldPodsGiveEveryReadyReplica() {
    // the gate that counted ready replicas alone passed here: 3/3 ready, all of them the old version
    Rollout r = Rollout.of(deployment(2, 2, 4, 1, 3, 3));

    assertThat(r.done()).isFalse();
    assertThat(r.describe()).isEqualTo("Deployment(dapr-system/dapr-sentry) 1/3 updated, 3/3 ready, 3/3 available, 3 old pending termination");
    assertThat(r.kubectl()).isEqualTo("kubectl -n dapr-system rollout status deployment/dapr-sentry");
  }

  @Test
  void aDeploymentWhoseNewSpecItsControllerHasNotSeenIsNotRolledOut() {
    Rollout r = Rollout.of(deployment(3, 2, 3, 3, 3, 3));

    assertThat(r.done()).isFalse();
    assertThat(r.describe()).contains("not yet acted on").contains("generation 3, observed 2");
  }

  @Test
  void aDeploymentWithOldReplicasPendingTerminationIsNotRolledOut() {
    assertThat(Rollout.of(deployment(2, 2, 4, 3, 3, 3)).done()).isFalse();
  }

  @Test
  void aDeploymentWhoseUpdatedReplicasAreReadyButNotYetAvailableIsNotRolledOut() {
    assertThat(Rollout.of(deployment(2, 2, 3, 3, 3, 2)).done()).isFalse();
  }

  @Test
  void aWorkloadNoControllerHasReportedOnIsNotRolledOut() {
    Deployment fresh = new DeploymentBuilder().withNewMetadata().withNamespace("dapr-system").withName("dapr-sentry").withGeneration(1L).endMetadata()
        .withNewSpec().withReplicas(3).endSpec().build();
    Deployment noGeneration = new DeploymentBuilder().withNewMetadata().withName("dapr-sentry").endMetadata().withNewSpec().withReplicas(0).endSpec()
        .build();

    assertThat(Rollout.of(fresh).done()).isFalse();
    assertThat(Rollout.of(noGeneration).done()).as("even with nothing to run, until a controller says so").isFalse();
  }

  @Test
  void aStatefulSetIsRolledOutWhenEveryPodRunsTheUpdateRevisionAndIsReady() {
    assertThat(Rollout.of(statefulSet(2, 2, 3, 3, "p-2", "p-2")).done()).isTrue();
    assertThat(Rollout.of(statefulSet(2, 2, 3, 3, null, null)).done()).as("revisions not reported").isTrue();
  }

  @Test
  void aStatefulSetMidUpgradeIsNotRolledOut() {
    Rollout replacing = Rollout.of(statefulSet(2, 2, 1, 2, "p-1", "p-2"));
    Rollout revisionsApart = Rollout.of(statefulSet(2, 2, 3, 3, "p-1", "p-2"));
    Rollout unobserved = Rollout.of(statefulSet(2, 1, 3, 3, "p-1", "p-1"));

    assertThat(replacing.done()).isFalse();
    assertThat(revisionsApart.done()).isFalse();
    assertThat(unobserved.done()).isFalse();
    assertThat(replacing.describe()).isEqualTo("StatefulSet(dapr-system/dapr-placement-server) 1/3 updated, 2/3 ready, revision p-1 -> p-2");
    assertThat(replacing.kubectl()).isEqualTo("kubectl -n dapr-system rollout status statefulset/dapr-placement-server");
  }
}
