package io.daprx.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.TargetJob;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.job.JobOwner;
import io.daprx.scheduler.job.JobRequests;
import io.daprx.scheduler.job.JobSelector;
import io.daprx.scheduler.job.StoredJob;
import io.daprx.scheduler.time.Ticks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three replicas of the Ratis job store in this JVM, on loopback ports, plaintext. */
class ReplicatedJobStoreTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  @TempDir
  Path data;

  private final List<ReplicatedJobStore> running = new ArrayList<>();

  @AfterEach
  void stop() {
    running.forEach(ReplicatedJobStore::close);
  }

  static StoredJob job(String name) {
    JobMetadata m = JobMetadata.newBuilder().setNamespace("ns").setAppId("app")
        .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
    return JobRequests.toStored(name, m, Job.newBuilder().setSchedule("@every 1s").build(), NOW, 1 << 20);
  }

  static Map<String, InetSocketAddress> peers(int n) {
    Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      peers.put("dapr-scheduler-server-" + i, InetSocketAddress.createUnresolved("127.0.0.1", freePort()));
    }
    return peers;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ReplicatedJobStore start(Map<String, InetSocketAddress> peers, String id) {
    ReplicatedJobStore s = ReplicatedJobStore.start(new ReplicaOptions(id, peers, data, "127.0.0.1", 1 << 20, null, null));
    running.add(s);
    s.announce(id + ":50006");
    return s;
  }

  @Test
  void aWriteOnOneReplicaIsReadOnAnotherAndRevisionsAreLogIndexes() {
    Map<String, InetSocketAddress> peers = peers(3);
    List<ReplicatedJobStore> r = peers.keySet().stream().map(id -> start(peers, id)).toList();
    StoredJob j = job("j1");
    long first = r.get(1).apply(new JobCommand.Put(j, false)).join().revision();
    assertThat(r.get(2).get(j.key())).hasValueSatisfying(s -> assertThat(s.revision()).isEqualTo(first));
    assertThat(r.get(0).apply(new JobCommand.Put(j, false)).join().applied()).isFalse();
    long second = r.get(2).apply(new JobCommand.Put(job("j1"), true)).join().revision();
    assertThat(second).isGreaterThan(first);
    r.get(0).apply(new JobCommand.Advance(j.key(), second, new Ticks(5, 0, NOW))).join();
    assertThat(r.get(1).get(j.key()).orElseThrow().ticks().count()).isEqualTo(5);
    assertThat(r.get(1).list(JobSelector.app("ns", "app"))).hasSize(1);
  }

  @Test
  void writesFromEveryReplicaAtOnceAreGroupedAndEachCallerHearsItsOwnOutcome() {
    Map<String, InetSocketAddress> peers = peers(3);
    List<ReplicatedJobStore> r = peers.keySet().stream().map(id -> start(peers, id)).toList();
    // groups are written once every replica announced that it reads them
    await().atMost(Duration.ofSeconds(20)).until(() -> r.get(0).membership().addresses().size() == 3);
    int cycles = 3000;
    java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(300);
    List<java.util.concurrent.CompletableFuture<Long>> revisions = new ArrayList<>();
    for (int i = 0; i < cycles; i++) {
      window.acquireUninterruptibly();
      ReplicatedJobStore via = r.get(i % 3);
      StoredJob j = job("cycle-" + i);
      // a workflow's cycle: put the job, then end it with the revision the put answered
      revisions.add(via.apply(new JobCommand.Put(j, false))
          .thenCompose(put -> via.apply(new JobCommand.Advance(j.key(), put.revision(), null))
              .thenApply(end -> end.applied() && end.removed().equals(List.of(j.key())) ? put.revision() : -1L))
          .whenComplete((x, e) -> window.release()));
    }
    List<Long> done = revisions.stream().map(java.util.concurrent.CompletableFuture::join).toList();
    assertThat(done).doesNotContain(-1L);
    // a revision is the index of the entry that stored the job: fewer entries than writes means they shared entries
    assertThat(done.stream().mapToLong(Long::longValue).max().orElseThrow()).isLessThan(2L * cycles);
    r.forEach(s -> assertThat(s.list(JobSelector.all())).isEmpty());
  }

  @Test
  void aJobAsLargeAsTheLimitIsReplicated() {
    // Ratis' log write buffer is sized from the job limit (it is resident memory): the largest job, with its
    // command around it, must still fit one entry and reach every replica
    Map<String, InetSocketAddress> peers = peers(3);
    List<ReplicatedJobStore> r = peers.keySet().stream().map(id -> start(peers, id)).toList();
    JobMetadata m = JobMetadata.newBuilder().setNamespace("ns").setAppId("app")
        .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
    byte[] payload = new byte[(1 << 20) - 512];
    java.util.Arrays.fill(payload, (byte) 7);
    StoredJob big = JobRequests.toStored("big", m, Job.newBuilder().setSchedule("@every 1s")
        .setData(com.google.protobuf.Any.newBuilder().setTypeUrl("t/bytes").setValue(com.google.protobuf.ByteString.copyFrom(payload)))
        .build(), NOW, 1 << 20);
    long rev = r.get(0).apply(new JobCommand.Put(big, false)).join().revision();
    r.forEach(s -> await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(s.peek(big.key()))
        .hasValueSatisfying(x -> assertThat(x.revision()).isEqualTo(rev))));
  }

  @Test
  void theLiveReplicasAreAgreedOnAndADeadOneLeavesWithinFiveSeconds() {
    Map<String, InetSocketAddress> peers = peers(3);
    List<ReplicatedJobStore> r = peers.keySet().stream().map(id -> start(peers, id)).toList();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> r.forEach(s ->
        assertThat(s.membership().live()).containsExactlyElementsOf(peers.keySet())));
    ReplicatedJobStore leader = r.stream().filter(ReplicatedJobStore::isLeader).findFirst().orElseThrow();
    ReplicatedJobStore victim = r.stream().filter(s -> s != leader).findFirst().orElseThrow();
    long start = System.nanoTime();
    victim.close();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(leader.membership().live())
        .doesNotContain(victim.selfId()).hasSize(2));
    System.out.printf("follower death noticed in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    assertThat(leader.membership().liveAddresses()).hasSize(2);
  }

  @Test
  void oneReplicaWithADataDirectoryKeepsItsJobsAcrossARestart() {
    Map<String, InetSocketAddress> peers = peers(1);
    String id = peers.keySet().iterator().next();
    ReplicatedJobStore s = start(peers, id);
    StoredJob j = job("durable");
    long rev = s.apply(new JobCommand.Put(j, false)).join().revision();
    s.close();
    running.remove(s);
    ReplicatedJobStore again = start(peers, id);
    assertThat(again.get(j.key())).hasValueSatisfying(x -> assertThat(x.revision()).isEqualTo(rev));
    long next = again.apply(new JobCommand.Put(job("other"), false)).join().revision();
    assertThat(next).as("revisions only grow across restarts").isGreaterThan(rev);
    assertThat(again.get(new JobKey(new JobOwner.App("ns", "app"), "other"))).isPresent();
  }
}
