package io.daprx.dashboard.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local source against a fake management server: the routes it reads, its token, and what it makes of the answers. */
class ManagerSourceTest {

  static final String CLUSTER = "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/c";
  static final String EXTENSIONS = CLUSTER + "/providers/Microsoft.KubernetesConfiguration/extensions";

  @TempDir
  Path dir;
  Javalin server;
  final List<String> tokens = new ArrayList<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  ManagerSource source(boolean history) throws Exception {
    server = Javalin.create(c -> c.showJavalinBanner = false);
    server.before(ctx -> tokens.add(ctx.header("Authorization")));
    server.get(CLUSTER + "/pods", ctx -> ctx.contentType("application/json").result("""
        {"value":[{"name":"dapr-sentry-a-b","component":"sentry","ready":"1/1","status":"Running","restarts":1,
                   "createdAt":"2026-01-01T00:00:00Z","ports":{"grpc":1,"healthz":2,"metrics":3}},
                  {"name":"dapr-dashboard-a-b","component":"dashboard","ready":"1/1","status":"Running","restarts":0,"version":"0.2.0",
                   "createdAt":"2026-01-01T00:00:00Z","ports":{"http":4}}]}"""));
    server.get(CLUSTER + "/trustBundle", ctx -> ctx.status(404).result("{\"error\":{\"code\":\"TrustBundleNotFound\",\"message\":\"none\"}}"));
    server.get(EXTENSIONS, ctx -> ctx.contentType("application/json").result("""
        {"value":[{"name":"dapr","properties":{"extensionType":"microsoft.dapr","currentVersion":"0.1.0"}}]}"""));
    server.get(EXTENSIONS + "/dapr/operations", ctx -> {
      if (history) {
        ctx.contentType("application/json").result("{\"value\":[{\"name\":\"op\"}]}");
      } else {
        ctx.status(404).result("{\"error\":{\"code\":\"NotFound\",\"message\":\"No route\"}}");
      }
    });
    server.get(CLUSTER + "/scheduler", ctx -> ctx.status(412).contentType("application/json").result(
        "{\"error\":{\"code\":\"SchedulerNotInstalled\",\"message\":\"Cluster 'c' has no scheduler installed\"}}"));
    server.start("127.0.0.1", 0);
    Path serverFile = dir.resolve("server.json");
    Files.writeString(serverFile, "{\"url\":\"http://127.0.0.1:" + server.port() + "\"}");
    Path token = dir.resolve("reader-token");
    Files.writeString(token, "reader\n");
    return new ManagerSource(ManagerSource.fromServerFile(serverFile), token, CLUSTER, "dapr-system", Duration.ofSeconds(2));
  }

  @Test
  void podsVersionsAndHistoryComeFromTheServersApiWithTheReaderToken() throws Exception {
    Snapshot s = source(true).snapshot();
    assertThat(s.problems()).isEmpty();
    assertThat(s.pods()).extracting(PodView::name).containsExactly("dapr-sentry-a-b", "dapr-dashboard-a-b");
    PodView sentry = s.pods().get(0);
    assertThat(sentry.version()).as("the extension's version when the pod has none").isEqualTo("0.1.0");
    assertThat(sentry.healthz()).isEqualTo("127.0.0.1:2");
    assertThat(sentry.metrics()).isEqualTo("127.0.0.1:3");
    assertThat(s.pods().get(1).version()).as("a pod's own version first").isEqualTo("0.2.0");
    assertThat(s.pods().get(1).healthz()).isNull();
    assertThat(s.trustAnchorsPem()).isNull();
    assertThat(s.workloads()).as("a local cluster has no workload objects").isNull();
    assertThat(s.operations().path("value").path(0).path("name").asText()).isEqualTo("op");
    assertThat(tokens).isNotEmpty().allSatisfy(t -> assertThat(t).isEqualTo("Bearer reader"));
  }

  @Test
  void aServerWithoutHistoryGivesNoneAndAStoppedServerIsAProblemNotAnError() throws Exception {
    ManagerSource source = source(false);
    assertThat(source.snapshot().operations()).isNull();
    server.stop();
    Snapshot down = source.snapshot();
    assertThat(down.pods()).isEmpty();
    assertThat(down.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).contains("cannot reach the management server"));
  }

  @Test
  void aClusterWithoutASchedulerIsAnErrorSayingSo() throws Exception {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> source(true).scheduler())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("HTTP 412").hasMessageContaining("has no scheduler installed");
  }

  @Test
  void theUrlIsReadAgainFromServerJsonSoARestartedServerIsFound() throws Exception {
    Path file = dir.resolve("server.json");
    Files.writeString(file, "{\"url\":\"http://127.0.0.1:1\"}");
    assertThat(ManagerSource.fromServerFile(file).get()).isEqualTo(URI.create("http://127.0.0.1:1"));
    Files.writeString(file, "{\"url\":\"http://127.0.0.1:2\"}");
    assertThat(ManagerSource.fromServerFile(file).get()).isEqualTo(URI.create("http://127.0.0.1:2"));
    Files.delete(file);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ManagerSource.fromServerFile(file).get())
        .hasMessageContaining("the management server is not running");
  }
}
