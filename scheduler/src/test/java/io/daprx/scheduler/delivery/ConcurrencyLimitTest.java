package io.daprx.scheduler.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.proto.scheduler.v1.ConcurrencyLimit;
import io.daprx.proto.scheduler.v1.ConcurrencyLimitActor;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.TargetActorReminder;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.daprx.scheduler.delivery.TriggerEvent.LoopState;
import io.daprx.scheduler.job.InMemoryJobStore;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.job.JobOwner;
import io.daprx.scheduler.job.JobRequests;
import io.daprx.scheduler.job.StoredJob;
import io.daprx.scheduler.metrics.SchedulerMetrics;
import io.grpc.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Dapr 1.18's concurrency limits in the loop alone, with streams that are plain objects. */
class ConcurrencyLimitTest {

  private static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");

  private final InMemoryJobStore store = new InMemoryJobStore();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<TriggerLoop> loops = new ArrayList<>();

  @AfterEach
  void stop() {
    loops.forEach(TriggerLoop::close);
  }

  private TriggerLoop loop(Ownership share, int maxPending) {
    TriggerLoop l = new TriggerLoop(store, Clock.fixed(T0, ZoneOffset.UTC), new SchedulerMetrics(registry), share,
        maxPending).start();
    loops.add(l);
    return l;
  }

  private TriggerLoop loop() {
    return loop(Ownership.ALL, ConcurrencyGates.MAX_PENDING);
  }

  /** A sidecar's stream in namespace shop hosting {@code types}, declaring {@code limits}. */
  static final class Stream implements WatchStream {
    final List<WatchJobsResponse> sent = new CopyOnWriteArrayList<>();
    final List<String> types;
    final List<ConcurrencyLimit> limits;
    volatile Status closed;

    Stream(List<String> types, ConcurrencyLimit... limits) {
      this.types = types;
      this.limits = List.of(limits);
    }

    @Override
    public String namespace() {
      return "shop";
    }

    @Override
    public String appId() {
      return "orders";
    }

    @Override
    public boolean acceptsJobs() {
      return false;
    }

    @Override
    public List<String> actorTypes() {
      return types;
    }

    @Override
    public List<ConcurrencyLimit> concurrencyLimits() {
      return limits;
    }

    @Override
    public void send(WatchJobsResponse trigger) {
      sent.add(trigger);
    }

    @Override
    public void close(Status status) {
      closed = status;
    }

    List<String> names() {
      return sent.stream().map(WatchJobsResponse::getName).toList();
    }

    WatchJobsResponse named(String name) {
      return sent.stream().filter(t -> t.getName().equals(name)).reduce((a, b) -> b).orElseThrow();
    }
  }

  static ConcurrencyLimit limit(String type, int max) {
    return ConcurrencyLimit.newBuilder().setMaxConcurrent(max).setActor(ConcurrencyLimitActor.newBuilder().setType(type))
        .build();
  }

  static ConcurrencyLimit named(String type, String name, int max) {
    return limit(type, max).toBuilder().setName(name).build();
  }

  /** A reminder on an Order actor due now, in partition {@code partition}; {@code key} null: no concurrency key. */
  private void remind(String name, String key, int partition) {
    JobMetadata.Builder m = JobMetadata.newBuilder().setNamespace("shop").setAppId("orders")
        .setTarget(JobTargetMetadata.newBuilder().setActor(TargetActorReminder.newBuilder().setType("Order").setId(name)));
    if (key != null) {
      m.setConcurrencyKey(key);
    }
    StoredJob j = JobRequests.toStored(name, m.build(), Job.newBuilder().setDueTime("0s").build(), T0, 1 << 20);
    store.apply(new JobCommand.Put(new StoredJob(j.key(), j.revision(), partition, j.metadata(), j.spec(), j.timing(),
        j.policy(), j.ticks()), false));
  }

  private void remind(String name) {
    remind(name, null, 0);
  }

  private static void ack(TriggerLoop loop, Stream s, String name) {
    loop.post(new TriggerEvent.Result(s, s.named(name).getId(), true));
  }

  private static LoopState state(TriggerLoop loop) {
    return loop.state().join();
  }

  private static void open(TriggerLoop loop, Stream s) {
    int before = state(loop).streams();
    loop.post(new TriggerEvent.Opened(s));
    await().until(() -> state(loop).streams() == before + 1);
  }

  private double gauge(String name, String key) {
    Gauge g = registry.find(name).tags("namespace", "shop", "concurrency_key", key).gauge();
    return g == null ? -1 : g.value();
  }

