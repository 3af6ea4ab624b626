package io.daprx.scheduler.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.TargetActorReminder;
import io.daprx.proto.scheduler.v1.TargetJob;
import io.daprx.scheduler.job.InMemoryJobStore;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobRequests;
import io.daprx.scheduler.job.JobSelector;
import io.daprx.scheduler.job.StoredJob;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class NamespaceCleanupMockTest {

  KubernetesClient client;

  private final InMemoryJobStore store = new InMemoryJobStore();

  private void job(String ns, String name, boolean reminder) {
    JobTargetMetadata target = reminder
        ? JobTargetMetadata.newBuilder().setActor(TargetActorReminder.newBuilder().setType("Cart").setId("c-1")).build()
        : JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance()).build();
    JobMetadata m = JobMetadata.newBuilder().setNamespace(ns).setAppId("app").setTarget(target).build();
    store.apply(new JobCommand.Put(JobRequests.toStored(name, m, Job.newBuilder().setSchedule("@every 1h").build(),
        Instant.parse("2026-03-10T12:00:00Z"), 1 << 20), false));
  }

  private List<String> namespacesWithJobs() {
    return store.list(JobSelector.all()).stream().map(StoredJob::key).map(k -> k.owner().namespace()).distinct().sorted().toList();
  }

  private void namespace(String name) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
  }

  @Test
  void aDeletedNamespaceTakesItsJobsAndRemindersAndNothingElse() {
    namespace("shop");
    namespace("billing");
    job("shop", "nightly", false);
    job("shop", "remind", true);
    job("billing", "invoice", false);
    try (NamespaceCleanup cleanup = new NamespaceCleanup(client, store).start()) {
      assertThat(namespacesWithJobs()).containsExactly("billing", "shop");

      client.namespaces().withName("shop").delete();

      await().until(() -> namespacesWithJobs().equals(List.of("billing")));
    }
  }

  @Test
  void jobsOfANamespaceDeletedWhileNoReplicaWatchedGoAtStart() {
    namespace("billing");
    job("gone", "nightly", false);
    job("billing", "invoice", false);
    try (NamespaceCleanup cleanup = new NamespaceCleanup(client, store).start()) {
      await().until(() -> namespacesWithJobs().equals(List.of("billing")));
    }
  }
}
