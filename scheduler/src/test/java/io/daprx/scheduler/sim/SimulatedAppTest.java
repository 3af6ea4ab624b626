package io.daprx.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Duration;
import io.daprx.common.svid.SidecarChannels;
import io.daprx.proto.common.v1.JobFailurePolicy;
import io.daprx.proto.common.v1.JobFailurePolicyConstant;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.ScheduleJobRequest;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.scheduler.Scheduler;
import io.daprx.scheduler.SchedulerOptions;
import io.daprx.scheduler.job.JobSelector;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulated daprd against a real scheduler on a loopback port: what it sees is what a sidecar would. */
class SimulatedAppTest {

  private Scheduler scheduler;
  private AppFleet fleet;
  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final List<String> failOn = new CopyOnWriteArrayList<>();
  private final List<String> hangOn = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    scheduler = new Scheduler(SchedulerOptions.defaults().withTls(false, null, null).withPorts(0, 0, -1)
        .withListenAddress("127.0.0.1"), Clock.systemUTC()).start();
    fleet = new AppFleet(List.of("127.0.0.1:" + scheduler.port()), a -> SidecarChannels.plaintext(a, 1, false),
        t -> failOn.contains(t.getName()) ? Answer.FAILED : hangOn.contains(t.getName()) ? Answer.NONE : Answer.SUCCESS,
        deliveries::add, Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    fleet.close();
    scheduler.close();
  }

  private void schedule(AppSpec by, String name, JobMetadata m, Job job) {
    SchedulerGrpc.newBlockingStub(fleet.channel(by)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .scheduleJob(ScheduleJobRequest.newBuilder().setName(name).setMetadata(m).setJob(job).setOverwrite(true).build());
  }

  private List<Delivery> of(String name) {
    return deliveries.stream().filter(d -> d.trigger().getName().equals(name)).toList();
  }

  @Test
  void anAppOpensThreeStreamsPerReplicaAndGetsItsJobsWhileAReminderGoesToTheHostOfItsActorType() {
    AppSpec cart = AppSpec.of("shop", "cart", "Cart");
    AppSpec orders = AppSpec.of("shop", "orders", "Order");
    SimulatedApp a = fleet.connect(cart);
    SimulatedApp b = fleet.connect(orders);
    await().until(fleet::allConnected);
    assertThat(a.hosts()).containsExactly("127.0.0.1:" + scheduler.port());

    schedule(cart, "nightly", cart.jobMetadata(), Job.newBuilder().setDueTime("0s").build());
    schedule(cart, "remind", cart.reminderMetadata("Order", "o-1"), Job.newBuilder().setDueTime("0s").build());

    await().until(() -> of("nightly").size() == 1 && of("remind").size() == 1);
    assertThat(of("nightly").get(0).app()).isEqualTo(cart);
    assertThat(of("remind").get(0).app()).isEqualTo(orders); // the actor's host, not the app that made it
    assertThat(fleet.violations()).isEmpty();
    assertThat(b.received()).isEqualTo(1);
  }

  @Test
  void aFailingAppGetsTheTriggerAgainAsItsPolicySaysThenTheJobIsGone() {
    AppSpec cart = AppSpec.of("shop", "cart");
    fleet.connect(cart);
    await().until(fleet::allConnected);
    failOn.add("flaky");
    schedule(cart, "flaky", cart.jobMetadata(), Job.newBuilder().setDueTime("0s").setFailurePolicy(JobFailurePolicy.newBuilder()
        .setConstant(JobFailurePolicyConstant.newBuilder().setInterval(Duration.newBuilder().setNanos(50_000_000)).setMaxRetries(2)))
        .build());

    await().until(() -> of("flaky").size() == 3 && scheduler.store().list(JobSelector.all()).isEmpty());
    assertThat(of("flaky")).allMatch(d -> d.answer() == Answer.FAILED);
  }

  @Test
  void whenAnAppGoesAwayWithATriggerUnansweredAnotherReplicaOfTheAppGetsIt() {
    AppSpec cart = AppSpec.of("shop", "cart");
    SimulatedApp stuck = fleet.connect(cart);
    await().until(fleet::allConnected);
    hangOn.add("once");
    schedule(cart, "once", cart.jobMetadata(), Job.newBuilder().setDueTime("0s").build());
    await().until(() -> of("once").size() == 1);

    hangOn.clear();
    SimulatedApp healthy = fleet.connect(cart);
    await().until(healthy::isConnected);
    stuck.disconnect();

    await().until(() -> healthy.received() == 1);
    assertThat(of("once")).extracting(Delivery::answer).containsExactly(Answer.NONE, Answer.SUCCESS);
  }
}