  @Test
  void aLimitOfTwoKeepsTwoRemindersInFlightAndTheRestGoInOrderAsResultsComeBack() {
    TriggerLoop loop = loop();
    Stream s = new Stream(List.of("Order"), limit("Order", 2));
    open(loop, s);
    for (int i = 0; i < 5; i++) {
      remind("r" + i);
    }
    await().until(() -> state(loop).waiting() == 3);
    assertThat(s.names()).containsExactly("r0", "r1");
    assertThat(state(loop).inFlight()).isEqualTo(2);
    assertThat(gauge("dapr_scheduler_concurrency_inflight", "Order")).isEqualTo(2);
    assertThat(gauge("dapr_scheduler_concurrency_pending", "Order")).isEqualTo(3);
    assertThat(registry.find("dapr_scheduler_concurrency_throttled").tag("concurrency_key", "Order").counter().count())
        .isEqualTo(3);

    ack(loop, s, "r1");
    await().until(() -> s.sent.size() == 3);
    ack(loop, s, "r0");
    await().until(() -> s.sent.size() == 4);
    ack(loop, s, "r2");
    await().until(() -> s.sent.size() == 5);
    assertThat(s.names()).containsExactly("r0", "r1", "r2", "r3", "r4");
    assertThat(state(loop).inFlight()).isEqualTo(2);
    ack(loop, s, "r3");
    ack(loop, s, "r4");
    await().until(() -> state(loop).jobs() == 0);
    assertThat(gauge("dapr_scheduler_concurrency_inflight", "Order")).isZero();
    assertThat(gauge("dapr_scheduler_concurrency_pending", "Order")).isZero();
  }

  @Test
  void aNamedLimitCapsOnlyTheRemindersCarryingItsConcurrencyKey() {
    TriggerLoop loop = loop();
    Stream s = new Stream(List.of("Order"), named("Order", "checkout", 1));
    open(loop, s);
    remind("c1", "checkout", 0);
    remind("c2", "checkout", 0);
    remind("p1");
    remind("other", "refund", 0); // a key no stream declared: no gate
    await().until(() -> state(loop).waiting() == 1 && s.sent.size() == 3);
    assertThat(s.names()).containsExactly("c1", "p1", "other");

    ack(loop, s, "c1");
    await().until(() -> s.sent.size() == 4);
    assertThat(s.names()).last().isEqualTo("c2");
    assertThat(state(loop).waiting()).isZero();
  }

  @Test
  void aReminderTakesEveryGateItNeedsOrNoneAndOneSkippedKeepsItsPlace() {
    TriggerLoop loop = loop();
    Stream s = new Stream(List.of("Order"), limit("Order", 2), named("Order", "checkout", 1));
    open(loop, s);
    remind("c1", "checkout", 0); // Order 1/2, checkout 1/1
    remind("c2", "checkout", 0); // checkout is full: waits, and must not keep a slot of Order
    remind("p1"); // so this one still finds Order with room: Order 2/2
    remind("p2"); // waits behind c2
    remind("p3");
    await().until(() -> state(loop).waiting() == 3);
    assertThat(s.names()).containsExactly("c1", "p1");

    ack(loop, s, "p1"); // Order has room, but c2 still needs checkout: p2 goes, c2 keeps its place
    await().until(() -> s.sent.size() == 3);
    assertThat(s.names()).last().isEqualTo("p2");

    ack(loop, s, "c1"); // both gates free a slot: c2, first in line, goes before p3
    await().until(() -> s.sent.size() == 4);
    assertThat(s.names()).last().isEqualTo("c2");
    assertThat(state(loop).waiting()).isEqualTo(1);
  }

  @Test
  void eachOfThreeReplicasTakesItsShareOfALimitNeverLessThanOne() {
    assertThat(List.of(0, 1, 2).stream().map(i -> ConcurrencyGates.localLimit(5, 3, i))).containsExactly(2, 2, 1);
    assertThat(List.of(0, 1, 2).stream().map(i -> ConcurrencyGates.localLimit(1, 3, i))).containsExactly(1, 1, 1);
    assertThat(List.of(0, 1, 2).stream().map(i -> ConcurrencyGates.localLimit(7, 3, i))).containsExactly(3, 2, 2);
    assertThat(ConcurrencyGates.localLimit(5, 1, 0)).isEqualTo(5);

    // the third of three replicas, limit 5: one in flight; when it becomes the first of two, three
    TriggerLoop loop = loop(new Ownership(2, 3), ConcurrencyGates.MAX_PENDING);
    Stream s = new Stream(List.of("Order"), limit("Order", 5));
    open(loop, s);
    for (int i = 0; i < 6; i++) {
      remind("r" + i, null, 2); // partition 2: this replica's of three, and the first's of two
    }
    await().until(() -> state(loop).waiting() == 5);
    assertThat(s.sent).hasSize(1);
    loop.post(new TriggerEvent.Assigned(new Ownership(0, 2), false));
    await().until(() -> s.sent.size() == 3);
    assertThat(state(loop).waiting()).isEqualTo(3);
  }

