package io.daprx.interop;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Upstream's scheduler (built by {@code bin/build-peers}) as one standalone replica with mTLS, its identity
 * ({@code dapr-scheduler} in the control-plane namespace) from the local cluster's sentry: what daprd talks to when the
 * suite runs with {@code -Ddaprx.interop.scheduler=upstream}, until daprx has a scheduler of its own.
 */
final class UpstreamScheduler implements AutoCloseable {

  private final Process process;
  private final Path log;
  private final String address;

  private UpstreamScheduler(Process process, Path log, String address) {
    this.process = process;
    this.log = log;
    this.address = address;
  }

  static UpstreamScheduler start(InteropSettings settings, LocalCluster cluster, Path dir) {
    int port = Ports.free();
    int healthz = Ports.free();
    String address = "127.0.0.1:" + port;
    Path data = dir.resolve("scheduler");
    Path log = dir.resolve("scheduler.log");
    List<String> cmd = List.of(settings.peersDir().resolve("scheduler").toString(), "--mode", "standalone",
        "--listen-address", "127.0.0.1", "--port", "" + port, "--healthz-port", "" + healthz, "--metrics-port", "" + Ports.free(),
        "--tls-enabled", "--sentry-address", cluster.sentryAddress(), "--trust-anchors-file", cluster.trustAnchorsFile().toString(),
        "--trust-domain", LocalCluster.CONTROL_PLANE_TRUST_DOMAIN, "--id", "dapr-scheduler-server-0",
        "--etcd-data-dir", data.resolve("etcd").toString(), "--etcd-client-port", "" + Ports.free(),
        "--etcd-initial-cluster", "dapr-scheduler-server-0=http://127.0.0.1:" + Ports.free(),
        // what WatchHosts tells daprd to dial
        "--override-broadcast-host-port", address);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("DAPR_") || k.equals("NAMESPACE"));
    // a control-plane identity: sentry signs dapr-scheduler only in the control-plane namespace
    env.put("NAMESPACE", LocalCluster.CONTROL_PLANE_NAMESPACE);
    UpstreamScheduler s;
    try {
      Files.createDirectories(data);
      s = new UpstreamScheduler(pb.start(), log, address);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    await("upstream scheduler healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!s.process.isAlive()) {
        throw new AssertionError("upstream scheduler exited with " + s.process.exitValue() + ":\n"
            + String.join("\n", LogSource.tail(log, 8192)));
      }
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthz + "/healthz")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() / 100 == 2;
      } catch (IOException e) {
        return false;
      }
    });
    return s;
  }

  String address() {
    return address;
  }

  LogSource log() {
    return LogSource.file("upstream scheduler", log);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
