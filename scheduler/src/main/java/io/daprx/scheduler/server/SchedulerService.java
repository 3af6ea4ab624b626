package io.daprx.scheduler.server;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.scheduler.v1.DeleteByMetadataRequest;
import io.daprx.proto.scheduler.v1.DeleteByMetadataResponse;
import io.daprx.proto.scheduler.v1.DeleteByNamePrefixRequest;
import io.daprx.proto.scheduler.v1.DeleteByNamePrefixResponse;
import io.daprx.proto.scheduler.v1.DeleteJobRequest;
import io.daprx.proto.scheduler.v1.DeleteJobResponse;
import io.daprx.proto.scheduler.v1.GetJobRequest;
import io.daprx.proto.scheduler.v1.GetJobResponse;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.ListJobsRequest;
import io.daprx.proto.scheduler.v1.ListJobsResponse;
import io.daprx.proto.scheduler.v1.NamedJob;
import io.daprx.proto.scheduler.v1.ScheduleJobRequest;
import io.daprx.proto.scheduler.v1.ScheduleJobResponse;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.WatchHostsRequest;
import io.daprx.proto.scheduler.v1.WatchHostsResponse;
import io.daprx.proto.scheduler.v1.WatchJobsRequest;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.daprx.scheduler.delivery.TriggerLoop;
import io.daprx.scheduler.job.InvalidJobException;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.job.JobOwner;
import io.daprx.scheduler.job.JobRequests;
import io.daprx.scheduler.job.JobSelector;
import io.daprx.scheduler.job.JobStore;
import io.daprx.scheduler.job.StoredJob;
import io.daprx.scheduler.metrics.SchedulerMetrics;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dapr.proto.scheduler.v1.Scheduler} service. Each unary handler records its outcome, delegates to a
 * plain method, and maps failures to a status: INVALID_ARGUMENT for a request refused as it is, ALREADY_EXISTS,
 * NOT_FOUND, the authorizer's UNAUTHENTICATED/PERMISSION_DENIED, INTERNAL for the unexpected.
 */
