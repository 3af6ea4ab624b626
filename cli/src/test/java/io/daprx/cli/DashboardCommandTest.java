package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.daprx.cli.InProcessCli.Result;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daprx dashboard} as a {@code dapr dashboard -k} user types it: it finds the current cluster's running dashboard
 * (a page served on loopback behind the {@code dapr-dashboard} Service) and prints a URL that answers, rather than
 * starting a second dashboard; a clear error when there is none to open.
 */
class DashboardCommandTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  private LocalKubeApi api;
  private HttpServer page;

  @BeforeEach
  void start() throws Exception {
    api = new LocalKubeApi(dir);
    page = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    page.createContext("/", ex -> {
      byte[] body = "<title>Dapr dashboard</title>".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    page.start();
    assertThat(InProcessCli.run(api.env(), "cluster", "use", "-g", "rg", "-n", "c1").code()).isZero();
  }

  @AfterEach
  void stop() {
    page.stop(0);
    api.close();
  }

  private void dashboardRuns(boolean ready) {
    api.dashboardReady = ready;
    api.dashboardPort = page.getAddress().getPort();
  }

  private static String fetch(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void printsTheCurrentClustersDashboardUrlWhichAnswers() throws Exception {
    dashboardRuns(true);
    Result r = InProcessCli.run(api.env(), "dashboard", "-k");
    assertThat(r.code()).as(r.err()).isZero();
    String url = r.out().trim();
    assertThat(url).isEqualTo("http://127.0.0.1:" + page.getAddress().getPort() + "/");
    assertThat(fetch(url)).contains("Dapr dashboard");
  }

  @Test
  void openLaunchesTheBrowserOnTheUrlAndFailsClearlyWithoutOne() throws Exception {
    dashboardRuns(true);
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path opened = dir.resolve("opened");
    Path opener = Files.writeString(bin.resolve("xdg-open"), "#!/bin/sh\necho \"$1\" > '" + opened + "'\n");
    Files.setPosixFilePermissions(opener, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = new HashMap<>(api.env());
    env.put("PATH", bin.toString());
    Result r = InProcessCli.run(env, "dashboard", "--open");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readString(opened).trim()).isEqualTo(r.out().trim());

    env.put("PATH", Files.createDirectories(dir.resolve("empty")).toString());
    Result none = InProcessCli.run(env, "dashboard", "--open");
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.out().trim()).as("the URL is still printed").startsWith("http://127.0.0.1:");
    assertThat(none.err()).contains("no browser to open here").contains("xdg-open").contains("yourself");
  }

  @Test
  void portForwardsALocalPortToTheDashboardUntilInterrupted() throws Exception {
    dashboardRuns(true);
    int local;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      local = free.getLocalPort();
    }
    AtomicReference<Result> done = new AtomicReference<>();
    Thread t = new Thread(() -> done.set(InProcessCli.run(api.env(), "dashboard", "-p", "" + local)));
    t.start();
    try {
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
          .untilAsserted(() -> assertThat(fetch("http://127.0.0.1:" + local + "/")).contains("Dapr dashboard"));
    } finally {
      t.interrupt();
      t.join(10_000);
    }
    assertThat(done.get().out().trim()).isEqualTo("http://127.0.0.1:" + local + "/");
  }

  @Test
  void saysWhyWhenThereIsNoDashboardToOpen() {
    Result none = InProcessCli.run(api.env(), "dashboard");
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).contains("has no dapr-dashboard Service").contains("daprx get services -n dapr-system");

    dashboardRuns(false);
    Result notReady = InProcessCli.run(api.env(), "dashboard");
    assertThat(notReady.code()).isEqualTo(1);
    assertThat(notReady.err()).contains("not ready").contains("daprx get pods -n dapr-system -l app=dapr-dashboard");

    Result elsewhere = InProcessCli.run(api.env(), "dashboard", "-n", "shop");
    assertThat(elsewhere.code()).isEqualTo(1);
    assertThat(elsewhere.err()).contains("no Dapr control plane runs on cluster c1").contains("daprx k8s-extension create");

    assertThat(InProcessCli.run(api.env(), "dashboard", "-p", "70000").code()).as("a bad port is a usage error").isEqualTo(2);
  }

  @Test
  void aConnectedClusterSaysHowToForwardIt() {
    Result r = InProcessCli.run(api.env(), "dashboard", "-g", "rg", "-c", "edge", "-t", "connectedClusters");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("kubectl port-forward -n dapr-system svc/dapr-dashboard 8080:8080").contains("http://localhost:8080/");
  }

  @Test
  void serveIsTheComponentsSpellingWithItsFlags() {
    Result help = InProcessCli.run(api.env(), "dashboard", "serve", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("--manager-server-file").contains("--listen-address");
    // a rollout planned by an earlier server still spells it 'dashboard --mode ...'
    assertThat(Main.componentSpelling(new String[] {"dashboard", "--mode", "local", "--port", "1"}))
        .containsExactly("dashboard", "serve", "--mode", "local", "--port", "1");
    assertThat(Main.componentSpelling(new String[] {"dashboard", "-p", "9999"})).containsExactly("dashboard", "-p", "9999");
    // what this build's installs run is left as it is (a second 'serve' is an unmatched argument: exit 2)
    assertThat(Main.componentSpelling(new String[] {"dashboard", "serve", "--mode", "local"}))
        .containsExactly("dashboard", "serve", "--mode", "local");
  }
}
