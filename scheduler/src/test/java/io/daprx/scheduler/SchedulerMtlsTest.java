package io.daprx.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.proto.scheduler.v1.GetJobRequest;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.ScheduleJobRequest;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.TargetJob;
import io.daprx.proto.scheduler.v1.WatchHostsRequest;
import io.daprx.proto.scheduler.v1.WatchJobsRequest;
import io.daprx.proto.scheduler.v1.WatchJobsRequestInitial;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.sentry.Sentry;
import io.daprx.sentry.SentryOptions;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler component on real loopback ports with mTLS: its SVID {@code dapr-scheduler} from a real sentry,
 * sidecars with SVIDs of their own, each request checked against the caller's SPIFFE ID.
 */
class SchedulerMtlsTest {

  @TempDir
  static Path creds;

  private static Sentry sentry;
  private static Scheduler scheduler;
  private static List<X509Certificate> anchors;

  @BeforeAll
  static void start() throws Exception {
    sentry = new Sentry(SentryOptions.defaults(creds).withPorts(0, 0, 0).withListenAddress("127.0.0.1"), Clock.systemUTC()).start();
    scheduler = new Scheduler(SchedulerOptions.defaults().withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withTls(true, "127.0.0.1:" + sentry.port(), creds.resolve("ca.crt")), Clock.systemUTC()).start();
    anchors = Pem.parseCertificates(Files.readString(creds.resolve("ca.crt")));
  }

  @AfterAll
  static void stop() {
    scheduler.close();
    sentry.close();
  }

  /** A channel from {@code spiffe://<td>/ns/<ns>/<app>} that verifies the scheduler as dapr-scheduler. */
  private static ManagedChannel sidecar(String ns, String appId, List<AutoCloseable> owned) {
    SvidClient svid = SvidClient.connect(new SvidClient.Options("127.0.0.1:" + sentry.port(), sentry.spiffeId(), appId, ns, "",
        TokenValidator.INSECURE, null, KeyAlgorithm.ED25519, Duration.ofSeconds(3), 3), anchors, Clock.systemUTC()).start();
    ManagedChannel ch = Grpc.newChannelBuilder("127.0.0.1:" + scheduler.port(),
        TlsCredentials.clientMtls(svid, scheduler.spiffeId(), Clock.systemUTC())).build();
    owned.add(svid);
    owned.add(ch::shutdownNow);
    return ch;
  }

  private static JobMetadata app(String ns, String appId) {
    return JobMetadata.newBuilder().setNamespace(ns).setAppId(appId)
        .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
  }

  private static void closeAll(List<AutoCloseable> owned) throws Exception {
    for (AutoCloseable c : owned) {
      c.close();
    }
  }

  @Test
  void aSidecarWithItsOwnIdentitySchedulesAndIsTriggered() throws Exception {
    List<AutoCloseable> owned = new java.util.ArrayList<>();
    try {
      ManagedChannel ch = sidecar("shop", "cart", owned);
      assertThat(scheduler.spiffeId()).isEqualTo(SpiffeId.of("cluster.local", "dapr-system", "dapr-scheduler"));
      assertThat(SchedulerGrpc.newBlockingStub(ch).watchHosts(WatchHostsRequest.getDefaultInstance()).next().getHosts(0).getAddress())
          .isEqualTo("127.0.0.1:" + scheduler.port());
      LinkedBlockingQueue<WatchJobsResponse> triggers = new LinkedBlockingQueue<>();
      StreamObserver<WatchJobsRequest> requests = SchedulerGrpc.newStub(ch).watchJobs(new StreamObserver<>() {
        @Override
        public void onNext(WatchJobsResponse value) {
          triggers.add(value);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      });
      requests.onNext(WatchJobsRequest.newBuilder().setInitial(WatchJobsRequestInitial.newBuilder().setNamespace("shop")
          .setAppId("cart")).build());
      SchedulerGrpc.newBlockingStub(ch).scheduleJob(ScheduleJobRequest.newBuilder().setName("hello").setMetadata(app("shop", "cart"))
          .setJob(Job.newBuilder().setDueTime("0s")).build());
      WatchJobsResponse t = triggers.poll(10, TimeUnit.SECONDS);
      assertThat(t).isNotNull();
      assertThat(t.getName()).isEqualTo("hello");
      requests.onCompleted();
    } finally {
      closeAll(owned);
    }
  }

  @Test
  void actingForAnotherAppIsPermissionDenied() throws Exception {
    List<AutoCloseable> owned = new java.util.ArrayList<>();
    try {
      ManagedChannel ch = sidecar("shop", "mallory", owned);
      assertThatThrownBy(() -> SchedulerGrpc.newBlockingStub(ch).getJob(GetJobRequest.newBuilder().setName("hello")
          .setMetadata(app("shop", "cart")).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    } finally {
      closeAll(owned);
    }
  }

  @Test
  void healthzIsReadyAndMetricsAreServed() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + scheduler.healthzPort()
        + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isBetween(200, 204);
    await().untilAsserted(() -> assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + scheduler.metricsPort()
        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body()).contains("daprx_scheduler_jobs"));
  }
}
