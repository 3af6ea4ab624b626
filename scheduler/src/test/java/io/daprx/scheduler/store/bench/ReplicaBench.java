package io.daprx.scheduler.store.bench;

import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.JobTargetType;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.TargetActorReminder;
import io.daprx.proto.scheduler.v1.TargetJob;
import io.daprx.proto.scheduler.v1.WatchJobsRequest;
import io.daprx.proto.scheduler.v1.WatchJobsRequestInitial;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.daprx.scheduler.Scheduler;
import io.daprx.scheduler.SchedulerOptions;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobRequests;
import io.daprx.scheduler.store.ReplicaOptions;
import io.daprx.scheduler.store.ReplicatedJobStore;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The replicated store with a million jobs, one replica, its own JVM per step:
 * <ul>
 *   <li>{@code load <dir> <raftPort> <jobs>}: puts the jobs through Ratis (a window of 1,000 in flight) — reminders
 *       every hour, plus 100 jobs due at once — and prints the rate and the RSS;
 *   <li>{@code cycles <dir> <firstRaftPort> <seconds>}: three replicas in this JVM; workflow-shaped cycles (put a job,
 *       then end it: two log entries) from all three at once, 300 in flight, and prints cycles per second — the
 *       log's share of a cycle, without the sidecar rpcs and the trigger loop;
 *   <li>{@code restart <dir> <raftPort> <jobs>}: starts a whole scheduler on that data, opens a sidecar stream, and prints
 *       the time from start to the first trigger, then the RSS once the trigger loop tracks every job.
 * </ul>
 */
public final class ReplicaBench {

  private static final String ID = "dapr-scheduler-server-0";

