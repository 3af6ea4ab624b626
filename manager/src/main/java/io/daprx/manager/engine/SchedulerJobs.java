package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.store.Doc;
import io.daprx.proto.common.v1.JobFailurePolicy;
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
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a user sees and does with a cluster's jobs, actor reminders and workflow timers: the scheduler's admin API
 * called as the manager's own identity, its answers turned into the JSON the API serves (names as the Dapr CLI writes
 * them, times as RFC 3339). Job data is never shown: only its type and size; an export carries it, for an import.
 */
public final class SchedulerJobs implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerJobs.class);

  /** The app id of the manager's identity in the control plane; the scheduler's admin API serves it alone. */
  public static final String ADMIN_APP_ID = SpiffeId.MANAGER_APP_ID;
  static final String SCHEDULER_APP_ID = "dapr-scheduler";
  static final String EXPORT_KIND = "DaprxSchedulerExport";
  static final Duration DEADLINE = Duration.ofSeconds(30);
  /** How many soonest triggers and failing jobs the status shows. */
  static final int STATUS_SAMPLE = 10;

  private final SchedulerLocator locator;
  private final Clock clock;
  private final Map<SchedulerLocator.Endpoint, ManagedChannel> channels = new ConcurrentHashMap<>();

  public SchedulerJobs(SchedulerLocator locator, Clock clock) {
    this.locator = locator;
    this.clock = clock;
  }

  /** The jobs of one namespace (null or blank: every namespace) of a kind (all, app, actor, workflow, activity). */
  public ArrayNode list(Doc cluster, String namespace, String filter) {
    JobSelector s = JobSelector.newBuilder().setNamespace(blank(namespace) ? "" : namespace).setKind(JobNames.filter(filter)).build();
    List<AdminJob> jobs = call(cluster, a -> a.listJobs(ListJobsRequest.newBuilder().setSelector(s).setWithoutData(true).build()))
        .getJobsList();
    ArrayNode out = Json.MAPPER.createArrayNode();
    sorted(jobs).forEach(j -> out.add(json(j)));
    return out;
  }

  public ObjectNode get(Doc cluster, String namespace, String name) {
    JobRef ref = JobNames.parse(name, namespaceOrDefault(namespace));
    return json(call(cluster, a -> a.getJob(GetJobRequest.newBuilder().setRef(ref).build())).getJob());
  }

  public void delete(Doc cluster, String namespace, String name) {
    JobRef ref = JobNames.parse(name, namespaceOrDefault(namespace));
    call(cluster, a -> a.deleteJob(DeleteJobRequest.newBuilder().setRef(ref).build()));
    LOG.info("Cluster({}): job {} of namespace {} deleted", clusterName(cluster), name, ref.getNamespace());
  }

  /** Deletes what a {@code delete-all} key covers in a namespace; answers the names deleted. */
  public ObjectNode deleteAll(Doc cluster, String namespace, String key) {
    String ns = namespaceOrDefault(namespace);
    if (blank(key)) {
      throw DomainException.invalid("InvalidDeleteAllKey", "say what to delete: all, app[/{app ID}], actor/{actor type}[/{actor ID}]"
          + " or workflow[/{app ID}[/{instance ID}]]");
    }
    List<JobSelector> selectors = JobNames.deleteAllKey(key, ns);
    DeleteJobsResponse r = call(cluster, a -> a.deleteJobs(DeleteJobsRequest.newBuilder().addAllSelectors(selectors).build()));
    ObjectNode out = Json.object();
    out.put("namespace", ns);
    out.put("deletedCount", r.getDeletedCount());
    ArrayNode names = out.putArray("deleted");
    r.getDeletedList().stream().map(JobNames::name).sorted().forEach(names::add);
    LOG.info("Cluster({}): {} jobs of namespace {} deleted ({})", clusterName(cluster), r.getDeletedCount(), ns, key);
    return out;
  }

  /** Every job with its data, timing and progress: a document {@link #importJobs} takes back, here or on another cluster. */
  public ObjectNode export(Doc cluster) {
    List<AdminJob> jobs = new ArrayList<>();
    call(cluster, a -> {
      Iterator<ExportJobsResponse> it = a.exportJobs(ExportJobsRequest.getDefaultInstance());
      it.forEachRemaining(r -> jobs.addAll(r.getJobsList()));
      return null;
    });
    ObjectNode out = Json.object();
    out.put("kind", EXPORT_KIND);
    out.put("version", 1);
    out.put("exportedAt", clock.instant().toString());
    ArrayNode items = out.putArray("jobs");
    for (AdminJob j : sorted(jobs)) {
      ObjectNode o = items.addObject();
      o.put("namespace", j.getRef().getNamespace());
      o.put("name", JobNames.name(j.getRef()));
      o.put("record", Base64.getEncoder().encodeToString(j.toByteArray()));
    }
    return out;
  }

  /** Stores the jobs of an export as they were; existing ones are kept (and listed as skipped) unless {@code overwrite}. */
  public ObjectNode importJobs(Doc cluster, JsonNode doc, boolean overwrite) {
    if (doc == null || !EXPORT_KIND.equals(doc.path("kind").asText()) || !doc.path("jobs").isArray()) {
      throw DomainException.invalid("InvalidExport", "the content is not a scheduler export: expected {\"kind\": \"" + EXPORT_KIND
          + "\", \"jobs\": [...]}, as 'daprx scheduler export' writes it");
    }
    ImportJobsRequest.Builder req = ImportJobsRequest.newBuilder().setOverwrite(overwrite);
    int i = 0;
    for (JsonNode item : doc.path("jobs")) {
      try {
        req.addJobs(AdminJob.parseFrom(Base64.getDecoder().decode(item.path("record").asText())));
      } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
        throw DomainException.invalid("InvalidExport", "job #" + (i + 1) + " (" + item.path("name").asText("?")
            + ") of the export is damaged: its record is not a job exported by daprx (" + e.getMessage() + ")");
      }
      i++;
    }
    ImportJobsResponse r = call(cluster, a -> a.importJobs(req.build()));
    ObjectNode out = Json.object();
    out.put("imported", r.getImported());
    ArrayNode skipped = out.putArray("skipped");
    r.getSkippedList().forEach(s -> skipped.add(s.getNamespace() + "/" + JobNames.name(s)));
    LOG.info("Cluster({}): {} jobs imported, {} existing kept", clusterName(cluster), r.getImported(), r.getSkippedCount());
    return out;
  }

  /**
   * The replicas and what they trigger, the jobs by namespace and owner (app, actor type, workflow app), the soonest
   * triggers and the jobs whose current tick has failed: the dashboard's Scheduler page.
   */
  public ObjectNode status(Doc cluster) {
    SchedulerLocator.Endpoint e = endpoint(cluster);
    GetStatusResponse s = call(cluster, a -> a.getStatus(GetStatusRequest.getDefaultInstance()));
    List<AdminJob> jobs = call(cluster, a -> a.listJobs(ListJobsRequest.newBuilder().setWithoutData(true)
        .setSelector(JobSelector.newBuilder().setKind(JobKind.JOB_KIND_ALL)).build())).getJobsList();
    ObjectNode out = Json.object();
    out.put("namespace", e.namespace());
    out.put("address", e.address());
    out.put("answeredBy", s.getReplicaId());
    out.put("jobsStored", s.getJobsStored());
    ObjectNode loop = out.putObject("triggerLoop");
    loop.put("jobs", s.getJobsTriggered());
    loop.put("inFlight", s.getInFlight());
    loop.put("held", s.getHeld());
    loop.put("streams", s.getStreams());
    ArrayNode replicas = out.putArray("replicas");
    for (Replica r : s.getReplicasList()) {
      ObjectNode o = replicas.addObject();
      o.put("id", r.getId());
      o.put("address", r.getAddress());
      if (r.getOwnedJobs() >= 0) {
        o.put("ownedJobs", r.getOwnedJobs());
      } else {
        o.putNull("ownedJobs");
      }
    }
    Map<String, int[]> groups = new TreeMap<>();
    for (AdminJob j : jobs) {
      groups.computeIfAbsent(j.getRef().getNamespace() + "\0" + JobNames.kind(j.getRef()) + "\0" + owner(j.getRef()), k -> new int[1])[0]++;
    }
    ArrayNode g = out.putArray("groups");
    groups.forEach((k, n) -> {
      String[] p = k.split("\0", 3);
      g.addObject().put("namespace", p[0]).put("kind", p[1]).put("owner", p[2]).put("jobs", n[0]);
    });
    ArrayNode next = out.putArray("nextTriggers");
    jobs.stream().filter(AdminJob::hasNextTrigger).sorted(Comparator.comparing(j -> instant(j.getNextTrigger())))
        .limit(STATUS_SAMPLE).forEach(j -> next.add(json(j)));
    ArrayNode failing = out.putArray("failing");
    jobs.stream().filter(j -> j.getAttempts() > 0).sorted(Comparator.comparingLong(AdminJob::getAttempts).reversed())
        .limit(STATUS_SAMPLE).forEach(j -> failing.add(json(j)));
    return out;
  }

  /** The owner a user groups jobs by: the app, the actor type, or the workflow's app. */
  private static String owner(JobRef ref) {
    if (!ref.hasActor()) {
      return ref.getAppId();
    }
    String app = JobNames.workflowApp(ref.getNamespace(), ref.getActor().getType());
    return app != null ? app : ref.getActor().getType();
  }

  // --- JSON

  /** A job as the API shows it: the Dapr CLI's wide listing, plus progress, failure policy and the data's type and size. */
  static ObjectNode json(AdminJob j) {
    ObjectNode o = Json.object();
    JobRef ref = j.getRef();
    Job job = j.getJob();
    o.put("namespace", ref.getNamespace());
    o.put("name", JobNames.name(ref));
    o.put("kind", JobNames.kind(ref));
    o.put("appId", j.getMetadata().getAppId());
    if (ref.hasActor()) {
      o.put("actorType", ref.getActor().getType());
      o.put("actorId", ref.getActor().getId());
    }
    o.put("jobName", ref.getName());
    o.put("begin", instant(j.getBegin()).toString());
    if (j.hasExpiration()) {
      o.put("expiration", instant(j.getExpiration()).toString());
    }
    if (job.hasSchedule()) {
      o.put("schedule", job.getSchedule());
    }
    if (job.hasDueTime()) {
      o.put("dueTime", job.getDueTime());
    }
    if (job.hasTtl()) {
      o.put("ttl", job.getTtl());
    }
    if (job.hasRepeats()) {
      o.put("repeats", Integer.toUnsignedLong(job.getRepeats()));
    }
    o.put("count", j.getCount());
    o.put("attempts", j.getAttempts());
    if (j.hasLastTrigger()) {
      o.put("lastTrigger", instant(j.getLastTrigger()).toString());
    }
    if (j.hasNextTrigger()) {
      o.put("nextTrigger", instant(j.getNextTrigger()).toString());
    }
    o.put("failurePolicy", policy(job.getFailurePolicy()));
    if (job.hasData()) {
      // the data may be anything an app put there (workflow inputs, tokens): its type and size only
      ObjectNode d = o.putObject("data");
      d.put("type", job.getData().getTypeUrl());
      d.put("bytes", job.getData().getValue().size());
    }
    return o;
  }

  static String policy(JobFailurePolicy p) {
    return switch (p.getPolicyCase()) {
      case DROP -> "drop";
      case CONSTANT -> "constant " + com.google.protobuf.util.Durations.toString(p.getConstant().getInterval())
          + (p.getConstant().hasMaxRetries() ? ", " + Integer.toUnsignedLong(p.getConstant().getMaxRetries()) + " retries" : ", retried forever");
      case POLICY_NOT_SET -> "constant 1s, 3 retries";
    };
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** Upstream's order: by namespace, then begin, then name. */
  private static List<AdminJob> sorted(List<AdminJob> jobs) {
    return jobs.stream().sorted(Comparator.<AdminJob, String>comparing(j -> j.getRef().getNamespace())
        .thenComparing(j -> instant(j.getBegin())).thenComparing(j -> JobNames.name(j.getRef()))).toList();
  }

  // --- calls

  @FunctionalInterface
  private interface AdminCall<R> {
    R apply(SchedulerAdminGrpc.SchedulerAdminBlockingStub stub);
  }

  private SchedulerLocator.Endpoint endpoint(Doc cluster) {
    if (ConnectedClusters.isConnected(cluster)) {
      throw DomainException.invalid("NotSupported", "Cluster '" + clusterName(cluster) + "' is a connected Kubernetes cluster:"
          + " managing its scheduler's jobs through daprx is not supported yet. Local clusters (managedClusters) are.");
    }
    return locator.locate(cluster).orElseThrow(() -> DomainException.preconditionFailed("SchedulerNotInstalled",
        "Cluster '" + clusterName(cluster) + "' has no scheduler installed: install or upgrade the Dapr extension to a version"
            + " with the scheduler (daprx k8s-extension create/update), then try again."));
  }

  private <R> R call(Doc cluster, AdminCall<R> call) {
    SchedulerLocator.Endpoint e = endpoint(cluster);
    ManagedChannel channel = channels.computeIfAbsent(e, this::dial);
    try {
      return call.apply(SchedulerAdminGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .withMaxInboundMessageSize(Integer.MAX_VALUE));
    } catch (StatusRuntimeException ex) {
      throw refused(cluster, e, ex);
    }
  }

  private ManagedChannel dial(SchedulerLocator.Endpoint e) {
    SpiffeId self = SpiffeId.of(e.trustDomain(), e.namespace(), ADMIN_APP_ID);
    SpiffeId scheduler = SpiffeId.of(e.trustDomain(), e.namespace(), SCHEDULER_APP_ID);
    return Grpc.newChannelBuilder(e.address(), TlsCredentials.clientMtls(new AdminCertificates(e.trustBundleDir(), self, clock),
        scheduler, clock)).maxInboundMessageSize(Integer.MAX_VALUE).build();
  }

  private static DomainException refused(Doc cluster, SchedulerLocator.Endpoint e, StatusRuntimeException ex) {
    String said = ex.getStatus().getDescription() == null ? ex.getStatus().getCode().toString() : ex.getStatus().getDescription();
    return switch (ex.getStatus().getCode()) {
      case NOT_FOUND -> DomainException.notFound("JobNotFound", said);
      case INVALID_ARGUMENT, ALREADY_EXISTS -> DomainException.invalid("InvalidJobRequest", "the scheduler refused the request: " + said);
      case PERMISSION_DENIED, UNAUTHENTICATED -> DomainException.preconditionFailed("SchedulerRefusedManager",
          "the scheduler of cluster '" + clusterName(cluster) + "' did not accept the manager's identity (" + said
              + "); its trust bundle may have been replaced: reinstall the extension");
      case UNIMPLEMENTED -> DomainException.preconditionFailed("SchedulerTooOld", "the scheduler of cluster '" + clusterName(cluster)
          + "' has no admin API; upgrade the Dapr extension to a newer version");
      default -> DomainException.preconditionFailed("SchedulerUnavailable", "the scheduler of cluster '" + clusterName(cluster)
          + "' at " + e.address() + " did not answer: " + ex.getStatus().getCode() + (ex.getStatus().getDescription() == null ? ""
              : " (" + ex.getStatus().getDescription() + ")") + "; see daprx get pods -n " + e.namespace());
    };
  }

  private static String clusterName(Doc cluster) {
    return cluster.body().path("name").asText();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String namespaceOrDefault(String namespace) {
    return blank(namespace) ? "default" : namespace;
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
