package io.daprx.scheduler.server;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.scheduler.admin.v1.AdminJob;
import io.daprx.proto.scheduler.admin.v1.DeleteJobRequest;
import io.daprx.proto.scheduler.admin.v1.DeleteJobResponse;
import io.daprx.proto.scheduler.admin.v1.DeleteJobsRequest;
import io.daprx.proto.scheduler.admin.v1.DeleteJobsResponse;
import io.daprx.proto.scheduler.admin.v1.ExportJobsRequest;
import io.daprx.proto.scheduler.admin.v1.ExportJobsResponse;
import io.daprx.proto.scheduler.admin.v1.GetJobRequest;
import io.daprx.proto.scheduler.admin.v1.GetJobResponse;
import io.daprx.proto.scheduler.admin.v1.GetStatusRequest;
import io.daprx.proto.scheduler.admin.v1.GetStatusResponse;
import io.daprx.proto.scheduler.admin.v1.ImportJobsRequest;
import io.daprx.proto.scheduler.admin.v1.ImportJobsResponse;
import io.daprx.proto.scheduler.admin.v1.ListJobsRequest;
import io.daprx.proto.scheduler.admin.v1.ListJobsResponse;
import io.daprx.proto.scheduler.admin.v1.Replica;
import io.daprx.proto.scheduler.admin.v1.SchedulerAdminGrpc;
import io.daprx.scheduler.SchedulerOptions;
import io.daprx.scheduler.delivery.TriggerEvent.LoopState;
import io.daprx.scheduler.delivery.TriggerLoop;
import io.daprx.scheduler.job.InvalidJobException;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.job.JobRequests;
import io.daprx.scheduler.job.JobSelector;
import io.daprx.scheduler.job.JobStore;
import io.daprx.scheduler.job.StoredJob;
import io.daprx.scheduler.metrics.SchedulerMetrics;
import io.daprx.scheduler.time.JobTiming;
import io.daprx.scheduler.time.Ticks;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code daprx.scheduler.admin.v1.SchedulerAdmin}: what operators see and do with the jobs of every app, beside the
 * sidecars' API. Only one identity may call it under mTLS, the management server's
 * ({@code spiffe://<td>/ns/<cp ns>/daprx-manager}); a sidecar's is PERMISSION_DENIED whatever it asks. Deletes and
 * imports go through {@link JobStore#apply}, as every other change does, so the trigger loop and the other replicas
 * follow them.
 */
public final class AdminService extends SchedulerAdminGrpc.SchedulerAdminImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);

  /** The app id of the one identity allowed; the manager mints its client certificate with it. */
  public static final String ADMIN_APP_ID = SpiffeId.MANAGER_APP_ID;
  /** Jobs per export message: small messages keep a million-job export under any message-size limit. */
  static final int EXPORT_BATCH = 500;

  /** Where the replicas come from: this one alone today, the replicated store's membership later. */
  @FunctionalInterface
  public interface Replicas {
    /** Every replica known, this one included; {@code owned_jobs} -1 where not known (this one's is filled in). */
    List<Replica> replicas();
  }

  private final String replicaId;
  private final JobStore store;
  private final TriggerLoop loop;
  private final Replicas replicas;
  private final SpiffeId admin;
  private final boolean identityChecks;
  private final Supplier<Optional<SpiffeId>> caller;
  private final SchedulerMetrics metrics;
  private final Clock clock;
  private final int maxJobBytes;

  /**
   * @param admin the only identity allowed when {@code identityChecks}
   * @param identityChecks mTLS is on; without it (explicit insecure local use) every caller is allowed, as on the
   *     sidecar API
   */
  public AdminService(String replicaId, JobStore store, TriggerLoop loop, Replicas replicas, SpiffeId admin, boolean identityChecks,
      Supplier<Optional<SpiffeId>> caller, SchedulerMetrics metrics, Clock clock, int maxJobBytes) {
    this.replicaId = replicaId;
    this.store = store;
    this.loop = loop;
    this.replicas = replicas;
    this.admin = admin;
    this.identityChecks = identityChecks;
    this.caller = caller;
    this.metrics = metrics;
    this.clock = clock;
    this.maxJobBytes = maxJobBytes;
  }

  /** The admin service of a scheduler built from its options (the admin identity is in its trust domain and namespace). */
  public static AdminService of(SchedulerOptions options, JobStore store, TriggerLoop loop, Replicas replicas, SchedulerMetrics metrics,
      Clock clock) {
    return new AdminService(options.id(), store, loop, replicas, adminId(options.trustDomain(), options.namespace()),
        options.tlsEnabled(), io.daprx.common.tls.PeerIdentity::current, metrics, clock, options.maxJobBytes());
  }

  public static SpiffeId adminId(String trustDomain, String namespace) {
    return SpiffeId.of(trustDomain, namespace, ADMIN_APP_ID);
  }

  private <Q, R> void unary(String rpc, Q request, StreamObserver<R> responses, Rpcs.Call<Q, R> call) {
    Rpcs.unary(metrics, "admin." + rpc, request, responses, r -> {
      authorize();
      return call.apply(r);
    });
  }

  /** @throws StatusRuntimeException UNAUTHENTICATED without a SPIFFE ID, PERMISSION_DENIED for any but the admin's */
  private void authorize() {
    if (!identityChecks) {
      return;
    }
    SpiffeId id = caller.get().orElseThrow(() ->
        Status.UNAUTHENTICATED.withDescription("no SPIFFE ID in the client certificate").asRuntimeException());
    if (!id.equals(admin)) {
      throw Status.PERMISSION_DENIED.withDescription("the scheduler's admin API serves " + admin + " only, not " + id)
          .asRuntimeException();
    }
  }

  @Override
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> responses) {
    unary("ListJobs", request, responses, this::list);
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
  public void deleteJobs(DeleteJobsRequest request, StreamObserver<DeleteJobsResponse> responses) {
    unary("DeleteJobs", request, responses, this::deleteAll);
  }

  @Override
  public void importJobs(ImportJobsRequest request, StreamObserver<ImportJobsResponse> responses) {
    unary("ImportJobs", request, responses, this::importJobs);
  }

  @Override
  public void getStatus(GetStatusRequest request, StreamObserver<GetStatusResponse> responses) {
    unary("GetStatus", request, responses, r -> status());
  }

  /** Streams the matching jobs in batches as the client takes them (a million jobs never sit in one buffer). */
  @Override
  public void exportJobs(ExportJobsRequest request, StreamObserver<ExportJobsResponse> responses) {
    List<StoredJob> jobs;
    try {
      authorize();
      AdminSelection.Selection sel = AdminSelection.selection(request.getSelector());
      jobs = matching(sel);
    } catch (RuntimeException e) {
      Status s = Rpcs.status("admin.ExportJobs", e);
      metrics.rpc("admin.ExportJobs", s.getCode());
      responses.onError(s.asRuntimeException());
      return;
    }
    ServerCallStreamObserver<ExportJobsResponse> out = (ServerCallStreamObserver<ExportJobsResponse>) responses;
    Iterator<StoredJob> it = jobs.iterator();
    boolean[] done = {false};
    Runnable drain = () -> {
      synchronized (done) {
        while (!done[0] && out.isReady() && it.hasNext()) {
          ExportJobsResponse.Builder batch = ExportJobsResponse.newBuilder();
          for (int i = 0; i < EXPORT_BATCH && it.hasNext(); i++) {
            batch.addJobs(AdminSelection.view(it.next(), true));
          }
          out.onNext(batch.build());
        }
        if (!done[0] && !it.hasNext()) {
          done[0] = true;
          metrics.rpc("admin.ExportJobs", Status.Code.OK);
          out.onCompleted();
        }
      }
    };
    out.setOnReadyHandler(drain);
    drain.run();
  }

  // --- the plain methods

  ListJobsResponse list(ListJobsRequest r) {
    ListJobsResponse.Builder out = ListJobsResponse.newBuilder();
    for (StoredJob j : matching(AdminSelection.selection(r.getSelector()))) {
      out.addJobs(AdminSelection.view(j, !r.getWithoutData()));
    }
    return out.build();
  }

  GetJobResponse get(GetJobRequest r) {
    JobKey key = AdminSelection.key(r.getRef());
    StoredJob j = store.get(key).orElseThrow(() -> notFound(key));
    return GetJobResponse.newBuilder().setJob(AdminSelection.view(j, true)).build();
  }

  DeleteJobResponse delete(DeleteJobRequest r) {
    JobKey key = AdminSelection.key(r.getRef());
    if (apply(new JobCommand.Delete(key)).removed().isEmpty()) {
      throw notFound(key);
    }
    LOG.info("{} deleted by an administrator", key);
    return DeleteJobResponse.getDefaultInstance();
  }

  /**
   * A selector a store selector covers exactly is one bulk delete; the others (a kind across owners, a workflow
   * instance with its activities) delete what they match job by job, all sent before any is awaited.
   */
  DeleteJobsResponse deleteAll(DeleteJobsRequest r) {
    if (r.getSelectorsCount() == 0) {
      throw new InvalidJobException("no selector: say which jobs to delete");
    }
    Map<JobKey, Boolean> removed = new LinkedHashMap<>();
    for (io.daprx.proto.scheduler.admin.v1.JobSelector wire : r.getSelectorsList()) {
      AdminSelection.Selection sel = AdminSelection.selection(wire);
      if (sel.exact()) {
        apply(new JobCommand.DeleteWhere(sel.scan())).removed().forEach(k -> removed.put(k, true));
        continue;
      }
      List<CompletableFuture<JobStore.Outcome>> pending = new ArrayList<>();
      for (StoredJob j : matching(sel)) {
        pending.add(store.apply(new JobCommand.Delete(j.key())));
      }
      for (CompletableFuture<JobStore.Outcome> f : pending) {
        join(f).removed().forEach(k -> removed.put(k, true));
      }
    }
    LOG.info("{} jobs deleted by an administrator", removed.size());
    DeleteJobsResponse.Builder out = DeleteJobsResponse.newBuilder();
    removed.keySet().forEach(k -> out.addDeleted(AdminSelection.ref(k)));
    return out.build();
  }

  /**
   * Each exported job is checked as a sidecar's would be (name, metadata, timing, size), then stored with the timing
   * and progress it had: a relative due time is not resolved again, ticks already done are not done again.
   */
  ImportJobsResponse importJobs(ImportJobsRequest r) {
    List<StoredJob> ready = new ArrayList<>();
    for (AdminJob a : r.getJobsList()) {
      ready.add(restore(a));
    }
    List<CompletableFuture<JobStore.Outcome>> pending = new ArrayList<>();
    for (StoredJob j : ready) {
      pending.add(store.apply(new JobCommand.Put(j, r.getOverwrite())));
    }
    ImportJobsResponse.Builder out = ImportJobsResponse.newBuilder();
    int imported = 0;
    for (int i = 0; i < pending.size(); i++) {
      if (join(pending.get(i)).applied()) {
        imported++;
      } else {
        out.addSkipped(AdminSelection.ref(ready.get(i).key()));
      }
    }
    LOG.info("{} jobs imported by an administrator, {} existing kept", imported, out.getSkippedCount());
    return out.setImported(imported).build();
  }

  private StoredJob restore(AdminJob a) {
    String name = a.getRef().getName();
    StoredJob fresh;
    try {
      fresh = JobRequests.toStored(name, a.getMetadata(), a.getJob(), clock.instant(), maxJobBytes);
    } catch (InvalidJobException e) {
      throw new InvalidJobException("job " + AdminSelection.key(a.getRef()) + " cannot be imported: " + e.getMessage());
    }
    if (!fresh.key().equals(AdminSelection.key(a.getRef()))) {
      throw new InvalidJobException("job " + AdminSelection.key(a.getRef()) + " cannot be imported: its metadata names "
          + fresh.key().owner());
    }
    JobTiming t = fresh.timing();
    JobTiming kept = new JobTiming(t.schedule(), a.hasBegin() ? AdminSelection.instant(a.getBegin()) : t.begin(), t.firesAtBegin(),
        a.hasExpiration() ? AdminSelection.instant(a.getExpiration()) : t.expiration(), t.repeats());
    Ticks ticks = new Ticks(a.getCount(), a.getAttempts(), a.hasLastTrigger() ? AdminSelection.instant(a.getLastTrigger()) : null);
    return new StoredJob(fresh.key(), 0, fresh.partition(), fresh.metadata(), fresh.spec(), kept, fresh.policy(), ticks);
  }

  GetStatusResponse status() {
    LoopState state;
    try {
      state = loop.state().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw Status.UNAVAILABLE.withDescription("the trigger loop did not answer within 5 s").asRuntimeException();
    }
    GetStatusResponse.Builder out = GetStatusResponse.newBuilder().setReplicaId(replicaId)
        .setJobsStored(store.count())
        .setJobsTriggered(state.jobs()).setInFlight(state.inFlight()).setHeld(state.held()).setStreams(state.streams());
    for (Replica r : replicas.replicas()) {
      out.addReplicas(r.getId().equals(replicaId) && r.getOwnedJobs() < 0 ? r.toBuilder().setOwnedJobs(state.jobs()).build() : r);
    }
    return out.build();
  }

  private List<StoredJob> matching(AdminSelection.Selection sel) {
    List<StoredJob> out = new ArrayList<>();
    for (StoredJob j : store.list(sel.scan())) {
      if (sel.matches(j.key())) {
        out.add(j);
      }
    }
    return out;
  }

  private static StatusRuntimeException notFound(JobKey key) {
    return Status.NOT_FOUND.withDescription("job not found: " + key).asRuntimeException();
  }

  private JobStore.Outcome apply(JobCommand command) {
    return join(store.apply(command));
  }

  private static JobStore.Outcome join(CompletableFuture<JobStore.Outcome> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
  }
}