  private ReplicaBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    int raftPort = Integer.parseInt(args[2]);
    if (args[0].equals("load")) {
      load(dir, raftPort, Integer.parseInt(args[3]));
    } else if (args[0].equals("cycles")) {
      cycles(dir, raftPort, Integer.parseInt(args[3]));
    } else {
      restart(dir, raftPort, Integer.parseInt(args[3]));
    }
    System.exit(0);
  }

  static void load(Path dir, int raftPort, int n) throws Exception {
    ReplicatedJobStore store = ReplicatedJobStore.start(new ReplicaOptions(ID,
        Map.of(ID, InetSocketAddress.createUnresolved("127.0.0.1", raftPort)), dir, "127.0.0.1", 1 << 20, null, null));
    Instant now = Instant.now();
    JobMetadata app = JobMetadata.newBuilder().setNamespace("default").setAppId("app")
        .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
    store.apply(new JobCommand.Put(JobRequests.toStored("warm-up", app, Job.newBuilder().setDueTime("1h").build(), now,
        1 << 20), true)).get(30, TimeUnit.SECONDS);
    Semaphore window = new Semaphore(1000);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      JobMetadata m = JobMetadata.newBuilder().setNamespace("default").setAppId("app")
          .setTarget(JobTargetMetadata.newBuilder().setActor(TargetActorReminder.newBuilder()
              .setType("dapr.internal.default.app.workflow").setId("wf-" + (i % 50_000)))).build();
      Job job = Job.newBuilder().setSchedule("@every 1h").setDueTime("1h").build();
      window.acquire();
      store.apply(new JobCommand.Put(JobRequests.toStored("timer-" + i, m, job, now, 1 << 20), true))
          .whenComplete((o, e) -> {
            if (e != null) {
              failed.set(e);
            }
            window.release();
          });
    }
    window.acquire(1000);
    double seconds = (System.nanoTime() - t0) / 1e9;
    window.release(1000);
    System.out.printf("loaded in %.1f s, first failure: %s%n", seconds, failed.get());
    for (int i = 0; i < 100; i++) {
      long p0 = System.nanoTime();
      store.apply(new JobCommand.Put(JobRequests.toStored("now-" + i, app, Job.newBuilder().setDueTime("0s").build(), now,
          1 << 20), true)).get(30, TimeUnit.SECONDS);
      if (i < 3) {
        System.out.printf("put %d after the load took %d ms%n", i, (System.nanoTime() - p0) / 1_000_000);
      }
    }
    System.out.printf("load: %d jobs through Ratis in %.1f s = %.0f puts/s, rss %d MB%s%n", n, seconds, n / seconds,
        StoreBench.rssMb(), failed.get() == null ? "" : ", failures: " + failed.get());
    store.close();
  }

  static void cycles(Path dir, int firstPort, int seconds) throws Exception {
    Map<String, InetSocketAddress> peers = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      peers.put("dapr-scheduler-server-" + i, InetSocketAddress.createUnresolved("127.0.0.1", firstPort + i));
    }
    java.util.List<ReplicatedJobStore> stores = new java.util.ArrayList<>();
    for (String id : peers.keySet()) {
      stores.add(ReplicatedJobStore.start(new ReplicaOptions(id, peers, dir, "127.0.0.1", 1 << 20, null, null)));
    }
    JobMetadata m = JobMetadata.newBuilder().setNamespace("default").setAppId("app")
        .setTarget(JobTargetMetadata.newBuilder().setActor(TargetActorReminder.newBuilder()
            .setType("dapr.internal.default.app.workflow").setId("wf"))).build();
    Instant now = Instant.now();
    stores.get(0).apply(new JobCommand.Put(JobRequests.toStored("warm-up", m, Job.newBuilder().setDueTime("0s").build(), now,
        1 << 20), true)).get(60, TimeUnit.SECONDS);
    Semaphore window = new Semaphore(Integer.getInteger("window", 300));
    java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long t0 = System.nanoTime();
    for (long i = 0; System.nanoTime() < end; i++) {
      window.acquire();
      ReplicatedJobStore via = stores.get((int) (i % 3));
      io.daprx.scheduler.job.StoredJob job = JobRequests.toStored("timer-" + i, m, Job.newBuilder().setDueTime("0s").build(),
          now, 1 << 20);
      via.apply(new JobCommand.Put(job, true))
          .thenCompose(o -> via.apply(new JobCommand.Advance(job.key(), o.revision(), null)))
          .whenComplete((o, e) -> {
            if (e == null) {
              done.incrementAndGet();
            }
            window.release();
          });
    }
    window.acquire(Integer.getInteger("window", 300));
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("cycles: %d put+end cycles on 3 replicas in %.1f s = %.0f cycles/s, rss %d MB (all three)%n",
        done.get(), secs, done.get() / secs, StoreBench.rssMb());
    stores.forEach(ReplicatedJobStore::close);
  }

  static void restart(Path dir, int raftPort, int n) throws Exception {
    long t0 = System.nanoTime();
    SchedulerOptions options = SchedulerOptions.defaults().withTls(false, null, null).withListenAddress("127.0.0.1")
        .withPorts(0, 0, -1).withCluster(ID, Map.of(ID, "http://127.0.0.1:" + raftPort), dir);
    Scheduler scheduler = new Scheduler(options, Clock.systemUTC()).start();
    long started = System.nanoTime();
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", scheduler.port()).usePlaintext().build();
    CountDownLatch first = new CountDownLatch(1);
    StreamObserver<WatchJobsRequest> requests = SchedulerGrpc.newStub(channel).watchJobs(new StreamObserver<>() {
      @Override
      public void onNext(WatchJobsResponse value) {
        first.countDown();
      }

      @Override
      public void onError(Throwable t) {
      }

      @Override
      public void onCompleted() {
      }
    });
    requests.onNext(WatchJobsRequest.newBuilder().setInitial(WatchJobsRequestInitial.newBuilder().setNamespace("default")
        .setAppId("app").addAcceptJobTypes(JobTargetType.JOB_TARGET_TYPE_JOB)).build());
    first.await(120, TimeUnit.SECONDS);
    long fired = System.nanoTime();
    int jobs;
    while ((jobs = scheduler.triggers().state().join().jobs()) < n) {
      Thread.sleep(200); // a benchmark's poll, not a test's wait
    }
    System.gc();
    Runtime rt = Runtime.getRuntime();
    System.out.printf("restart: scheduler started in %.1f s, first trigger %.1f s after start, %d jobs tracked, rss %d MB"
        + " (heap %d MB live of %d MB committed)%n", (started - t0) / 1e9, (fired - t0) / 1e9, jobs, StoreBench.rssMb(),
        (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20);
    channel.shutdownNow();
    scheduler.close();
  }
}
