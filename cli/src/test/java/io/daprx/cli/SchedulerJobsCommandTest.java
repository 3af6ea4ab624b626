package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.cli.InProcessCli.Result;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.svid.SvidClient;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.manager.ManagerServer;
import io.daprx.manager.ServerOptions;
import io.daprx.manager.engine.SchedulerLocator;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daprx scheduler list|get|delete|delete-all|export|import} parsed and run in-process against a real management
 * server (in this JVM, with its own home) in front of a real scheduler with mTLS (its SVID from a real sentry), as a
 * user sees them.
 */
class SchedulerJobsCommandTest {

  @TempDir
  static Path home;
  @TempDir
  static Path bundle;
  @TempDir
  Path work;

  static Sentry sentry;
  static Scheduler scheduler;
  static ManagerServer server;
  static Map<String, String> env;
  static final List<AutoCloseable> OWNED = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    sentry = new Sentry(SentryOptions.defaults(bundle).withPorts(0, 0, 0).withListenAddress("127.0.0.1"), Clock.systemUTC()).start();
    scheduler = new Scheduler(SchedulerOptions.defaults().withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withTls(true, "127.0.0.1:" + sentry.port(), bundle.resolve("ca.crt")), Clock.systemUTC()).start();
    SchedulerLocator locator = cluster -> cluster.body().path("name").asText().equals("local1")
        ? Optional.of(new SchedulerLocator.Endpoint("127.0.0.1:" + scheduler.port(), bundle, "cluster.local", "dapr-system"))
        : Optional.empty();
    int ports = 25000 + (int) (ProcessHandle.current().pid() % 20) * 192;
    server = new ManagerServer(new ServerOptions(home, "127.0.0.1", 0, null, null, null, Duration.ZERO, Duration.ZERO, ports,
        Duration.ofSeconds(30), List.of("java"), null, Duration.ofHours(1), Duration.ofHours(6)), Clock.systemUTC())
        .withSchedulerLocator(locator).start();
    env = Map.of("DAPRX_HOME", home.toString(), "DAPRX_ENDPOINT", server.url());
    ok("cluster", "create", "-g", "rg1", "-n", "local1");
    ok("cluster", "create", "-g", "rg1", "-n", "bare");
    ok("cluster", "use", "-g", "rg1", "-n", "local1");
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : OWNED) {
      c.close();
    }
    server.close();
    scheduler.close();
    sentry.close();
  }

  /** The jobs an app, an actor and a workflow make, scheduled as their sidecars do (mTLS, their own SVIDs). */
  @BeforeEach
  void scheduleAsSidecars() throws Exception {
    SvidClient svid = SvidClient.connect(new SvidClient.Options("127.0.0.1:" + sentry.port(), sentry.spiffeId(), "cart", "shop", "",
        TokenValidator.INSECURE, null, KeyAlgorithm.ED25519, Duration.ofSeconds(3), 3),
        Pem.parseCertificates(Files.readString(bundle.resolve("ca.crt"))), Clock.systemUTC()).start();
    ManagedChannel ch = Grpc.newChannelBuilder("127.0.0.1:" + scheduler.port(), TlsCredentials.clientMtls(svid, scheduler.spiffeId(),
        Clock.systemUTC())).build();
    OWNED.add(ch::shutdownNow);
    OWNED.add(svid);
    var stub = SchedulerGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
    JobMetadata app = JobMetadata.newBuilder().setNamespace("shop").setAppId("cart")
        .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
    stub.scheduleJob(ScheduleJobRequest.newBuilder().setName("nightly").setOverwrite(true).setMetadata(app)
        .setJob(Job.newBuilder().setSchedule("@every 1h").setRepeats(5)).build());
    for (String[] r : new String[][] {{"Basket", "b1", "ping"}, {"dapr.internal.shop.cart.workflow", "order-1", "timer-0"},
        {"dapr.internal.shop.cart.activity", "order-1::0::1", "run-activity"}}) {
      stub.scheduleJob(ScheduleJobRequest.newBuilder().setName(r[2]).setOverwrite(true).setMetadata(JobMetadata.newBuilder()
          .setNamespace("shop").setAppId("cart").setTarget(JobTargetMetadata.newBuilder().setActor(TargetActorReminder.newBuilder()
              .setType(r[0]).setId(r[1])))).setJob(Job.newBuilder().setDueTime("30m")).build());
    }
  }

  static Result ok(String... args) {
    Result r = InProcessCli.run(env, args);
    assertThat(r.code()).as(String.join(" ", args) + "\nout: " + r.out() + "\nerr: " + r.err()).isZero();
    return r;
  }

  static Result run(String... args) {
    return InProcessCli.run(env, args);
  }

  @Test
  void listPrintsTheDaprCliTableOfANamespace() {
    Result table = ok("scheduler", "list", "-n", "shop");
    assertThat(table.out().lines().findFirst().orElseThrow()).containsPattern("^NAME\\s+BEGIN\\s+COUNT\\s+LAST TRIGGER$");
    assertThat(table.out()).contains("app/cart/nightly").contains("actor/Basket/b1/ping")
        .contains("workflow/cart/order-1/timer-0").contains("activity/cart/order-1::0::1");
    assertThat(table.out()).containsPattern("actor/Basket/b1/ping\\s+\\+(29|30)m\\s+0");

    Result wide = ok("scheduler", "list", "-n", "shop", "--filter", "app", "-o", "wide");
    assertThat(wide.out()).contains("NAMESPACE").contains("SCHEDULE").contains("NEXT TRIGGER").contains("@every 1h")
        .doesNotContain("Basket");
    assertThat(ok("scheduler", "list", "-n", "shop", "--filter", "workflow", "-o", "json").json()).hasSize(2);
    assertThat(ok("scheduler", "list", "-A", "--filter", "actor").out()).contains("NAMESPACE").contains("shop");

    Result none = ok("scheduler", "list");
    assertThat(none.err()).contains("No jobs found in namespace \"default\"");
    Result badFilter = run("scheduler", "list", "--filter", "reminders");
    assertThat(badFilter.code()).isEqualTo(1);
    assertThat(badFilter.err()).contains("all, app, actor, workflow, activity");
  }

  @Test
  void getShowsOneJobInEveryFormatAndSaysWhenThereIsNone() {
    JsonNode job = ok("scheduler", "get", "app/cart/nightly", "-n", "shop", "-o", "json").json();
    assertThat(job.path("schedule").asText()).isEqualTo("@every 1h");
    assertThat(job.path("repeats").asInt()).isEqualTo(5);
    assertThat(ok("scheduler", "get", "workflow/cart/order-1/timer-0", "-n", "shop", "-o", "yaml").out())
        .contains("actorType: dapr.internal.shop.cart.workflow").contains("dueTime: 30m");
    Result missing = run("scheduler", "get", "app/cart/weekly", "-n", "shop");
    assertThat(missing.code()).isEqualTo(3);
    assertThat(missing.err()).contains("JobNotFound").contains("weekly");
    Result badName = run("scheduler", "get", "cart/nightly", "-n", "shop");
    assertThat(badName.code()).isEqualTo(1);
    assertThat(badName.err()).contains("unsupported job type 'cart'");
  }

  @Test
  void deleteAllAsksFirstThenDeletesWhatTheKeyCovers() {
    ok("scheduler", "delete", "actor/Basket/b1/ping", "-n", "shop");
    assertThat(ok("scheduler", "list", "-n", "shop", "-o", "json").json()).hasSize(3);

    Result asked = run("scheduler", "delete-all", "workflow/cart/order-1", "-n", "shop");
    assertThat(asked.code()).isEqualTo(1);
    assertThat(asked.err()).contains("--yes");
    assertThat(ok("scheduler", "list", "-n", "shop", "-o", "json").json()).as("nothing deleted without an answer").hasSize(3);

    Result deleted = ok("scheduler", "delete-all", "workflow/cart/order-1", "-n", "shop", "--yes");
    assertThat(deleted.out()).contains("Deleted job 'workflow/cart/order-1/timer-0'.").contains("Deleted job 'activity/cart/order-1::0::1'.")
        .contains("Deleted 2 jobs in namespace 'shop'.");
    assertThat(ok("scheduler", "list", "-n", "shop", "-o", "json").json()).hasSize(1);
  }

  @Test
  void exportWritesAnOwnerOnlyFileThatImportTakesBack() throws Exception {
    Path file = work.resolve("jobs.json");
    Result exported = ok("scheduler", "export", "-o", file.toString());
    assertThat(exported.out()).contains("Exported 4 jobs to '" + file + "'.");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    Result again = run("scheduler", "export", "-o", file.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("already exists");

    ok("scheduler", "delete-all", "all", "-n", "shop", "--yes");
    assertThat(ok("scheduler", "list", "-n", "shop", "-o", "json").json()).isEmpty();
    Result imported = ok("scheduler", "import", "-f", file.toString());
    assertThat(imported.out()).contains("Imported 4 jobs");
    assertThat(ok("scheduler", "list", "-n", "shop", "-o", "json").json()).hasSize(4);
    Result kept = ok("scheduler", "import", "-f", file.toString());
    assertThat(kept.out()).contains("Imported 0 jobs").contains("4 kept as they were");
    assertThat(kept.err()).contains("use --overwrite");
  }

  @Test
  void aClusterWithoutASchedulerSaysSoAndTheBareCommandStillRunsTheServer() {
    Result r = run("scheduler", "list", "-g", "rg1", "-c", "bare");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("SchedulerNotInstalled").contains("'bare' has no scheduler installed");
    Result help = ok("scheduler", "--help");
    assertThat(help.out()).contains("--etcd-initial-cluster").contains("list").contains("delete-all").contains("import");
  }
}
