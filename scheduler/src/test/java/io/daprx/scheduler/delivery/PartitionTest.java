package io.daprx.scheduler.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.TargetJob;
import io.daprx.scheduler.job.InMemoryJobStore;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobRequests;
import io.daprx.scheduler.job.StoredJob;
import io.daprx.scheduler.metrics.SchedulerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which replica triggers which job, and what the loop does when the live replicas change. */
class PartitionTest {

  private static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");
  private static final List<String> THREE = List.of("dapr-scheduler-server-2", "dapr-scheduler-server-0",
      "dapr-scheduler-server-1");

  @Test
  void everyPartitionHasExactlyOneOwnerAmongTheLiveReplicasSortedById() {
    for (List<String> live : List.of(THREE, List.of("dapr-scheduler-server-0", "dapr-scheduler-server-2"),
        List.of("dapr-scheduler-server-1"))) {
      for (int partition : IntStream.range(0, 1000).map(i -> i * 2_147_483 + 7).toArray()) {
        long owners = live.stream().filter(id -> Ownership.of(live, id).owns(partition)).count();
        assertThat(owners).as("owners of partition %d among %s", partition, live).isEqualTo(1);
      }
    }
    assertThat(Ownership.of(THREE, "dapr-scheduler-server-0")).isEqualTo(new Ownership(0, 3));
    assertThat(Ownership.of(THREE, "dapr-scheduler-server-2")).isEqualTo(new Ownership(2, 3));
    assertThat(Ownership.of(THREE, "dapr-scheduler-server-9").owns(5)).as("a replica not live owns nothing").isFalse();
  }

  @Test
  void whenAReplicaDiesTheSurvivorsTakeInItsJobsAndKeepTheirs() {
    InMemoryJobStore store = new InMemoryJobStore();
    JobMetadata m = JobMetadata.newBuilder().setNamespace("shop").setAppId("cart")
        .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
    Set<Integer> partitions = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      StoredJob j = JobRequests.toStored("j" + i, m, Job.newBuilder().setDueTime("1h").build(), T0, 1 << 20);
      partitions.add(j.partition());
      store.apply(new JobCommand.Put(j, false));
    }
    List<TriggerLoop> loops = THREE.stream().map(id -> new TriggerLoop(store, Clock.fixed(T0, ZoneOffset.UTC),
        new SchedulerMetrics(new SimpleMeterRegistry()), Ownership.of(THREE, id)).start()).toList();
    try {
      await().until(() -> loops.stream().mapToInt(l -> l.state().join().jobs()).sum() == 300);
      assertThat(loops).allSatisfy(l -> assertThat(l.state().join().jobs()).as("each has a share").isBetween(50, 150));

      // dapr-scheduler-server-0 (THREE.get(1)) dies: the other two split all 300
      List<String> two = List.of("dapr-scheduler-server-1", "dapr-scheduler-server-2");
      loops.get(0).post(new TriggerEvent.Assigned(Ownership.of(two, "dapr-scheduler-server-2"), false));
      loops.get(2).post(new TriggerEvent.Assigned(Ownership.of(two, "dapr-scheduler-server-1"), false));
      await().until(() -> loops.get(0).state().join().jobs() + loops.get(2).state().join().jobs() == 300);
      assertThat(loops.get(0).state().join().jobs()).isBetween(100, 200);

      // it comes back: three shares again, nothing tracked twice
      loops.get(0).post(new TriggerEvent.Assigned(Ownership.of(THREE, "dapr-scheduler-server-2"), false));
      loops.get(2).post(new TriggerEvent.Assigned(Ownership.of(THREE, "dapr-scheduler-server-1"), false));
      await().until(() -> loops.stream().mapToInt(l -> l.state().join().jobs()).sum() == 300);
    } finally {
      loops.forEach(TriggerLoop::close);
    }
  }
}
