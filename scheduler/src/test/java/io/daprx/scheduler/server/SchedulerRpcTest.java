package io.daprx.scheduler.server;

import static io.daprx.scheduler.server.ServiceFixture.actor;
import static io.daprx.scheduler.server.ServiceFixture.app;
import static io.daprx.scheduler.server.ServiceFixture.schedule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.daprx.proto.scheduler.v1.DeleteByMetadataRequest;
import io.daprx.proto.scheduler.v1.DeleteByNamePrefixRequest;
import io.daprx.proto.scheduler.v1.DeleteJobRequest;
import io.daprx.proto.scheduler.v1.GetJobRequest;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.ListJobsRequest;
import io.daprx.proto.scheduler.v1.NamedJob;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.WatchHostsRequest;
import io.daprx.proto.scheduler.v1.WatchHostsResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every unary rpc and its error codes, in process, without mTLS. */
class SchedulerRpcTest {

  private static final Job DAILY = Job.newBuilder().setSchedule("@daily")
      .setData(Any.pack(com.google.protobuf.StringValue.of("payload"))).build();

  private ServiceFixture f;
  private ManagedChannel channel;
  private SchedulerGrpc.SchedulerBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    f = new ServiceFixture(false, 4096);
    channel = f.channel(null, null);
    stub = f.blocking(channel);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    f.close();
  }

  private static Status.Code code(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void aScheduledJobIsReturnedAsSentWithTheDefaultFailurePolicy() {
    stub.scheduleJob(schedule("nightly", app("shop", "cart"), DAILY));
    Job got = stub.getJob(GetJobRequest.newBuilder().setName("nightly").setMetadata(app("shop", "cart")).build()).getJob();
    assertThat(got.getSchedule()).isEqualTo("@daily");
    assertThat(got.hasDueTime()).isFalse();
    assertThat(got.getData()).isEqualTo(DAILY.getData());
    assertThat(got.getFailurePolicy().getConstant().getMaxRetries()).isEqualTo(3);
  }

  @Test
  void overwriteFalseOnAnExistingJobIsAlreadyExistsAndOverwriteTrueReplacesIt() {
    stub.scheduleJob(schedule("j", app("shop", "cart"), DAILY));
    assertThatThrownBy(() -> stub.scheduleJob(schedule("j", app("shop", "cart"), DAILY)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
          assertThat(e.getStatus().getDescription()).contains("j");
        });
    stub.scheduleJob(schedule("j", app("shop", "cart"), Job.newBuilder().setSchedule("@hourly").build()).toBuilder()
        .setOverwrite(true).build());
    assertThat(stub.getJob(GetJobRequest.newBuilder().setName("j").setMetadata(app("shop", "cart")).build()).getJob().getSchedule())
        .isEqualTo("@hourly");
  }

  @Test
  void getOfAMissingJobIsNotFoundAndDeleteOfOneIsFine() {
    assertThat(code(() -> stub.getJob(GetJobRequest.newBuilder().setName("nope").setMetadata(app("shop", "cart")).build())))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> stub.deleteJob(DeleteJobRequest.newBuilder().setName("nope").setMetadata(app("shop", "cart")).build())))
        .isEqualTo(Status.Code.OK);
  }

  @Test
  void deleteRemovesOneJobOnly() {
    stub.scheduleJob(schedule("a", app("shop", "cart"), DAILY));
    stub.scheduleJob(schedule("b", app("shop", "cart"), DAILY));
    stub.deleteJob(DeleteJobRequest.newBuilder().setName("a").setMetadata(app("shop", "cart")).build());
    assertThat(names(stub.listJobs(ListJobsRequest.newBuilder().setMetadata(app("shop", "cart")).build()).getJobsList()))
        .containsExactly("b");
  }

  @Test
  void listShowsAnAppsJobsOrAnActorTypesRemindersWithTheirMetadata() {
    stub.scheduleJob(schedule("a", app("shop", "cart"), DAILY));
    stub.scheduleJob(schedule("b", app("shop", "orders"), DAILY));
    stub.scheduleJob(schedule("r1", actor("shop", "cart", "Cart", "1"), DAILY));
    stub.scheduleJob(schedule("r2", actor("shop", "orders", "Cart", "2"), DAILY));
    stub.scheduleJob(schedule("r3", actor("shop", "cart", "Order", "1"), DAILY));
    List<NamedJob> cartJobs = stub.listJobs(ListJobsRequest.newBuilder().setMetadata(app("shop", "cart")).build()).getJobsList();
    assertThat(names(cartJobs)).containsExactly("a");
    assertThat(cartJobs.get(0).getMetadata()).isEqualTo(app("shop", "cart"));
    assertThat(names(stub.listJobs(ListJobsRequest.newBuilder().setMetadata(actor("shop", "cart", "Cart", "")).build()).getJobsList()))
        .containsExactlyInAnyOrder("r1", "r2");
    assertThat(names(stub.listJobs(ListJobsRequest.newBuilder().setMetadata(actor("shop", "cart", "Cart", "2")).build()).getJobsList()))
        .containsExactly("r2");
  }

  @Test
  void aReminderIsTheActorsWhicheverAppAsksForIt() {
    stub.scheduleJob(schedule("r", actor("shop", "cart", "Cart", "1"), DAILY));
    assertThat(stub.getJob(GetJobRequest.newBuilder().setName("r").setMetadata(actor("shop", "orders", "Cart", "1")).build()).hasJob())
        .isTrue();
  }

  @Test
  void deleteByMetadataTakesAnActorOrEveryActorWithAnIdPrefix() {
    JobMetadata wf = actor("shop", "cart", "dapr.internal.shop.cart.workflow", "abc");
    stub.scheduleJob(schedule("start", wf, DAILY));
    stub.scheduleJob(schedule("run", actor("shop", "cart", "dapr.internal.shop.cart.workflow", "abc::0::1"), DAILY));
    stub.scheduleJob(schedule("start", actor("shop", "cart", "dapr.internal.shop.cart.workflow", "abd"), DAILY));
    stub.deleteByMetadata(DeleteByMetadataRequest.newBuilder().setMetadata(wf).build());
    assertThat(f.store.size()).isEqualTo(2);
    stub.deleteByMetadata(DeleteByMetadataRequest.newBuilder().setMetadata(wf).setIdPrefixMatch(true).build());
    assertThat(f.store.size()).isEqualTo(1);
    stub.deleteByMetadata(DeleteByMetadataRequest.newBuilder().setMetadata(app("shop", "cart")).build());
    assertThat(f.store.size()).as("an app's delete leaves reminders").isEqualTo(1);
  }

  @Test
  void deleteByNamePrefixStaysInsideTheApp() {
    stub.scheduleJob(schedule("order-1", app("shop", "cart"), DAILY));
    stub.scheduleJob(schedule("order-2", app("shop", "cart"), DAILY));
    stub.scheduleJob(schedule("other", app("shop", "cart"), DAILY));
    stub.scheduleJob(schedule("order-1", app("shop", "orders"), DAILY));
    stub.deleteByNamePrefix(DeleteByNamePrefixRequest.newBuilder().setNamePrefix("order-").setMetadata(app("shop", "cart")).build());
    assertThat(f.store.size()).isEqualTo(2);
    stub.deleteByNamePrefix(DeleteByNamePrefixRequest.newBuilder().setNamePrefix("").setMetadata(app("shop", "cart")).build());
    assertThat(f.store.size()).isEqualTo(1);
  }

  @Test
  void badInputIsInvalidArgumentNothingIsStoredAndTheServerLivesOn() {
    JobMetadata m = app("shop", "cart");
    List<Runnable> bad = List.of(
        () -> stub.scheduleJob(schedule("", m, DAILY)),
        () -> stub.scheduleJob(schedule("a/b", m, DAILY)),
        () -> stub.scheduleJob(schedule("a||b", m, DAILY)),
        () -> stub.scheduleJob(schedule("\u0000\u0001garbage", m, DAILY)),
        () -> stub.scheduleJob(schedule("big", m, Job.newBuilder().setDueTime("1s")
            .setData(Any.newBuilder().setValue(ByteString.copyFrom(new byte[5000]))).build())),
        () -> stub.scheduleJob(schedule("cron", m, Job.newBuilder().setSchedule("61 * * * * *").build())),
        () -> stub.scheduleJob(schedule("five", m, Job.newBuilder().setSchedule("* * * * *").build())),
        () -> stub.scheduleJob(schedule("rep", m, Job.newBuilder().setDueTime("1s").setRepeats(3).build())),
        () -> stub.scheduleJob(schedule("ttl", m, Job.newBuilder().setSchedule("@every 1s").setDueTime("1h").setTtl("2026-01-01T00:00:00Z").build())),
        () -> stub.scheduleJob(schedule("none", m, Job.getDefaultInstance())),
        () -> stub.scheduleJob(schedule("notarget", m.toBuilder().clearTarget().build(), DAILY)),
        () -> stub.scheduleJob(schedule("noid", actor("shop", "cart", "Cart", ""), DAILY)),
        () -> stub.scheduleJob(schedule("nons", m.toBuilder().setNamespace("").build(), DAILY)),
        () -> stub.scheduleJob(schedule("noapp", m.toBuilder().setAppId("").build(), DAILY)),
        () -> stub.getJob(GetJobRequest.newBuilder().setName("").setMetadata(m).build()),
        () -> stub.listJobs(ListJobsRequest.getDefaultInstance()),
        () -> stub.deleteByMetadata(DeleteByMetadataRequest.getDefaultInstance()),
        () -> stub.deleteByNamePrefix(DeleteByNamePrefixRequest.newBuilder().setMetadata(m.toBuilder().clearTarget()).build()));
    for (Runnable call : bad) {
      assertThat(code(call)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
    assertThat(f.store.size()).isZero();
    stub.scheduleJob(schedule("fine", m, DAILY));
    assertThat(f.store.size()).isEqualTo(1);
  }

  @Test
  void watchHostsSendsTheReplicasAddressesFirstAndStaysOpen() {
    Iterator<WatchHostsResponse> hosts = SchedulerGrpc.newBlockingStub(channel).watchHosts(WatchHostsRequest.getDefaultInstance());
    assertThat(hosts.next().getHostsList()).extracting(h -> h.getAddress()).containsExactly("10.0.0.9:50006");
    org.awaitility.Awaitility.await().until(() -> f.hosts.watching() == 1);
    f.hosts.update(List.of("10.0.0.9:50006"));
    f.hosts.update(List.of("10.0.0.9:50006", "10.0.0.10:50006"));
    assertThat(hosts.next().getHostsCount()).as("only a changed set is sent again").isEqualTo(2);
  }

  private static List<String> names(List<NamedJob> jobs) {
    return jobs.stream().map(NamedJob::getName).toList();
  }
}
