package io.daprx.scheduler.server;

import static io.daprx.proto.scheduler.v1.JobTargetType.JOB_TARGET_TYPE_ACTOR_REMINDER;
import static io.daprx.scheduler.server.FakeSidecar.initial;
import static io.daprx.scheduler.server.ServiceFixture.actor;
import static io.daprx.scheduler.server.ServiceFixture.schedule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.proto.scheduler.v1.ConcurrencyLimit;
import io.daprx.proto.scheduler.v1.ConcurrencyLimitActor;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.WatchJobsRequestInitial;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 1.18 concurrency limits over the wire: streams open with {@code concurrency_limits} in their {@code initial} as
 * daprd does from a Configuration's workflow limits, and reminders are scheduled through the service.
 */
class ConcurrencyLimitsTest {

  private static final String WORKFLOW = "dapr.internal.shop.orders.workflow";
  private static final String ACTIVITY = "dapr.internal.shop.orders.activity";
  private static final Job NOW = Job.newBuilder().setDueTime("0s").build();

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

  /** daprd's initial for an app hosting workflows: at most 2 workflows at once, and 1 "charge" activity. */
  private static WatchJobsRequestInitial limited() {
    ConcurrencyLimit workflows = ConcurrencyLimit.newBuilder().setMaxConcurrent(2)
        .setActor(ConcurrencyLimitActor.newBuilder().setType(WORKFLOW)).build();
    ConcurrencyLimit charges = ConcurrencyLimit.newBuilder().setMaxConcurrent(1).setName("charge")
        .setActor(ConcurrencyLimitActor.newBuilder().setType(ACTIVITY)).build();
    return initial("shop", "orders", List.of(WORKFLOW, ACTIVITY), JOB_TARGET_TYPE_ACTOR_REMINDER).toBuilder()
        .addConcurrencyLimits(workflows).addConcurrencyLimits(charges).build();
  }

  private void remind(String name, String type, String concurrencyKey) {
    var m = actor("shop", "orders", type, name).toBuilder();
    if (concurrencyKey != null) {
      m.setConcurrencyKey(concurrencyKey);
    }
    stub.scheduleJob(schedule(name, m.build(), NOW));
  }

  @Test
  void workflowRemindersBeyondTheLimitWaitForAResultAndComeInOrder() throws Exception {
    FakeSidecar daprd = FakeSidecar.open(channel, limited());
    await().until(() -> f.state().streams() == 1);
    for (int i = 0; i < 4; i++) {
      remind("start-" + i, WORKFLOW, null);
    }
    WatchJobsResponse first = daprd.next();
    WatchJobsResponse second = daprd.next();
    await().until(() -> f.state().waiting() == 2);
    assertThat(daprd.nextOrNull()).as("a third workflow while two are in flight").isNull();

    daprd.ack(first, true);
    WatchJobsResponse third = daprd.next();
    assertThat(daprd.nextOrNull()).isNull();
    daprd.ack(second, false); // a failed result frees the slot too (and the reminder is retried after 1 s)
    WatchJobsResponse fourth = daprd.next();
    assertThat(List.of(first, second, third, fourth)).extracting(WatchJobsResponse::getName)
        .containsExactly("start-0", "start-1", "start-2", "start-3");
  }

  @Test
  void anActivityWithANamedLimitWaitsWhileOthersGoAndTheStreamsSuccessorGetsWhatWasWaiting() throws Exception {
    FakeSidecar daprd = FakeSidecar.open(channel, limited());
    await().until(() -> f.state().streams() == 1);
    remind("run-activity-1", ACTIVITY, "charge");
    remind("run-activity-2", ACTIVITY, "charge");
    remind("run-activity-3", ACTIVITY, "ship");
    List<String> got = new ArrayList<>();
    got.add(daprd.next().getName());
    got.add(daprd.next().getName());
    assertThat(got).containsExactly("run-activity-1", "run-activity-3");
    await().until(() -> f.state().waiting() == 1);

    // daprd reopens its streams after a placement change: what was in flight goes again, what waited still waits
    // its turn under the new stream's limits, and nothing is lost
    daprd.cancel();
    FakeSidecar reopened = FakeSidecar.open(channel, limited());
    List<WatchJobsResponse> again = new ArrayList<>();
    again.add(reopened.next());
    again.add(reopened.next());
    assertThat(again).extracting(WatchJobsResponse::getName).containsExactlyInAnyOrder("run-activity-1", "run-activity-3");
    assertThat(reopened.nextOrNull()).as("the second charge while the first is in flight").isNull();
    reopened.ack(again.stream().filter(t -> t.getName().equals("run-activity-1")).findFirst().orElseThrow(), true);
    assertThat(reopened.next().getName()).isEqualTo("run-activity-2");
  }
}
