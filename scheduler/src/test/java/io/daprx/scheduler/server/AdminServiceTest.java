package io.daprx.scheduler.server;

import static io.daprx.scheduler.server.ServiceFixture.T0;
import static io.daprx.scheduler.server.ServiceFixture.actor;
import static io.daprx.scheduler.server.ServiceFixture.app;
import static io.daprx.scheduler.server.ServiceFixture.schedule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.scheduler.admin.v1.ActorRef;
import io.daprx.proto.scheduler.admin.v1.AdminJob;
import io.daprx.proto.scheduler.admin.v1.DeleteJobRequest;
import io.daprx.proto.scheduler.admin.v1.DeleteJobsRequest;
import io.daprx.proto.scheduler.admin.v1.DeleteJobsResponse;
import io.daprx.proto.scheduler.admin.v1.ExportJobsRequest;
import io.daprx.proto.scheduler.admin.v1.ExportJobsResponse;
import io.daprx.proto.scheduler.admin.v1.GetJobRequest;
import io.daprx.proto.scheduler.admin.v1.GetStatusRequest;
import io.daprx.proto.scheduler.admin.v1.GetStatusResponse;
import io.daprx.proto.scheduler.admin.v1.ImportJobsRequest;
import io.daprx.proto.scheduler.admin.v1.ImportJobsResponse;
import io.daprx.proto.scheduler.admin.v1.JobKind;
import io.daprx.proto.scheduler.admin.v1.JobRef;
import io.daprx.proto.scheduler.admin.v1.JobSelector;
import io.daprx.proto.scheduler.admin.v1.ListJobsRequest;
import io.daprx.proto.scheduler.admin.v1.Replica;
import io.daprx.proto.scheduler.admin.v1.SchedulerAdminGrpc;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.scheduler.metrics.SchedulerMetrics;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API in-process over the sidecars' store: what an operator lists, gets, deletes, exports and imports, and
 * that nobody but the manager's identity may do any of it.
 */
class AdminServiceTest {

  static final SpiffeId ADMIN = AdminService.adminId("cluster.local", "dapr-system");
  private static final Metadata.Key<String> AS = Metadata.Key.of("x-test-spiffe-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<SpiffeId> CALLER = Context.key("test-admin-caller");

  private ServiceFixture sidecars;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    sidecars = new ServiceFixture(true, 1 << 20);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    sidecars.close();
  }

