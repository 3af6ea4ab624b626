package io.daprx.scheduler.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.TargetJob;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.daprx.scheduler.job.InMemoryJobStore;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobRequests;
import io.daprx.scheduler.metrics.SchedulerMetrics;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loop alone, with streams that are plain objects: no transport in between. */
class TriggerLoopTest {

  private static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");

  private final InMemoryJobStore store = new InMemoryJobStore();
  private final TriggerLoop loop = new TriggerLoop(store, Clock.fixed(T0, ZoneOffset.UTC),
      new SchedulerMetrics(new SimpleMeterRegistry())).start();

  @AfterEach
  void stop() {
    loop.close();
  }

  static final class Stream implements WatchStream {
    final List<WatchJobsResponse> sent = new CopyOnWriteArrayList<>();
    volatile boolean ready = true;
    volatile Status closed;

    @Override
    public String namespace() {
      return "shop";
    }

    @Override
    public String appId() {
      return "cart";
    }

    @Override
    public boolean acceptsJobs() {
      return true;
    }

    @Override
    public List<String> actorTypes() {
      return List.of();
    }

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void send(WatchJobsResponse trigger) {
      sent.add(trigger);
    }

    @Override
    public void close(Status status) {
      closed = status;
    }
  }

  private void schedule(String name) {
    JobMetadata m = JobMetadata.newBuilder().setNamespace("shop").setAppId("cart")
        .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
    store.apply(new JobCommand.Put(JobRequests.toStored(name, m, Job.newBuilder().setDueTime("0s").build(), T0, 1 << 20), false));
  }

  @Test
  void aBusyStreamIsPassedOverWhileAnotherIsReady() {
    Stream busy = new Stream();
    Stream idle = new Stream();
    busy.ready = false;
    loop.post(new TriggerEvent.Opened(busy));
    loop.post(new TriggerEvent.Opened(idle));
    await().until(() -> loop.state().join().streams() == 2);
    for (int i = 0; i < 4; i++) {
      schedule("j" + i);
    }
    await().until(() -> idle.sent.size() == 4);
    assertThat(busy.sent).isEmpty();
  }

  @Test
  void whenEveryStreamIsBusyTheyStillTakeTurns() {
    Stream a = new Stream();
    Stream b = new Stream();
    a.ready = false;
    b.ready = false;
    loop.post(new TriggerEvent.Opened(a));
    loop.post(new TriggerEvent.Opened(b));
    // both streams are in before the first job: a job the start-up listing already sees would otherwise be held
    // and go to whichever stream opens first
    await().until(() -> loop.state().join().streams() == 2);
    for (int i = 0; i < 4; i++) {
      schedule("j" + i);
    }
    await().until(() -> a.sent.size() + b.sent.size() == 4);
    assertThat(a.sent).hasSize(2);
    assertThat(b.sent).hasSize(2);
  }

  @Test
  void aJobSeenInTheStartUpListingAndInTheChangeFeedFiresOnce() {
    InMemoryJobStore early = new InMemoryJobStore();
    TriggerLoop second = new TriggerLoop(early, Clock.fixed(T0, ZoneOffset.UTC),
        new SchedulerMetrics(new SimpleMeterRegistry()));
    try {
      Stream s = new Stream();
      second.post(new TriggerEvent.Opened(s));
      // subscribed but not yet listed: the put below is both in the listing and in the feed, as when a
      // sidecar schedules a job while the loop starts
      early.subscribe(change -> second.post(new TriggerEvent.Changed(change)));
      JobMetadata m = JobMetadata.newBuilder().setNamespace("shop").setAppId("cart")
          .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
      early.apply(new JobCommand.Put(JobRequests.toStored("once", m, Job.newBuilder().setDueTime("0s").build(), T0,
          1 << 20), false));
      second.start();
      await().until(() -> second.state().join().jobs() == 1 && s.sent.size() >= 1);
      assertThat(second.state().join().inFlight()).isEqualTo(1);
      assertThat(s.sent).hasSize(1);
    } finally {
      second.close();
    }
  }

  @Test
  void aResultForATriggerTheStreamNeverGotEndsTheStreamAndItsOtherTriggersMove() {
    Stream bad = new Stream();
    Stream good = new Stream();
    loop.post(new TriggerEvent.Opened(bad));
    schedule("j");
    await().until(() -> bad.sent.size() == 1);
    loop.post(new TriggerEvent.Opened(good));
    loop.post(new TriggerEvent.Result(bad, 7, true));
    await().until(() -> bad.closed != null && good.sent.size() == 1);
    assertThat(bad.closed.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(good.sent.get(0).getName()).isEqualTo("j");
  }
}
