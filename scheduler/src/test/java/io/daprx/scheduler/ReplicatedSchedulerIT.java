package io.daprx.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.JobTargetType;
import io.daprx.proto.scheduler.v1.ListJobsRequest;
import io.daprx.proto.scheduler.v1.ScheduleJobRequest;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.TargetJob;
import io.daprx.proto.scheduler.v1.WatchHostsRequest;
import io.daprx.proto.scheduler.v1.WatchHostsResponse;
import io.daprx.proto.scheduler.v1.WatchJobsRequest;
import io.daprx.proto.scheduler.v1.WatchJobsRequestInitial;
import io.daprx.proto.scheduler.v1.WatchJobsRequestResult;
import io.daprx.proto.scheduler.v1.WatchJobsRequestResultStatus;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three scheduler replicas as real processes on loopback (plaintext: sentry is not what this checks), with sidecar
 * streams to each that acknowledge every trigger. A replica killed with SIGKILL mid-stream loses no job and no tick,
 * its jobs fire again from the survivors within seconds, and after all three restart the jobs still fire.
 */
class ReplicatedSchedulerIT {

  private static final int ONE_SHOT_TICKS = 8;

  @TempDir
  Path data;

  private final List<Replica> replicas = new ArrayList<>();
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();
  /** Every delivery, per job name: when it arrived (nanoTime). */
  private final Map<String, List<Long>> deliveries = new ConcurrentHashMap<>();
  private String cluster;
  private int[] grpcPorts;