  /** An admin client on an in-process admin server over {@code fixture}'s store, calling as {@code caller} (null: none). */
  private SchedulerAdminGrpc.SchedulerAdminBlockingStub admin(ServiceFixture fixture, SpiffeId caller) throws Exception {
    String name = InProcessServerBuilder.generateName();
    AdminService service = new AdminService("dapr-scheduler-server-0", fixture.store, fixture.loop,
        () -> List.of(Replica.newBuilder().setId("dapr-scheduler-server-0").setAddress("10.0.0.9:50006").setOwnedJobs(-1).build()),
        ADMIN, true, () -> Optional.ofNullable(CALLER.get()), new SchedulerMetrics(new SimpleMeterRegistry()), fixture.clock, 1 << 20);
    ServerInterceptor identity = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String id = headers.get(AS);
        return id == null ? next.startCall(call, headers)
            : Contexts.interceptCall(Context.current().withValue(CALLER, SpiffeId.parse(id)), call, headers, next);
      }
    };
    Server server = InProcessServerBuilder.forName(name).addService(ServerInterceptors.intercept(service, identity)).build().start();
    InProcessChannelBuilder b = InProcessChannelBuilder.forName(name);
    if (caller != null) {
      b.intercept(new ClientInterceptor() {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
          return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
              headers.put(AS, caller.toString());
              super.start(listener, headers);
            }
          };
        }
      });
    }
    ManagedChannel channel = b.build();
    closing.add(channel::shutdownNow);
    closing.add(server::shutdownNow);
    return SchedulerAdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** As a sidecar would: the app's own jobs, an actor reminder, a workflow with an activity, in two namespaces. */
  private void scheduleAFewOfEachKind() {
    Job every = Job.newBuilder().setSchedule("@every 10s").setData(Any.newBuilder().setTypeUrl("type.googleapis.com/x")
        .setValue(ByteString.copyFromUtf8("secret-ish"))).build();
    ManagedChannel shop = sidecars.channel("shop", "cart");
    sidecars.blocking(shop).scheduleJob(schedule("nightly", app("shop", "cart"), every));
    sidecars.blocking(shop).scheduleJob(schedule("hourly", app("shop", "cart"), every));
    sidecars.blocking(shop).scheduleJob(schedule("ping", actor("shop", "cart", "Basket", "b1"), every));
    String wf = "dapr.internal.shop.cart.workflow";
    String act = "dapr.internal.shop.cart.activity";
    sidecars.blocking(shop).scheduleJob(schedule("timer-0", actor("shop", "cart", wf, "order-1"), Job.newBuilder().setDueTime("1h").build()));
    sidecars.blocking(shop).scheduleJob(schedule("run-activity", actor("shop", "cart", act, "order-1::0::1"),
        Job.newBuilder().setDueTime("0s").build()));
    sidecars.blocking(shop).scheduleJob(schedule("timer-0", actor("shop", "cart", wf, "order-2"), Job.newBuilder().setDueTime("1h").build()));
    ManagedChannel billing = sidecars.channel("billing", "invoicer");
    sidecars.blocking(billing).scheduleJob(schedule("monthly", app("billing", "invoicer"), every));
    shop.shutdownNow();
    billing.shutdownNow();
  }

  private static JobSelector sel(String ns, JobKind kind, Consumer<JobSelector.Builder> more) {
    JobSelector.Builder b = JobSelector.newBuilder().setNamespace(ns).setKind(kind);
    more.accept(b);
    return b.build();
  }

  private static List<String> names(List<AdminJob> jobs) {
    return jobs.stream().map(j -> j.getRef().getNamespace() + ":" + (j.getRef().hasActor()
        ? j.getRef().getActor().getType() + "/" + j.getRef().getActor().getId() : j.getRef().getAppId()) + "/" + j.getRef().getName()).toList();
  }

  @Test
  void everyRpcRefusesEveryIdentityButTheManagers() throws Exception {
    scheduleAFewOfEachKind();
    JobRef ref = JobRef.newBuilder().setNamespace("shop").setAppId("cart").setName("nightly").build();
    for (SpiffeId who : List.of(SpiffeId.of("public", "shop", "cart"), SpiffeId.of("cluster.local", "dapr-system", "dapr-scheduler"),
        SpiffeId.of("cluster.local", "other-system", AdminService.ADMIN_APP_ID))) {
      SchedulerAdminGrpc.SchedulerAdminBlockingStub stub = admin(sidecars, who);
      List<Runnable> calls = List.of(
          () -> stub.listJobs(ListJobsRequest.getDefaultInstance()),
          () -> stub.getJob(GetJobRequest.newBuilder().setRef(ref).build()),
          () -> stub.deleteJob(DeleteJobRequest.newBuilder().setRef(ref).build()),
          () -> stub.deleteJobs(DeleteJobsRequest.newBuilder().addSelectors(JobSelector.getDefaultInstance()).build()),
          () -> stub.exportJobs(ExportJobsRequest.getDefaultInstance()).hasNext(),
          () -> stub.importJobs(ImportJobsRequest.getDefaultInstance()),
          () -> stub.getStatus(GetStatusRequest.getDefaultInstance()));
      for (Runnable call : calls) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains(ADMIN.toString()).contains(who.toString());
        });
      }
    }
    assertThatThrownBy(() -> admin(sidecars, null).listJobs(ListJobsRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThat(sidecars.store.size()).as("nothing deleted").isEqualTo(7);
  }

  @Test
  void listsEveryNamespaceOrOneNarrowedByKind() throws Exception {
    scheduleAFewOfEachKind();
    var stub = admin(sidecars, ADMIN);
    assertThat(stub.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList()).hasSize(7);
    assertThat(names(stub.listJobs(ListJobsRequest.newBuilder().setSelector(sel("shop", JobKind.JOB_KIND_APP, b -> { })).build()).getJobsList()))
        .containsExactly("shop:cart/hourly", "shop:cart/nightly");
    assertThat(names(stub.listJobs(ListJobsRequest.newBuilder().setSelector(sel("", JobKind.JOB_KIND_APP, b -> { })).build()).getJobsList()))
        .containsExactlyInAnyOrder("shop:cart/hourly", "shop:cart/nightly", "billing:invoicer/monthly");
    assertThat(names(stub.listJobs(ListJobsRequest.newBuilder().setSelector(sel("shop", JobKind.JOB_KIND_ACTOR, b -> { })).build()).getJobsList()))
        .containsExactly("shop:Basket/b1/ping");
    assertThat(stub.listJobs(ListJobsRequest.newBuilder().setSelector(sel("shop", JobKind.JOB_KIND_WORKFLOW, b -> { })).build()).getJobsList())
        .as("workflow reminders and their activities").hasSize(3);
    assertThat(names(stub.listJobs(ListJobsRequest.newBuilder().setSelector(sel("shop", JobKind.JOB_KIND_ACTIVITY, b -> { })).build()).getJobsList()))
        .containsExactly("shop:dapr.internal.shop.cart.activity/order-1::0::1/run-activity");
    assertThat(stub.listJobs(ListJobsRequest.newBuilder().setSelector(sel("billing", JobKind.JOB_KIND_WORKFLOW, b -> { })).build()).getJobsList())
        .isEmpty();
  }

  @Test
  void aListingLeavesDataOutWhenAskedAndShowsWhenEachJobFiresNext() throws Exception {
    scheduleAFewOfEachKind();
    var stub = admin(sidecars, ADMIN);
    AdminJob nightly = stub.listJobs(ListJobsRequest.newBuilder().setWithoutData(true)
        .setSelector(sel("shop", JobKind.JOB_KIND_APP, b -> b.setAppId("cart"))).build()).getJobs(1);
    assertThat(nightly.getRef().getName()).isEqualTo("nightly");
    assertThat(nightly.getJob().hasData()).isFalse();
    assertThat(nightly.getJob().getSchedule()).isEqualTo("@every 10s");
    assertThat(AdminSelection.instant(nightly.getBegin())).isEqualTo(T0);
    assertThat(AdminSelection.instant(nightly.getNextTrigger())).isEqualTo(T0.plusSeconds(10));
    assertThat(nightly.getCount()).isZero();
    AdminJob got = stub.getJob(GetJobRequest.newBuilder().setRef(nightly.getRef()).build()).getJob();
    assertThat(got.getJob().getData().getValue().toStringUtf8()).as("get is the one place data is shown").isEqualTo("secret-ish");
  }

  @Test
  void gettingOrDeletingAJobThatIsNotThereIsNotFound() throws Exception {
    var stub = admin(sidecars, ADMIN);
    JobRef missing = JobRef.newBuilder().setNamespace("shop").setActor(ActorRef.newBuilder().setType("Basket").setId("b9")).setName("x").build();
    for (Runnable call : List.<Runnable>of(() -> stub.getJob(GetJobRequest.newBuilder().setRef(missing).build()),
        () -> stub.deleteJob(DeleteJobRequest.newBuilder().setRef(missing).build()))) {
      assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription()).contains("Basket").contains("b9");
      });
    }
    assertThatThrownBy(() -> stub.getJob(GetJobRequest.newBuilder().setRef(JobRef.newBuilder().setNamespace("shop").setName("x")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("app id or an actor");
        });
    assertThatThrownBy(() -> stub.listJobs(ListJobsRequest.newBuilder().setSelector(sel("shop", JobKind.JOB_KIND_APP,
        b -> b.setActorType("Basket"))).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void deletesGoThroughTheStoreSoTheTriggerLoopForgetsThem() throws Exception {
    scheduleAFewOfEachKind();
    var stub = admin(sidecars, ADMIN);
    await().atMost(Duration.ofSeconds(5)).until(() -> sidecars.state().jobs() == 7);
    stub.deleteJob(DeleteJobRequest.newBuilder().setRef(JobRef.newBuilder().setNamespace("shop").setAppId("cart").setName("hourly")).build());
    // a workflow instance goes with its activities; the other instance stays
    DeleteJobsResponse wf = stub.deleteJobs(DeleteJobsRequest.newBuilder().addSelectors(sel("shop", JobKind.JOB_KIND_WORKFLOW,
        b -> b.setAppId("cart").setActorId("order-1"))).build());
    assertThat(wf.getDeletedList()).extracting(r -> r.getActor().getId()).containsExactlyInAnyOrder("order-1", "order-1::0::1");
    DeleteJobsResponse actors = stub.deleteJobs(DeleteJobsRequest.newBuilder().addSelectors(sel("shop", JobKind.JOB_KIND_ACTOR,
        b -> b.setActorType("Basket"))).build());
    assertThat(actors.getDeletedCount()).isEqualTo(1);
    assertThat(names(stub.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList())).containsExactlyInAnyOrder(
        "shop:cart/nightly", "shop:dapr.internal.shop.cart.workflow/order-2/timer-0", "billing:invoicer/monthly");
    await().atMost(Duration.ofSeconds(5)).until(() -> sidecars.state().jobs() == 3);
    DeleteJobsResponse shop = stub.deleteJobs(DeleteJobsRequest.newBuilder().addSelectors(sel("shop", JobKind.JOB_KIND_ALL, b -> { })).build());
    assertThat(shop.getDeletedCount()).isEqualTo(2);
    assertThat(sidecars.store.size()).isEqualTo(1);
    assertThatThrownBy(() -> stub.deleteJobs(DeleteJobsRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void anExportImportedElsewhereKeepsDataTimingAndProgress() throws Exception {
    scheduleAFewOfEachKind();
    var from = admin(sidecars, ADMIN);
    List<AdminJob> exported = new ArrayList<>();
    for (Iterator<ExportJobsResponse> it = from.exportJobs(ExportJobsRequest.getDefaultInstance()); it.hasNext(); ) {
      exported.addAll(it.next().getJobsList());
    }
    assertThat(exported).hasSize(7);
    // progress as a replica would have recorded it: three ticks done, one failed attempt of the fourth
    int nightly = names(exported).indexOf("shop:cart/nightly");
    exported.set(nightly, exported.get(nightly).toBuilder().setCount(3).setAttempts(1)
        .setLastTrigger(AdminSelection.timestamp(T0.plusSeconds(30))).build());

    try (ServiceFixture other = new ServiceFixture(true, 1 << 20)) {
      other.clock.advance(Duration.ofHours(5)); // a relative due time ("1h") must not move
      var to = admin(other, ADMIN);
      ImportJobsResponse first = to.importJobs(ImportJobsRequest.newBuilder().addAllJobs(exported).build());
      assertThat(first.getImported()).isEqualTo(7);
      AdminJob n = to.getJob(GetJobRequest.newBuilder().setRef(exported.get(nightly).getRef()).build()).getJob();
      assertThat(n.getCount()).isEqualTo(3);
      assertThat(n.getAttempts()).isEqualTo(1);
      assertThat(n.getJob().getData().getValue().toStringUtf8()).isEqualTo("secret-ish");
      assertThat(AdminSelection.instant(n.getNextTrigger())).as("the 4th tick, retried 1 s later").isEqualTo(T0.plusSeconds(41));
      AdminJob timer = to.getJob(GetJobRequest.newBuilder().setRef(JobRef.newBuilder().setNamespace("shop")
          .setActor(ActorRef.newBuilder().setType("dapr.internal.shop.cart.workflow").setId("order-2")).setName("timer-0")).build()).getJob();
      assertThat(AdminSelection.instant(timer.getBegin())).isEqualTo(T0.plus(Duration.ofHours(1)));

      ImportJobsResponse again = to.importJobs(ImportJobsRequest.newBuilder().addAllJobs(exported).build());
      assertThat(again.getImported()).isZero();
      assertThat(again.getSkippedCount()).isEqualTo(7);
      assertThat(to.importJobs(ImportJobsRequest.newBuilder().addAllJobs(exported).setOverwrite(true).build()).getImported()).isEqualTo(7);

      AdminJob broken = exported.get(0).toBuilder().setJob(Job.newBuilder().setSchedule("not a cron")).build();
      assertThatThrownBy(() -> to.importJobs(ImportJobsRequest.newBuilder().addJobs(broken).setOverwrite(true).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("cannot be imported");
          });
    }
  }

  @Test
  void statusCountsTheStoreAndTheTriggerLoop() throws Exception {
    scheduleAFewOfEachKind();
    var stub = admin(sidecars, ADMIN);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      GetStatusResponse s = stub.getStatus(GetStatusRequest.getDefaultInstance());
      assertThat(s.getReplicaId()).isEqualTo("dapr-scheduler-server-0");
      assertThat(s.getJobsStored()).isEqualTo(7);
      // the activity is due now and no stream takes it: held
      assertThat(s.getHeld()).isEqualTo(1);
      assertThat(s.getStreams()).isZero();
      assertThat(s.getReplicasList()).singleElement().satisfies(r -> {
        assertThat(r.getAddress()).isEqualTo("10.0.0.9:50006");
        assertThat(r.getOwnedJobs()).isEqualTo(7);
      });
    });
  }
}
