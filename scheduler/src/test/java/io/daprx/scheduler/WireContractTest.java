package io.daprx.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.daprx.proto.common.v1.JobFailurePolicy;
import io.daprx.proto.common.v1.JobFailurePolicyConstant;
import io.daprx.proto.scheduler.v1.ConcurrencyLimit;
import io.daprx.proto.scheduler.v1.DeleteByMetadataRequest;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.WatchJobsRequestInitial;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The field numbers of WIRE.md that daprd's bytes depend on (checked once against upstream 1.18.2's descriptors),
 * so an edit of the .proto that would break the wire fails here.
 */
class WireContractTest {

  private static void fields(Descriptor d, Map<String, Integer> expected) {
    for (var e : expected.entrySet()) {
      FieldDescriptor f = d.findFieldByName(e.getKey());
      assertThat(f).as(d.getFullName() + "." + e.getKey()).isNotNull();
      assertThat(f.getNumber()).as(d.getFullName() + "." + e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void fieldNumbersAreDaprds() {
    fields(Job.getDescriptor(), Map.of("schedule", 1, "repeats", 2, "due_time", 3, "ttl", 4, "data", 5, "failure_policy", 6));
    fields(JobMetadata.getDescriptor(), Map.of("app_id", 1, "namespace", 2, "target", 3, "concurrency_key", 4));
    fields(WatchJobsRequestInitial.getDescriptor(), Map.of("app_id", 1, "namespace", 2, "actor_types", 3, "accept_job_types", 4,
        "concurrency_limits", 5));
    fields(ConcurrencyLimit.getDescriptor(), Map.of("max_concurrent", 1, "name", 2, "actor", 3));
    fields(WatchJobsResponse.getDescriptor(), Map.of("name", 1, "id", 2, "data", 3, "metadata", 4));
    fields(DeleteByMetadataRequest.getDescriptor(), Map.of("metadata", 1, "id_prefix_match", 2));
    fields(JobFailurePolicy.getDescriptor(), Map.of("drop", 1, "constant", 2));
    fields(JobFailurePolicyConstant.getDescriptor(), Map.of("interval", 1, "max_retries", 2));
    assertThat(Job.getDescriptor().findFieldByName("schedule").hasPresence()).isTrue();
    assertThat(JobFailurePolicyConstant.getDescriptor().findFieldByName("max_retries").hasPresence()).isTrue();
    assertThat(JobFailurePolicy.getDescriptor().getFullName()).isEqualTo("dapr.proto.common.v1.JobFailurePolicy");
  }

  @Test
  void theServiceHasDaprdsEightMethods() {
    assertThat(SchedulerGrpc.getServiceDescriptor().getName()).isEqualTo("dapr.proto.scheduler.v1.Scheduler");
    assertThat(SchedulerGrpc.getServiceDescriptor().getMethods()).extracting(m -> m.getBareMethodName())
        .containsExactlyInAnyOrder("ScheduleJob", "GetJob", "DeleteJob", "WatchJobs", "ListJobs", "WatchHosts", "DeleteByMetadata",
            "DeleteByNamePrefix");
  }
}
