package io.daprx.scheduler.server;

import static io.daprx.scheduler.server.ServiceFixture.actor;
import static io.daprx.scheduler.server.ServiceFixture.app;
import static io.daprx.scheduler.server.ServiceFixture.schedule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.proto.scheduler.v1.DeleteByMetadataRequest;
import io.daprx.proto.scheduler.v1.DeleteByNamePrefixRequest;
import io.daprx.proto.scheduler.v1.DeleteJobRequest;
import io.daprx.proto.scheduler.v1.GetJobRequest;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetType;
import io.daprx.proto.scheduler.v1.ListJobsRequest;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With identity checks on, every request acts for the caller's own namespace and app id only. */
class AuthorizationTest {

  private static final Job JOB = Job.newBuilder().setSchedule("@daily").build();

  private ServiceFixture f;
  private ManagedChannel cart;
  private ManagedChannel anonymous;

  @BeforeEach
  void start() throws Exception {
    f = new ServiceFixture(true, 1 << 20);
    cart = f.channel("shop", "cart");
    anonymous = f.channel(null, null);
  }

  @AfterEach
  void stop() {
    cart.shutdownNow();
    anonymous.shutdownNow();
    f.close();
  }

  private Status.Code code(ManagedChannel ch, Consumer<SchedulerGrpc.SchedulerBlockingStub> call) {
    try {
      call.accept(f.blocking(ch));
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  /** Every unary rpc with the given metadata. */
  private List<Consumer<SchedulerGrpc.SchedulerBlockingStub>> everyRpc(JobMetadata m) {
    return List.of(
        s -> s.scheduleJob(schedule("j", m, JOB)),
        s -> s.getJob(GetJobRequest.newBuilder().setName("j").setMetadata(m).build()),
        s -> s.deleteJob(DeleteJobRequest.newBuilder().setName("j").setMetadata(m).build()),
        s -> s.listJobs(ListJobsRequest.newBuilder().setMetadata(m).build()),
        s -> s.deleteByMetadata(DeleteByMetadataRequest.newBuilder().setMetadata(m).build()),
        s -> s.deleteByNamePrefix(DeleteByNamePrefixRequest.newBuilder().setMetadata(m).build()));
  }

  @Test
  void theCallerActsForItself() {
    assertThat(code(cart, s -> s.scheduleJob(schedule("j", app("shop", "cart"), JOB)))).isEqualTo(Status.Code.OK);
    assertThat(code(cart, s -> s.scheduleJob(schedule("r", actor("shop", "cart", "Cart", "1"), JOB)))).isEqualTo(Status.Code.OK);
  }

  @Test
  void anotherAppIdOrNamespaceIsPermissionDeniedOnEveryRpc() {
    for (var call : everyRpc(app("shop", "orders"))) {
      assertThat(code(cart, call)).isEqualTo(Status.Code.PERMISSION_DENIED);
    }
    for (var call : everyRpc(app("prod", "cart"))) {
      assertThat(code(cart, call)).isEqualTo(Status.Code.PERMISSION_DENIED);
    }
    assertThat(f.store.size()).isZero();
  }

  @Test
  void noIdentityIsUnauthenticatedAndNoNamespaceOrAppIdIsInvalidArgument() {
    for (var call : everyRpc(app("shop", "cart"))) {
      assertThat(code(anonymous, call)).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
    for (var call : everyRpc(app("", "cart"))) {
      assertThat(code(cart, call)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
  }

  @Test
  void aWatchInitialForAnotherAppIsPermissionDenied() {
    FakeSidecar s = FakeSidecar.open(cart, FakeSidecar.initial("shop", "orders", List.of(), JobTargetType.JOB_TARGET_TYPE_JOB));
    await().until(() -> s.closedWith() != null);
    assertThat(s.closedWith().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    FakeSidecar none = FakeSidecar.open(anonymous, FakeSidecar.initial("shop", "cart", List.of()));
    await().until(() -> none.closedWith() != null);
    assertThat(none.closedWith().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(f.state().streams()).isZero();
  }
}