public final class SchedulerService extends SchedulerGrpc.SchedulerImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerService.class);

  private final JobStore store;
  private final TriggerLoop loop;
  private final HostsWatch hosts;
  private final Authorizer authorizer;
  private final SchedulerMetrics metrics;
  private final Clock clock;
  private final int maxJobBytes;

  /**
   * @param identityChecks mTLS is on: the caller's SPIFFE ID must match each request's namespace and app id
   * @param caller the current call's SPIFFE ID
   */
  public SchedulerService(JobStore store, TriggerLoop loop, HostsWatch hosts, boolean identityChecks,
      Supplier<Optional<SpiffeId>> caller, SchedulerMetrics metrics, Clock clock, int maxJobBytes) {
    this.store = store;
    this.loop = loop;
    this.hosts = hosts;
    this.authorizer = new Authorizer(identityChecks, caller);
    this.metrics = metrics;
    this.clock = clock;
    this.maxJobBytes = maxJobBytes;
  }

  private <Q, R> void unary(String rpc, Q request, StreamObserver<R> responses, Rpcs.Call<Q, R> call) {
    Rpcs.unary(metrics, rpc, request, responses, call);
  }


  @Override
  public void scheduleJob(ScheduleJobRequest request, StreamObserver<ScheduleJobResponse> responses) {
    unary("ScheduleJob", request, responses, this::schedule);
  }

  @Override
  public void getJob(GetJobRequest request, StreamObserver<GetJobResponse> responses) {
    unary("GetJob", request, responses, this::get);
  }

  @Override
  public void deleteJob(DeleteJobRequest request, StreamObserver<DeleteJobResponse> responses) {
    unary("DeleteJob", request, responses, this::delete);
  }

  @Override
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> responses) {
    unary("ListJobs", request, responses, this::list);
  }

  @Override
  public void deleteByMetadata(DeleteByMetadataRequest request, StreamObserver<DeleteByMetadataResponse> responses) {
    unary("DeleteByMetadata", request, responses, this::deleteByMetadata);
  }

  @Override
  public void deleteByNamePrefix(DeleteByNamePrefixRequest request, StreamObserver<DeleteByNamePrefixResponse> responses) {
    unary("DeleteByNamePrefix", request, responses, this::deleteByNamePrefix);
  }

  @Override
  public StreamObserver<WatchJobsRequest> watchJobs(StreamObserver<WatchJobsResponse> responses) {
    metrics.rpc("WatchJobs", Status.Code.OK);
    return new WatchJobsCall((ServerCallStreamObserver<WatchJobsResponse>) responses, authorizer, loop);
  }

  @Override
  public void watchHosts(WatchHostsRequest request, StreamObserver<WatchHostsResponse> responses) {
    metrics.rpc("WatchHosts", Status.Code.OK);
    hosts.add((ServerCallStreamObserver<WatchHostsResponse>) responses);
  }

  // --- the plain methods

  ScheduleJobResponse schedule(ScheduleJobRequest r) {
    authorize(r.getMetadata());
    StoredJob job = JobRequests.toStored(r.getName(), r.getMetadata(), r.getJob(), clock.instant(), maxJobBytes);
    if (!apply(new JobCommand.Put(job, r.getOverwrite())).applied()) {
      throw Status.ALREADY_EXISTS.withDescription("job already exists: " + r.getName()).asRuntimeException();
    }
    LOG.debug("{} scheduled", job.key());
    return ScheduleJobResponse.getDefaultInstance();
  }

  GetJobResponse get(GetJobRequest r) {
    authorize(r.getMetadata());
    JobKey key = key(r.getName(), r.getMetadata());
    StoredJob job = store.get(key).orElseThrow(() ->
        Status.NOT_FOUND.withDescription("job not found: " + r.getName()).asRuntimeException());
    return GetJobResponse.newBuilder().setJob(job.spec()).build();
  }

  DeleteJobResponse delete(DeleteJobRequest r) {
    authorize(r.getMetadata());
    apply(new JobCommand.Delete(key(r.getName(), r.getMetadata())));
    return DeleteJobResponse.getDefaultInstance();
  }

  ListJobsResponse list(ListJobsRequest r) {
    authorize(r.getMetadata());
    ListJobsResponse.Builder out = ListJobsResponse.newBuilder();
    for (StoredJob j : store.list(selector(r.getMetadata(), false))) {
      out.addJobs(NamedJob.newBuilder().setName(j.key().name()).setMetadata(j.metadata()).setJob(j.spec()));
    }
    return out.build();
  }

  DeleteByMetadataResponse deleteByMetadata(DeleteByMetadataRequest r) {
    authorize(r.getMetadata());
    apply(new JobCommand.DeleteWhere(selector(r.getMetadata(), r.hasIdPrefixMatch() && r.getIdPrefixMatch())));
    return DeleteByMetadataResponse.getDefaultInstance();
  }

  DeleteByNamePrefixResponse deleteByNamePrefix(DeleteByNamePrefixRequest r) {
    authorize(r.getMetadata());
    JobOwner owner = JobRequests.owner(r.getMetadata(), true);
    apply(new JobCommand.DeleteWhere(JobSelector.namePrefix(owner, r.getNamePrefix())));
    return DeleteByNamePrefixResponse.getDefaultInstance();
  }

  private void authorize(JobMetadata metadata) {
    authorizer.check(metadata.getNamespace(), metadata.getAppId());
  }

  private static JobKey key(String name, JobMetadata metadata) {
    if (name.isEmpty()) {
      throw new InvalidJobException("job name cannot be empty");
    }
    return new JobKey(JobRequests.owner(metadata, true), name);
  }

  /** The jobs of an app, or the reminders of an actor type, an actor, or (with idPrefix) actors by id prefix. */
  private static JobSelector selector(JobMetadata metadata, boolean idPrefix) {
    JobOwner owner = JobRequests.owner(metadata, false);
    if (owner instanceof JobOwner.Actor a) {
      return JobSelector.actor(a.namespace(), a.type(), a.id(), idPrefix);
    }
    return JobSelector.app(owner.namespace(), ((JobOwner.App) owner).appId());
  }

  private JobStore.Outcome apply(JobCommand command) {
    try {
      return store.apply(command).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
  }
}
