package io.daprx.scheduler.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.daprx.proto.common.v1.JobFailurePolicy;
import io.daprx.proto.common.v1.JobFailurePolicyConstant;
import io.daprx.proto.common.v1.JobFailurePolicyDrop;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.TargetActorReminder;
import io.daprx.proto.scheduler.v1.TargetJob;
import io.daprx.scheduler.time.FailurePolicy;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobRequestsTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
  private static final JobMetadata APP = JobMetadata.newBuilder().setNamespace("ns").setAppId("a")
      .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
  private static final Job DUE = Job.newBuilder().setDueTime("1s").build();

  @Test
  void theDefaultFailurePolicyIsFilledInAsUpstreamShowsIt() {
    StoredJob j = JobRequests.toStored("j", APP, DUE, NOW, 1024);
    assertThat(j.policy()).isEqualTo(FailurePolicy.DEFAULT);
    assertThat(j.spec().getFailurePolicy().getConstant().getMaxRetries()).isEqualTo(3);
    assertThat(j.spec().getFailurePolicy().getConstant().getInterval().getSeconds()).isEqualTo(1);
    assertThat(j.spec().getDueTime()).isEqualTo("1s");
  }

  @Test
  void givenPoliciesAreRead() {
    Job drop = DUE.toBuilder().setFailurePolicy(JobFailurePolicy.newBuilder().setDrop(JobFailurePolicyDrop.getDefaultInstance())).build();
    assertThat(JobRequests.toStored("j", APP, drop, NOW, 1024).policy()).isEqualTo(new FailurePolicy.Drop());
    Job forever = DUE.toBuilder().setFailurePolicy(JobFailurePolicy.newBuilder().setConstant(JobFailurePolicyConstant.newBuilder()
        .setInterval(com.google.protobuf.Duration.newBuilder().setNanos(500_000_000)))).build();
    assertThat(JobRequests.toStored("j", APP, forever, NOW, 1024).policy())
        .isEqualTo(new FailurePolicy.Constant(Duration.ofMillis(500), null));
    Job negative = DUE.toBuilder().setFailurePolicy(JobFailurePolicy.newBuilder().setConstant(JobFailurePolicyConstant.newBuilder()
        .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(-1)))).build();
    assertThatThrownBy(() -> JobRequests.toStored("j", APP, negative, NOW, 1024)).isInstanceOf(InvalidJobException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "a\\b", "a#b", "a?b", "a\u0000b", "a\nb", "a\u0085b", ".", "..", "a||b"})
  void badNamesAreRefused(String name) {
    assertThatThrownBy(() -> JobRequests.toStored(name, APP, DUE, NOW, 1024)).isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("job name");
  }

  @Test
  void namesUpstreamAcceptsAreAccepted() {
    for (String name : new String[] {"a|b", "my@reminder|name", "timer-0-2026", "activity-result-xyz", "ünïcødé", "a b"}) {
      assertThat(JobRequests.toStored(name, APP, DUE, NOW, 1024).key().name()).isEqualTo(name);
    }
  }

  @Test
  void aNameTooLongWithItsOwnerIsRefused() {
    assertThatThrownBy(() -> JobRequests.toStored("n".repeat(501), APP, DUE, NOW, 1 << 20)).hasMessageContaining("at most 512");
  }

  @Test
  void oversizedDataIsRefused() {
    Job big = DUE.toBuilder().setData(Any.newBuilder().setValue(ByteString.copyFrom(new byte[2000]))).build();
    assertThatThrownBy(() -> JobRequests.toStored("j", APP, big, NOW, 1024)).hasMessageContaining("at most 1024");
  }

  @Test
  void targetsAreRequiredAndRemindersNeedTypeAndId() {
    JobMetadata none = APP.toBuilder().clearTarget().build();
    assertThatThrownBy(() -> JobRequests.toStored("j", none, DUE, NOW, 1024)).hasMessageContaining("metadata.target");
    JobMetadata noId = APP.toBuilder().setTarget(JobTargetMetadata.newBuilder().setActor(TargetActorReminder.newBuilder().setType("T"))).build();
    assertThatThrownBy(() -> JobRequests.toStored("j", noId, DUE, NOW, 1024)).hasMessageContaining("actor.id");
    assertThat(JobRequests.owner(noId, false)).isEqualTo(new JobOwner.Actor("ns", "T", ""));
    JobMetadata noType = APP.toBuilder().setTarget(JobTargetMetadata.newBuilder().setActor(TargetActorReminder.newBuilder().setId("1"))).build();
    assertThatThrownBy(() -> JobRequests.owner(noType, false)).hasMessageContaining("actor.type");
  }

  @Test
  void timingRulesBecomeInvalidJobs() {
    assertThatThrownBy(() -> JobRequests.toStored("j", APP, Job.getDefaultInstance(), NOW, 1024))
        .isInstanceOf(InvalidJobException.class).hasMessageContaining("due time or a schedule");
    assertThatThrownBy(() -> JobRequests.toStored("j", APP, Job.newBuilder().setSchedule("every minute").build(), NOW, 1024))
        .isInstanceOf(InvalidJobException.class);
    assertThatThrownBy(() -> JobRequests.toStored("j", APP, Job.newBuilder().setDueTime("1s").setRepeats(5).build(), NOW, 1024))
        .isInstanceOf(InvalidJobException.class);
  }
}