  @Test
  void aStreamThatEndsGivesBackTheSlotsOfItsTriggersInFlight() {
    TriggerLoop loop = loop();
    Stream a = new Stream(List.of("Order"), limit("Order", 1));
    Stream b = new Stream(List.of("Order"), limit("Order", 1));
    open(loop, a);
    remind("r0");
    remind("r1");
    await().until(() -> state(loop).waiting() == 1);
    assertThat(a.names()).containsExactly("r0");
    open(loop, b);

    loop.post(new TriggerEvent.Ended(a, null));
    // r0's slot came back with its stream, so r0 goes again at once (on b); b still declares the limit, so r1 waits
    await().until(() -> b.sent.size() == 1);
    assertThat(b.names()).containsExactly("r0");
    assertThat(state(loop).waiting()).isEqualTo(1);

    ack(loop, b, "r0");
    await().until(() -> b.sent.size() == 2);
    assertThat(b.names()).containsExactly("r0", "r1");
  }

  @Test
  void aGateGoesWithTheLastStreamDeclaringItAndItsWaitingTriggersGoOn() {
    TriggerLoop loop = loop();
    Stream limited = new Stream(List.of("Order"), limit("Order", 1));
    Stream free = new Stream(List.of("Order"));
    open(loop, limited);
    remind("r0");
    remind("r1");
    remind("r2");
    await().until(() -> state(loop).waiting() == 2);
    open(loop, free);

    loop.post(new TriggerEvent.Ended(limited, null));
    await().until(() -> free.sent.size() == 3);
    assertThat(free.names()).containsExactly("r0", "r1", "r2");
    assertThat(state(loop).waiting()).isZero();
    assertThat(gauge("dapr_scheduler_concurrency_pending", "Order")).as("nothing waits under a gate that is gone")
        .isZero();
  }

  @Test
  void waitingTriggersAreHeldNotLostWhenTheirOnlyStreamEndsAndGoWhenOneOpens() {
    TriggerLoop loop = loop();
    Stream first = new Stream(List.of("Order"), limit("Order", 1));
    open(loop, first);
    remind("r0");
    remind("r1");
    await().until(() -> state(loop).waiting() == 1);

    loop.post(new TriggerEvent.Ended(first, null));
    await().until(() -> state(loop).held() == 2);
    assertThat(state(loop).waiting()).isZero();

    Stream second = new Stream(List.of("Order"), limit("Order", 1));
    open(loop, second);
    await().until(() -> second.sent.size() == 1 && state(loop).waiting() == 1);
    ack(loop, second, second.sent.get(0).getName());
    await().until(() -> second.sent.size() == 2);
    assertThat(second.names()).containsExactlyInAnyOrder("r0", "r1");
  }

  @Test
  void aWaitingTriggerWhoseJobMovesToAnotherReplicaLeavesTheQueue() {
    TriggerLoop loop = loop();
    Stream s = new Stream(List.of("Order"), limit("Order", 1));
    open(loop, s);
    remind("mine", null, 0);
    remind("moves", null, 1);
    await().until(() -> state(loop).waiting() == 1);

    loop.post(new TriggerEvent.Assigned(new Ownership(0, 2), false)); // partition 1 is the other replica's now
    await().until(() -> state(loop).jobs() == 1);
    assertThat(state(loop).waiting()).isZero();
    ack(loop, s, "mine");
    await().until(() -> state(loop).jobs() == 0);
    assertThat(s.names()).containsExactly("mine");
  }

  @Test
  void aTriggerBeyondAFullQueueFailsAndItsFailurePolicyRetriesIt() {
    TriggerLoop loop = loop(Ownership.ALL, 1);
    Stream s = new Stream(List.of("Order"), limit("Order", 1));
    open(loop, s);
    remind("r0");
    remind("r1");
    remind("r2");
    await().until(() -> registry.find("daprx_scheduler_triggers").tag("result", "failed").counter().count() == 1);
    assertThat(state(loop).waiting()).isEqualTo(1);
    assertThat(state(loop).jobs()).as("r2 is not dropped: it is retried after 1 s").isEqualTo(3);
    assertThat(store.get(new JobKey(new JobOwner.Actor("shop", "Order", "r2"), "r2"))).isPresent();
  }

  @Test
  void limitsOfZeroOrWithoutAnActorTypeAreNoLimit() {
    TriggerLoop loop = loop();
    Stream s = new Stream(List.of("Order"), limit("Order", 0),
        ConcurrencyLimit.newBuilder().setMaxConcurrent(1).build());
    open(loop, s);
    remind("r0");
    remind("r1");
    await().until(() -> s.sent.size() == 2);
    assertThat(state(loop).waiting()).isZero();
  }
}
