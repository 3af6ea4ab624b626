package io.daprx.scheduler.server;

import static io.daprx.proto.scheduler.v1.JobTargetType.JOB_TARGET_TYPE_ACTOR_REMINDER;
import static io.daprx.proto.scheduler.v1.JobTargetType.JOB_TARGET_TYPE_JOB;
import static io.daprx.scheduler.server.FakeSidecar.initial;
import static io.daprx.scheduler.server.ServiceFixture.actor;
import static io.daprx.scheduler.server.ServiceFixture.app;
import static io.daprx.scheduler.server.ServiceFixture.schedule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.StringValue;
import io.daprx.proto.common.v1.JobFailurePolicy;
import io.daprx.proto.common.v1.JobFailurePolicyConstant;
import io.daprx.proto.common.v1.JobFailurePolicyDrop;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.WatchJobsRequest;
import io.daprx.proto.scheduler.v1.WatchJobsRequestResult;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Triggers on WatchJobs streams, on a hand-moved clock: nothing waits for real time to pass. */
class DeliveryTest {

  private static final Job NOW = Job.newBuilder().setDueTime("0s").setData(Any.pack(StringValue.of("hello"))).build();

  private ServiceFixture f;
  private ManagedChannel channel;
  private SchedulerGrpc.SchedulerBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    f = new ServiceFixture();
    channel = f.channel(null, null);
    stub = f.blocking(channel);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    f.close();
  }

  private FakeSidecar connect(String ns, String appId) {
    FakeSidecar s = FakeSidecar.open(channel, initial(ns, appId, List.of(), JOB_TARGET_TYPE_JOB));
    await().until(() -> f.state().streams() > 0);
    return s;
  }

  private void awaitStreams(int n) {
    await().until(() -> f.state().streams() == n);
  }

  @Test
  void aDueJobReachesItsAppWithPerStreamIdsAndEndsWhenAcked() throws Exception {
    FakeSidecar cart = connect("shop", "cart");
    stub.scheduleJob(schedule("one", app("shop", "cart"), NOW));
    stub.scheduleJob(schedule("two", app("shop", "cart"), NOW));
    WatchJobsResponse first = cart.next();
    WatchJobsResponse second = cart.next();
    assertThat(List.of(first.getId(), second.getId())).containsExactly(1L, 2L);
    assertThat(List.of(first.getName(), second.getName())).containsExactlyInAnyOrder("one", "two");
    assertThat(first.getMetadata()).isEqualTo(app("shop", "cart"));
    assertThat(first.getData().unpack(StringValue.class).getValue()).isEqualTo("hello");
    cart.ack(first, true);
    cart.ack(second, true);
    await().until(() -> f.store.size() == 0 && f.state().jobs() == 0);
  }

  @Test
  void aReminderWithoutDataIsTriggeredWithoutDataNotAnEmptyAny() throws Exception {
    // daprd 1.18 fails a reminder whose data is present but empty ("proto: invalid empty type URL"), for ever
    FakeSidecar host = FakeSidecar.open(channel, initial("shop", "host", List.of("Cart"), JOB_TARGET_TYPE_ACTOR_REMINDER));
    await().until(() -> f.state().streams() > 0);
    stub.scheduleJob(schedule("bare", actor("shop", "maker", "Cart", "c1"), Job.newBuilder().setDueTime("0s").build()));
    WatchJobsResponse trigger = host.next();
    assertThat(trigger.getName()).isEqualTo("bare");
    assertThat(trigger.hasData()).as("data of a job stored without any").isFalse();
    host.ack(trigger, true);
  }

  @Test
  void aJobDueWhileItsAppIsAwayIsHeldAndFiresWhenTheAppConnects() throws Exception {
    stub.scheduleJob(schedule("late", app("shop", "cart"), NOW));
    FakeSidecar other = connect("shop", "orders");
    await().until(() -> f.state().held() == 1);
    assertThat(other.nextOrNull()).isNull();
    FakeSidecar cart = FakeSidecar.open(channel, initial("shop", "cart", List.of()));
    WatchJobsResponse t = cart.next();
    assertThat(t.getName()).isEqualTo("late");
    assertThat(f.state().held()).isZero();
  }

  @Test
  void aStreamThatEndsWithATriggerInFlightHasItDeliveredAgain() throws Exception {
    stub.scheduleJob(schedule("again", app("shop", "cart"), NOW));
    FakeSidecar first = connect("shop", "cart");
    assertThat(first.next().getName()).isEqualTo("again");
    first.cancel();
    awaitStreams(0);
    await().until(() -> f.state().held() == 1);
    FakeSidecar second = connect("shop", "cart");
    WatchJobsResponse t = second.next();
    assertThat(t.getName()).isEqualTo("again");
    assertThat(t.getId()).as("ids count per stream").isEqualTo(1);
    second.ack(t, true);
    await().until(() -> f.store.size() == 0);
  }

  @Test
  void oneJobsTicksAreSerialAndMissedTicksAreCaughtUp() throws Exception {
    FakeSidecar cart = connect("shop", "cart");
    stub.scheduleJob(schedule("tick", app("shop", "cart"), Job.newBuilder().setSchedule("@every 1s").setRepeats(3).build()));
    f.advance(Duration.ofSeconds(10)); // three ticks overdue
    WatchJobsResponse t1 = cart.next();
    assertThat(cart.nextOrNull()).as("the next tick waits for this one's result").isNull();
    cart.ack(t1, true);
    WatchJobsResponse t2 = cart.next();
    cart.ack(t2, true);
    WatchJobsResponse t3 = cart.next();
    cart.ack(t3, true);
    await().until(() -> f.store.size() == 0);
    assertThat(cart.nextOrNull()).isNull();
  }

  @Test
  void theDefaultPolicyRetriesEverySecondThreeTimesThenTheJobMovesOn() throws Exception {
    FakeSidecar cart = connect("shop", "cart");
    stub.scheduleJob(schedule("flaky", app("shop", "cart"), NOW));
    cart.ack(cart.next(), false);
    assertThat(cart.nextOrNull()).as("a retry waits its interval").isNull();
    for (int retry = 1; retry <= 3; retry++) {
      f.advance(Duration.ofSeconds(1));
      cart.ack(cart.next(), false);
    }
    await().until(() -> f.store.size() == 0);
    f.advance(Duration.ofSeconds(10));
    assertThat(cart.nextOrNull()).isNull();
  }

  @Test
  void dropGivesUpAtOnceAndUnboundedRetriesKeepGoing() throws Exception {
    FakeSidecar cart = connect("shop", "cart");
    stub.scheduleJob(schedule("drop", app("shop", "cart"), NOW.toBuilder()
        .setFailurePolicy(JobFailurePolicy.newBuilder().setDrop(JobFailurePolicyDrop.getDefaultInstance())).build()));
    cart.ack(cart.next(), false);
    await().until(() -> f.store.size() == 0);
    stub.scheduleJob(schedule("forever", app("shop", "cart"), NOW.toBuilder()
        .setFailurePolicy(JobFailurePolicy.newBuilder().setConstant(JobFailurePolicyConstant.newBuilder()
            .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(1)))).build()));
    for (int attempt = 0; attempt < 10; attempt++) {
      cart.ack(cart.next(), false);
      f.advance(Duration.ofSeconds(1));
    }
    cart.ack(cart.next(), true);
    await().until(() -> f.store.size() == 0);
  }

  @Test
  void matchingStreamsTakeTurns() throws Exception {
    FakeSidecar a = connect("shop", "cart");
    FakeSidecar b = FakeSidecar.open(channel, initial("shop", "cart", List.of(), JOB_TARGET_TYPE_JOB));
    awaitStreams(2);
    for (int i = 0; i < 4; i++) {
      stub.scheduleJob(schedule("j" + i, app("shop", "cart"), NOW));
    }
    for (int i = 0; i < 2; i++) {
      assertThat(a.next()).isNotNull();
      assertThat(b.next()).isNotNull();
    }
  }

  @Test
  void aReminderGoesToAnyAppOfTheNamespaceHostingItsActorType() throws Exception {
    FakeSidecar elsewhere = FakeSidecar.open(channel, initial("prod", "host", List.of("Cart"), JOB_TARGET_TYPE_ACTOR_REMINDER));
    FakeSidecar jobsOnly = FakeSidecar.open(channel, initial("shop", "cart", List.of(), JOB_TARGET_TYPE_JOB));
    FakeSidecar host = FakeSidecar.open(channel, initial("shop", "host", List.of("Cart"), JOB_TARGET_TYPE_ACTOR_REMINDER));
    awaitStreams(3);
    stub.scheduleJob(schedule("remind", actor("shop", "cart", "Cart", "42"), NOW));
    WatchJobsResponse t = host.next();
    assertThat(t.getName()).isEqualTo("remind");
    assertThat(t.getMetadata().getTarget().getActor().getId()).isEqualTo("42");
    assertThat(elsewhere.nextOrNull()).isNull();
    assertThat(jobsOnly.nextOrNull()).isNull();
    stub.scheduleJob(schedule("job", app("shop", "host"), NOW));
    assertThat(host.nextOrNull()).as("a stream that accepts reminders only gets no app jobs").isNull();
  }

  @Test
  void aJobDeletedWhileInFlightIsNotDeliveredAgainAndItsLateAckIsHarmless() throws Exception {
    FakeSidecar cart = connect("shop", "cart");
    stub.scheduleJob(schedule("gone", app("shop", "cart"), NOW));
    WatchJobsResponse t = cart.next();
    stub.deleteJob(io.daprx.proto.scheduler.v1.DeleteJobRequest.newBuilder().setName("gone").setMetadata(app("shop", "cart")).build());
    await().until(() -> f.state().jobs() == 0);
    cart.ack(t, false);
    assertThat(cart.nextOrNull()).isNull();
    assertThat(cart.closedWith()).isNull();
  }

  @Test
  void protocolViolationsEndTheStreamWithInvalidArgumentAndTheServerLivesOn() throws Exception {
    FakeSidecar noInitial = FakeSidecar.open(channel, null);
    noInitial.send(WatchJobsRequest.newBuilder().setResult(WatchJobsRequestResult.newBuilder().setId(1)).build());
    await().until(() -> noInitial.closedWith() != null);
    assertThat(noInitial.closedWith().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);

    FakeSidecar twice = connect("shop", "cart");
    twice.send(WatchJobsRequest.newBuilder().setInitial(initial("shop", "cart", List.of())).build());
    await().until(() -> twice.closedWith() != null);
    assertThat(twice.closedWith().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);

    FakeSidecar unknownId = connect("shop", "cart");
    unknownId.send(WatchJobsRequest.newBuilder().setResult(WatchJobsRequestResult.newBuilder().setId(99)).build());
    await().until(() -> unknownId.closedWith() != null);
    assertThat(unknownId.closedWith().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);

    FakeSidecar duplicateTypes = FakeSidecar.open(channel, initial("shop", "cart", List.of(), JOB_TARGET_TYPE_JOB, JOB_TARGET_TYPE_JOB));
    await().until(() -> duplicateTypes.closedWith() != null);
    assertThat(duplicateTypes.closedWith().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);

    awaitStreams(0);
    FakeSidecar fine = connect("shop", "cart");
    stub.scheduleJob(schedule("still", app("shop", "cart"), NOW));
    assertThat(fine.next().getName()).isEqualTo("still");
  }
}
