package io.daprx.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dapr.config.Properties;
import io.dapr.workflows.Workflow;
import io.dapr.workflows.WorkflowActivity;
import io.dapr.workflows.WorkflowActivityContext;
import io.dapr.workflows.WorkflowStub;
import io.dapr.workflows.client.DaprWorkflowClient;
import io.dapr.workflows.client.WorkflowInstanceStatus;
import io.dapr.workflows.client.WorkflowRuntimeStatus;
import io.dapr.workflows.runtime.WorkflowRuntime;
import io.dapr.workflows.runtime.WorkflowRuntimeBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Workflows, written with Dapr's official Java SDK ({@code io.dapr:dapr-sdk-workflows}) and run in this JVM against
 * a real daprd's gRPC port: every workflow start, timer, activity call and result is a one-shot reminder in the
 * scheduler. A workflow with a timer, an activity and a child workflow completes — also while a scheduler replica is
 * killed with {@code kill -9} in the middle of many such runs (when there are three replicas).
 */
@InteropScenario
@Order(7)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkflowsIT {

  static final Duration COMPLETION_BUDGET = Duration.ofSeconds(60);
  static final int RUNS_THROUGH_THE_KILL = 6;

  static Interop interop;
  static Daprd daprd;
  static WorkflowRuntime runtime;
  /** The SDK runtime's threads, ours so they can be interrupted: its close() waits up to 60 s for a blocked stream reader. */
  static ExecutorService sdkThreads;
  static DaprWorkflowClient client;

  /** Input "text|timer seconds": waits on a timer, calls {@link Shout}, then {@link Child} with the result. */
  public static final class Parent implements Workflow {
    @Override
    public WorkflowStub create() {
      return ctx -> {
        String[] in = ctx.getInput(String.class).split("\\|");
        ctx.createTimer(Duration.ofSeconds(Long.parseLong(in[1]))).await();
        String shouted = ctx.callActivity(Shout.class.getSimpleName(), in[0], String.class).await();
        String child = ctx.callChildWorkflow(Child.class.getSimpleName(), shouted, ctx.getInstanceId() + "-child", String.class).await();
        ctx.complete("parent(" + child + ")");
      };
    }
  }

  /** A child workflow with an activity of its own. */
  public static final class Child implements Workflow {
    @Override
    public WorkflowStub create() {
      return ctx -> {
        String shouted = ctx.callActivity(Shout.class.getSimpleName(), ctx.getInput(String.class) + "-c", String.class).await();
        ctx.complete("child(" + shouted + ")");
      };
    }
  }

  /** Waits for the external event "approve" (a new-event reminder in daprd 1.18) and completes with its data. */
  public static final class Approval implements Workflow {
    @Override
    public WorkflowStub create() {
      return ctx -> {
        String answer = ctx.waitForExternalEvent("approve", Duration.ofSeconds(60), String.class).await();
        ctx.complete("approved:" + answer);
      };
    }
  }

  /** Upper-cases its input. */
  public static final class Shout implements WorkflowActivity {
    @Override
    public Object run(WorkflowActivityContext ctx) {
      return ctx.getInput(String.class).toUpperCase(Locale.ROOT);
    }
  }

  @BeforeAll
  static void start(Interop fixture) {
    interop = fixture;
    Schedulers.requireScheduler(interop);
    // workflows are actors: daprd needs an actor state store and placement; no app port (the worker is the SDK's stream)
    daprd = interop.sidecar(interop.appId("workflows")).actorStateStore().start();
    Schedulers.awaitHealthyOnTheScheduler(interop, daprd, "workflows");
    Properties sdk = new Properties(Map.of("dapr.sidecar.ip", "127.0.0.1", "dapr.grpc.port", daprd.arg("--dapr-grpc-port"),
        "dapr.http.port", daprd.arg("--dapr-http-port")));
    sdkThreads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "workflow-sdk");
      t.setDaemon(true);
      return t;
    });
    runtime = new WorkflowRuntimeBuilder(sdk).withExecutorService(sdkThreads).registerWorkflow(Parent.class.getSimpleName(), Parent.class)
        .registerWorkflow(Child.class.getSimpleName(), Child.class)
        .registerWorkflow(Approval.class.getSimpleName(), Approval.class).registerActivity(Shout.class.getSimpleName(), Shout.class).build();
    runtime.start(false);
    client = new DaprWorkflowClient(sdk);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (client != null) {
      client.close();
    }
    // daprd first: the SDK's close() waits up to 60 s for its channel, which ends only when the work-item stream does
    if (runtime != null) {
      sdkThreads.shutdownNow();
    }
    if (daprd != null) {
      daprd.close();
    }
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  @Order(1)
  void aWorkflowWithATimerAnActivityAndAChildWorkflowCompletes() throws TimeoutException {
    long t0 = System.nanoTime();
    String id = client.scheduleNewWorkflow(Parent.class.getSimpleName(), "hello|1");
    WorkflowInstanceStatus status = client.waitForInstanceCompletion(id, COMPLETION_BUDGET, true);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(status.getRuntimeStatus()).as("workflow %s: %s", id, status.getFailureDetails()).isEqualTo(WorkflowRuntimeStatus.COMPLETED);
    assertThat(status.readOutputAs(String.class)).isEqualTo("parent(child(HELLO-C))");
    interop.record("scheduler (" + interop.schedulerKind() + "): workflow (1 s timer, activity, child) completed in", Interop.seconds(took));
  }

  @Test
  @Order(2)
  void anExternalEventCompletesAWaitingWorkflowAndATerminatedOneIsPurged() throws TimeoutException {
    String waiting = client.scheduleNewWorkflow(Approval.class.getSimpleName());
    client.waitForInstanceStart(waiting, Duration.ofSeconds(30), false);
    client.raiseEvent(waiting, "approve", "yes");
    WorkflowInstanceStatus approved = client.waitForInstanceCompletion(waiting, COMPLETION_BUDGET, true);
    assertThat(approved.getRuntimeStatus()).as("workflow %s: %s", waiting, approved.getFailureDetails()).isEqualTo(WorkflowRuntimeStatus.COMPLETED);
    assertThat(approved.readOutputAs(String.class)).isEqualTo("approved:yes");

    // a run in a 60 s timer, terminated: its reminders go (DeleteByMetadata), and purge removes its state
    String doomed = client.scheduleNewWorkflow(Parent.class.getSimpleName(), "never|60");
    client.waitForInstanceStart(doomed, Duration.ofSeconds(30), false);
    client.terminateWorkflow(doomed, "stop");
    WorkflowInstanceStatus terminated = client.waitForInstanceCompletion(doomed, COMPLETION_BUDGET, false);
    assertThat(terminated.getRuntimeStatus()).isEqualTo(WorkflowRuntimeStatus.TERMINATED);
    assertThat(client.purgeWorkflow(doomed)).as("purge of %s", doomed).isTrue();
    // the SDK answers a purged id with an empty status (no id, no name), not null
    WorkflowInstanceStatus purged = client.getInstanceState(doomed, false);
    assertThat(purged == null ? "" : purged.getInstanceId()).as("id in the state of a purged workflow").isEmpty();
  }

  @Test
  @Order(3)
  void workflowsCompleteWhenASchedulerReplicaIsKilledMidRun() throws TimeoutException {
    List<Interop.SchedulerReplica> replicas = interop.schedulerReplicas();
    Assumptions.assumeTrue(replicas.size() >= 3, "the scheduler has " + replicas.size() + " replica(s) " + replicas
        + ": a kill -9 mid-run is survivable only with three; this case runs once the install has three");
    List<String> ids = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < RUNS_THROUGH_THE_KILL; i++) {
      ids.add(client.scheduleNewWorkflow(Parent.class.getSimpleName(), "run" + i + "|3"));
    }
    for (String id : ids) {
      client.waitForInstanceStart(id, Duration.ofSeconds(30), false);
    }
    // every run is now in its 3 s timer (a reminder in the scheduler): kill a replica under them
    Interop.SchedulerReplica victim = replicas.get(0);
    ProcessHandle handle = ProcessHandle.of(victim.pid()).orElseThrow(() -> new AssertionError(victim + " is not running"));
    assertThat(handle.destroyForcibly()).as("kill -9 %s", victim).isTrue();
    Duration killedAt = Duration.ofNanos(System.nanoTime() - t0);
    List<Duration> completions = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      WorkflowInstanceStatus status = client.waitForInstanceCompletion(ids.get(i), COMPLETION_BUDGET, true);
      assertThat(status.getRuntimeStatus()).as("workflow %s: %s", ids.get(i), status.getFailureDetails()).isEqualTo(WorkflowRuntimeStatus.COMPLETED);
      assertThat(status.readOutputAs(String.class)).isEqualTo("parent(child(RUN" + i + "-C))");
      completions.add(Duration.ofNanos(System.nanoTime() - t0));
    }
    interop.record("scheduler (" + interop.schedulerKind() + "): kill -9 " + victim.name() + " at", Interop.seconds(killedAt)
        + "; " + RUNS_THROUGH_THE_KILL + " workflows (3 s timer) all completed by " + Interop.seconds(completions.get(completions.size() - 1)));
    // the supervisor brings the replica back (the next scenarios and the cluster's teardown expect all of them)
    await("the killed scheduler replica runs again").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() ->
        interop.schedulerReplicas().stream().anyMatch(r -> r.name().equals(victim.name()) && r.pid() != victim.pid()));
  }
}