  private record Replica(String id, int port, Process process) {}

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    replicas.forEach(r -> r.process().destroyForcibly());
  }

  @Test
  void aReplicaKilledMidStreamLosesNoJobNorTickAndAFullRestartKeepsTheJobs() throws Exception {
    grpcPorts = IntStream.range(0, 3).map(i -> freePort()).toArray();
    cluster = IntStream.range(0, 3).mapToObj(i -> "dapr-scheduler-server-" + i + "=http://127.0.0.1:" + freePort())
        .collect(Collectors.joining(","));
    startAll();
    awaitHosts(List.of(0, 1, 2));
    for (int port : grpcPorts) {
      sidecar(port);
    }

    // 60 jobs of 8 ticks a second apart, and 6 that never end (they must fire after the full restart)
    SchedulerGrpc.SchedulerBlockingStub client = stub(grpcPorts[0]);
    for (int i = 0; i < 60; i++) {
      client.scheduleJob(schedule("tick-" + i, Job.newBuilder().setSchedule("@every 1s").setRepeats(ONE_SHOT_TICKS).build()));
    }
    for (int i = 0; i < 6; i++) {
      client.scheduleJob(schedule("forever-" + i, Job.newBuilder().setSchedule("@every 1s").build()));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.keySet().stream().filter(n -> n.startsWith("tick-")).count() == 60);

    Replica victim = replicas.get(1);
    long killedAt = System.nanoTime();
    victim.process().destroyForcibly(); // SIGKILL
    victim.process().waitFor(10, TimeUnit.SECONDS);
    awaitHosts(List.of(0, 2));
    System.out.printf("WatchHosts dropped the killed replica after %d ms%n", (System.nanoTime() - killedAt) / 1_000_000);

    // every one-shot job ends only once its 8th tick is acknowledged: all gone = no job and no tick lost
    await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(stub(grpcPorts[0]).listJobs(list()).getJobsList())
        .extracting(j -> j.getName()).allMatch(n -> n.startsWith("forever-")));
    for (int i = 0; i < 60; i++) {
      assertThat(deliveries.get("tick-" + i)).as("deliveries of tick-" + i).hasSizeGreaterThanOrEqualTo(ONE_SHOT_TICKS);
    }
    long worstGapMs = worstGapAcross(killedAt);
    System.out.printf("largest gap between two deliveries of one job across the kill: %d ms (ticks every 1000 ms)%n", worstGapMs);
    assertThat(worstGapMs).as("a killed replica's jobs fire again from the survivors within 5 s").isLessThan(6_000);

    // all three restart from their data directories: the never-ending jobs fire again
    for (Replica r : replicas) {
      r.process().destroyForcibly();
      r.process().waitFor(10, TimeUnit.SECONDS);
    }
    channels.forEach(ManagedChannel::shutdownNow);
    channels.clear();
    replicas.clear();
    deliveries.clear();
    long restartAt = System.nanoTime();
    startAll();
    for (int port : grpcPorts) {
      sidecar(port);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> deliveries.keySet().stream().filter(n -> n.startsWith("forever-")).count() == 6);
    System.out.printf("after a full restart every job fired again within %d ms%n", (System.nanoTime() - restartAt) / 1_000_000);
    assertThat(stub(grpcPorts[2]).listJobs(list()).getJobsCount()).isEqualTo(6);
  }

  /** The largest time between consecutive deliveries of one job, over the deliveries around {@code at}. */
  private long worstGapAcross(long at) {
    long worst = 0;
    for (List<Long> times : deliveries.values()) {
      List<Long> sorted = times.stream().sorted().toList();
      for (int i = 1; i < sorted.size(); i++) {
        if (sorted.get(i) > at && sorted.get(i - 1) < at + 1_000_000_000L * 6) {
          worst = Math.max(worst, (sorted.get(i) - sorted.get(i - 1)) / 1_000_000);
        }
      }
    }
    return worst;
  }

  private void startAll() throws IOException, InterruptedException {
    List<Process> started = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = "dapr-scheduler-server-" + i;
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), ReplicaMain.class.getName(), id,
          "" + grpcPorts[i], cluster, data.toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.PIPE);
      Process p = pb.start();
      started.add(p);
      replicas.add(new Replica(id, grpcPorts[i], p));
    }
    for (Replica r : replicas) {
      awaitReady(r);
    }
  }

  /** Reads the replica's output until READY, then keeps draining it (into a log file) so it never blocks. */
  private void awaitReady(Replica r) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(r.process().getInputStream(), StandardCharsets.UTF_8));
    Path log = data.resolve(r.id() + ".log");
    java.io.Writer file = java.nio.file.Files.newBufferedWriter(log, StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String line;
    while ((line = out.readLine()) != null) {
      file.write(line + "\n");
      if (line.startsWith("READY")) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(r.id() + " did not start; see " + log);
      }
    }
    file.flush();
    if (line == null) {
      file.close();
      throw new AssertionError(r.id() + " exited before serving; see " + log + ":\n" + java.nio.file.Files.readString(log));
    }
    Thread drain = new Thread(() -> {
      try (file; out) {
        String l;
        while ((l = out.readLine()) != null) {
          file.write(l + "\n");
          file.flush();
        }
      } catch (IOException ended) {
        // the process is gone
      }
    }, "drain-" + r.id());
    drain.setDaemon(true);
    drain.start();
  }

  /** Waits until WatchHosts on each of those replicas lists exactly them. */
  private void awaitHosts(List<Integer> live) {
    List<String> expected = live.stream().map(i -> "127.0.0.1:" + grpcPorts[i]).toList();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      for (int i : live) {
        Iterator<WatchHostsResponse> it = SchedulerGrpc.newBlockingStub(channel(grpcPorts[i]))
            .withDeadlineAfter(2, TimeUnit.SECONDS).watchHosts(WatchHostsRequest.getDefaultInstance());
        assertThat(it.next().getHostsList()).extracting(h -> h.getAddress()).containsExactlyElementsOf(expected);
      }
    });
  }

  /** A sidecar stream to one replica, as daprd opens it, acknowledging every trigger at once. */
  private void sidecar(int port) {
    SchedulerGrpc.newStub(channel(port)).watchJobs(new ClientResponseObserver<WatchJobsRequest, WatchJobsResponse>() {
      private ClientCallStreamObserver<WatchJobsRequest> requests;

      @Override
      public void beforeStart(ClientCallStreamObserver<WatchJobsRequest> r) {
        requests = r;
      }

      @Override
      public void onNext(WatchJobsResponse trigger) {
        deliveries.computeIfAbsent(trigger.getName(), n -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
        synchronized (this) {
          requests.onNext(WatchJobsRequest.newBuilder().setResult(WatchJobsRequestResult.newBuilder()
              .setId(trigger.getId()).setStatus(WatchJobsRequestResultStatus.SUCCESS)).build());
        }
      }

      @Override
      public void onError(Throwable t) {
        // the replica went away
      }

      @Override
      public void onCompleted() {
      }
    }).onNext(WatchJobsRequest.newBuilder().setInitial(WatchJobsRequestInitial.newBuilder().setNamespace("ns")
        .setAppId("app").addAcceptJobTypes(JobTargetType.JOB_TARGET_TYPE_JOB)).build());
  }

  private ManagedChannel channel(int port) {
    ManagedChannel c = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    channels.add(c);
    return c;
  }

  private SchedulerGrpc.SchedulerBlockingStub stub(int port) {
    return SchedulerGrpc.newBlockingStub(channel(port)).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private static JobMetadata metadata() {
    return JobMetadata.newBuilder().setNamespace("ns").setAppId("app")
        .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
  }

  private static ScheduleJobRequest schedule(String name, Job job) {
    return ScheduleJobRequest.newBuilder().setName(name).setJob(job).setMetadata(metadata()).build();
  }

  private static ListJobsRequest list() {
    return ListJobsRequest.newBuilder().setMetadata(metadata()).build();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
