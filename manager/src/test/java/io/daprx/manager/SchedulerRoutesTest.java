package io.daprx.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.manager.engine.SchedulerLocator;
import io.daprx.proto.scheduler.admin.v1.ListJobsRequest;
import io.daprx.proto.scheduler.admin.v1.SchedulerAdminGrpc;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.ScheduleJobRequest;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.TargetActorReminder;
import io.daprx.proto.scheduler.v1.TargetJob;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.scheduler.Scheduler;
import io.daprx.scheduler.SchedulerOptions;
import io.daprx.sentry.Sentry;
import io.daprx.sentry.SentryOptions;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manager's scheduler routes against a real scheduler on loopback with mTLS: its SVID from a real sentry, the
 * manager's client certificate minted from the same trust bundle, sidecars with SVIDs of their own making the jobs.
 */
class SchedulerRoutesTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path home;
  @TempDir
  static Path bundle;

  static Sentry sentry;
  static Scheduler scheduler;
  static ManagerServer manager;
  static List<X509Certificate> anchors;
  static String sub;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final List<AutoCloseable> OWNED = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    sentry = new Sentry(SentryOptions.defaults(bundle).withPorts(0, 0, 0).withListenAddress("127.0.0.1"), Clock.systemUTC()).start();
    scheduler = new Scheduler(SchedulerOptions.defaults().withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withTls(true, "127.0.0.1:" + sentry.port(), bundle.resolve("ca.crt")), Clock.systemUTC()).start();
    anchors = Pem.parseCertificates(Files.readString(bundle.resolve("ca.crt")));
    // the cluster "with" has this scheduler; "without" has none installed
    SchedulerLocator locator = cluster -> cluster.body().path("name").asText().equals("with")
        ? Optional.of(new SchedulerLocator.Endpoint("127.0.0.1:" + scheduler.port(), bundle, "cluster.local", "dapr-system"))
        : Optional.empty();
    manager = new ManagerServer(ServerOptions.defaults(home, List.of("true")), Clock.systemUTC()).withSchedulerLocator(locator).start();
    sub = JSON.readTree(call("GET", "/subscriptions", null).body()).path("value").path(0).path("subscriptionId").asText();
    assertThat(call("PUT", "/subscriptions/" + sub + "/resourcegroups/rg", "{}").statusCode()).isEqualTo(201);
    for (String c : List.of("with", "without")) {
      assertThat(call("PUT", cluster(c), "{}").statusCode()).isEqualTo(201);
    }
    makeJobsAsSidecars();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : OWNED) {
      c.close();
    }
    manager.close();
    scheduler.close();
    sentry.close();
  }

  static String cluster(String name) {
    return "/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/" + name;
  }

  static HttpResponse<String> call(String method, String path, String body) throws Exception {
    String token = Files.readString(ServerOptions.defaults(home, List.of("true")).tokenFile()).trim();
    return HTTP.send(HttpRequest.newBuilder(URI.create(manager.url() + path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode ok(String method, String path, String body) throws Exception {
    HttpResponse<String> r = call(method, path, body);
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** A channel from {@code spiffe://public/ns/<ns>/<app>} that verifies the scheduler as dapr-scheduler. */
  static ManagedChannel sidecar(String ns, String appId) {
    SvidClient svid = SvidClient.connect(new SvidClient.Options("127.0.0.1:" + sentry.port(), sentry.spiffeId(), appId, ns, "",
        TokenValidator.INSECURE, null, KeyAlgorithm.ED25519, Duration.ofSeconds(3), 3), anchors, Clock.systemUTC()).start();
    ManagedChannel ch = Grpc.newChannelBuilder("127.0.0.1:" + scheduler.port(),
        TlsCredentials.clientMtls(svid, scheduler.spiffeId(), Clock.systemUTC())).build();
    OWNED.add(ch::shutdownNow);
    OWNED.add(svid);
    return ch;
  }

  static void makeJobsAsSidecars() {
    ManagedChannel cart = sidecar("shop", "cart");
    var stub = SchedulerGrpc.newBlockingStub(cart).withDeadlineAfter(10, TimeUnit.SECONDS);
    JobMetadata app = JobMetadata.newBuilder().setNamespace("shop").setAppId("cart")
        .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
    stub.scheduleJob(ScheduleJobRequest.newBuilder().setName("nightly").setMetadata(app).setJob(Job.newBuilder()
        .setSchedule("0 0 2 * * *").setData(Any.newBuilder().setTypeUrl("type.googleapis.com/google.protobuf.StringValue")
            .setValue(ByteString.copyFromUtf8("password=hunter2")))).build());
    stub.scheduleJob(ScheduleJobRequest.newBuilder().setName("soon").setMetadata(app).setJob(Job.newBuilder().setDueTime("1h")).build());
    for (String[] r : new String[][] {{"Basket", "b1", "ping"}, {"dapr.internal.shop.cart.workflow", "order-1", "timer-0"},
        {"dapr.internal.shop.cart.activity", "order-1::0::1", "run-activity"}, {"dapr.internal.shop.cart.workflow", "order-2", "start"}}) {
      stub.scheduleJob(ScheduleJobRequest.newBuilder().setName(r[2]).setOverwrite(true).setMetadata(JobMetadata.newBuilder()
          .setNamespace("shop").setAppId("cart").setTarget(JobTargetMetadata.newBuilder().setActor(TargetActorReminder.newBuilder()
              .setType(r[0]).setId(r[1])))).setJob(Job.newBuilder().setDueTime("2h")).build());
    }
  }

  @Test
  void aSidecarIdentityCannotReachTheAdminApiOverRealMtls() {
    var admin = SchedulerAdminGrpc.newBlockingStub(sidecar("dapr-system", "dapr-sentry")).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> admin.listJobs(ListJobsRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains("spiffe://cluster.local/ns/dapr-system/daprx-manager");
        });
  }

  @Test
  void listsTheJobsByTheDaprCliNamesWithoutTheirData() throws Exception {
    JsonNode all = ok("GET", cluster("with") + "/scheduler/jobs", null).path("value");
    List<String> names = new ArrayList<>();
    all.forEach(j -> names.add(j.path("name").asText()));
    assertThat(names).contains("app/cart/nightly", "app/cart/soon", "actor/Basket/b1/ping", "workflow/cart/order-1/timer-0",
        "activity/cart/order-1::0::1");
    JsonNode nightly = ok("GET", cluster("with") + "/scheduler/jobs/app/cart/nightly?namespace=shop", null);
    assertThat(nightly.path("schedule").asText()).isEqualTo("0 0 2 * * *");
    assertThat(nightly.path("failurePolicy").asText()).isEqualTo("constant 1s, 3 retries");
    assertThat(nightly.path("nextTrigger").asText()).endsWith("T02:00:00Z");
    assertThat(nightly.path("data").path("bytes").asInt()).isEqualTo(16);
    assertThat(nightly.toString()).doesNotContain("hunter2").doesNotContain(java.util.Base64.getEncoder().encodeToString(
        "password=hunter2".getBytes()));
    assertThat(ok("GET", cluster("with") + "/scheduler/jobs?namespace=shop&filter=workflow", null).path("value")).hasSize(3);
    assertThat(ok("GET", cluster("with") + "/scheduler/jobs?namespace=shop&filter=actor", null).path("value")).hasSize(1);
    assertThat(ok("GET", cluster("with") + "/scheduler/jobs?namespace=billing", null).path("value")).isEmpty();
  }

  @Test
  void badNamesMissingJobsAndAClusterWithoutASchedulerSayWhatIsWrong() throws Exception {
    HttpResponse<String> bad = call("GET", cluster("with") + "/scheduler/jobs/app/cart?namespace=shop", null);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("app/{app ID}/{job name}");
    HttpResponse<String> missing = call("GET", cluster("with") + "/scheduler/jobs/app/cart/nope?namespace=shop", null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("JobNotFound").contains("nope");
    HttpResponse<String> filter = call("GET", cluster("with") + "/scheduler/jobs?filter=timers", null);
    assertThat(filter.statusCode()).isEqualTo(400);
    assertThat(filter.body()).contains("all, app, actor, workflow");
    HttpResponse<String> none = call("GET", cluster("without") + "/scheduler/jobs", null);
    assertThat(none.statusCode()).isEqualTo(412);
    assertThat(none.body()).contains("SchedulerNotInstalled").contains("'without' has no scheduler installed");
  }

  @Test
  void deleteOneThenAllOfAWorkflowInstanceThenExportAndImportThemBack() throws Exception {
    JsonNode export = ok("GET", cluster("with") + "/scheduler/export", null);
    assertThat(export.path("kind").asText()).isEqualTo("DaprxSchedulerExport");
    assertThat(export.path("jobs")).hasSize(6);

    assertThat(call("DELETE", cluster("with") + "/scheduler/jobs/actor/Basket/b1/ping?namespace=shop", null).statusCode()).isEqualTo(200);
    assertThat(call("DELETE", cluster("with") + "/scheduler/jobs/actor/Basket/b1/ping?namespace=shop", null).statusCode()).isEqualTo(404);
    JsonNode wf = ok("POST", cluster("with") + "/scheduler/jobs/delete", "{\"namespace\": \"shop\", \"key\": \"workflow/cart/order-1\"}");
    assertThat(wf.path("deletedCount").asInt()).isEqualTo(2);
    assertThat(wf.path("deleted").toString()).contains("workflow/cart/order-1/timer-0").contains("activity/cart/order-1::0::1");
    HttpResponse<String> badKey = call("POST", cluster("with") + "/scheduler/jobs/delete", "{\"namespace\": \"shop\", \"key\": \"jobs\"}");
    assertThat(badKey.statusCode()).isEqualTo(400);
    assertThat(ok("GET", cluster("with") + "/scheduler/jobs?namespace=shop", null).path("value")).hasSize(3);

    JsonNode imported = ok("POST", cluster("with") + "/scheduler/import", export.toString());
    assertThat(imported.path("imported").asInt()).isEqualTo(3);
    assertThat(imported.path("skipped")).hasSize(3);
    assertThat(ok("GET", cluster("with") + "/scheduler/jobs?namespace=shop", null).path("value")).hasSize(6);
    JsonNode nightly = ok("GET", cluster("with") + "/scheduler/jobs/app/cart/nightly?namespace=shop", null);
    assertThat(nightly.path("data").path("bytes").asInt()).as("data travels in the export").isEqualTo(16);

    HttpResponse<String> garbage = call("POST", cluster("with") + "/scheduler/import", "{\"kind\": \"DaprxSchedulerExport\", \"jobs\": [{\"record\": \"bm90IGEgam9i!\"}]}");
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(garbage.body()).contains("damaged");
  }

  @Test
  void statusShowsTheReplicaTheGroupsAndTheSoonestTriggers() throws Exception {
    JsonNode s = ok("GET", cluster("with") + "/scheduler", null);
    assertThat(s.path("namespace").asText()).isEqualTo("dapr-system");
    assertThat(s.path("replicas").path(0).path("id").asText()).isEqualTo("dapr-scheduler-server-0");
    assertThat(s.path("replicas").path(0).path("ownedJobs").asInt()).isEqualTo(s.path("jobsStored").asInt());
    assertThat(s.path("groups").toString()).contains("\"kind\":\"workflow\",\"owner\":\"cart\"").contains("\"owner\":\"Basket\"");
    List<String> next = new ArrayList<>();
    List<String> at = new ArrayList<>();
    s.path("nextTriggers").forEach(j -> {
      next.add(j.path("name").asText());
      at.add(j.path("nextTrigger").asText());
    });
    assertThat(next).contains("app/cart/soon");
    assertThat(at).isSortedAccordingTo(java.util.Comparator.comparing(java.time.Instant::parse));
    assertThat(s.path("failing")).isEmpty();
  }
}
