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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One scheduler replica as a process of its own beside the local cluster, with mTLS and its identity
 * ({@code spiffe://cluster.local/ns/dapr-system/dapr-scheduler}) from the cluster's sentry: daprx's own
 * ({@code daprx scheduler}), while the cluster does not install one, or upstream's binary for comparison
 * ({@code -Ddaprx.interop.scheduler=upstream}).
 *
 * <p>What our sentry needs to sign that identity in standalone mode: a request for id {@code dapr-scheduler} in
 * namespace {@code dapr-system} with trust domain {@code cluster.local} and the INSECURE validator (both schedulers
 * read the namespace from {@code NAMESPACE}); standalone sentry accepts the identity asked for, and adds the three
 * replicas' DNS names that upstream's embedded etcd checks its peers by.
 */
final class StandaloneScheduler implements AutoCloseable {

  /** Which implementation runs. */
  enum Kind {
    OURS("daprx scheduler"), UPSTREAM("upstream scheduler");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  static final String REPLICA_ID = "dapr-scheduler-server-0";

  private final Kind kind;
  private final Process process;
  private final Path log;
  private final String address;

  private StandaloneScheduler(Kind kind, Process process, Path log, String address) {
    this.kind = kind;
    this.process = process;
    this.log = log;
    this.address = address;
  }

  static StandaloneScheduler start(Kind kind, InteropSettings settings, LocalCluster cluster, Path dir) {
    int port = Ports.free();
    int healthz = Ports.free();
    String address = "127.0.0.1:" + port;
    Path data = dir.resolve("scheduler");
    Path log = dir.resolve(kind == Kind.OURS ? "daprx-scheduler.log" : "upstream-scheduler.log");
    // the flags both take (upstream's names); --override-broadcast-host-port is what WatchHosts tells daprd to dial.
    // "--tls-enabled=true", not the bare flag: daprx's picocli option (default true, arity 0..1) turns a bare
    // --tls-enabled into false, so the scheduler served plaintext and daprd's TLS handshake failed.
    List<String> common = List.of("--mode", "standalone", "--listen-address", "127.0.0.1", "--port", "" + port,
        "--healthz-port", "" + healthz, "--metrics-port", "" + Ports.free(), "--tls-enabled=true",
        "--sentry-address", cluster.sentryAddress(), "--trust-anchors-file", cluster.trustAnchorsFile().toString(),
        "--trust-domain", LocalCluster.CONTROL_PLANE_TRUST_DOMAIN, "--id", REPLICA_ID, "--override-broadcast-host-port", address);
    List<String> cmd = new ArrayList<>();
    if (kind == Kind.OURS) {
      // the flags bin/daprx gives placement: a small, capped heap and SerialGC
      cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC", "-Xms16m",
          "-Xmx256m", "-XX:MaxMetaspaceSize=128m", "-jar", settings.daprxJar().toString(), "scheduler"));
      cmd.addAll(common);
      cmd.addAll(List.of("--log-level", "debug"));
    } else {
      cmd.add(settings.peersDir().resolve("scheduler").toString());
      cmd.addAll(common);
      cmd.addAll(List.of("--etcd-data-dir", data.resolve("etcd").toString(), "--etcd-client-port", "" + Ports.free(),
          "--etcd-initial-cluster", REPLICA_ID + "=http://127.0.0.1:" + Ports.free()));
    }
    Path token = cluster.schedulerTokenFile().orElseThrow(() -> new IllegalStateException("the cluster keeps no control-plane"
        + " token for dapr-scheduler (an install without the scheduler), so its sentry would refuse a standalone scheduler"
        + " that identity; install with global.scheduler.enabled=true"));
    if (kind == Kind.OURS) {
      cmd.addAll(List.of("--sentry-token-file", token.toString()));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("DAPR_") || k.equals("NAMESPACE"));
    // a control-plane identity: sentry signs dapr-scheduler only in the control-plane namespace, and on a local cluster
    // only with the token of the cluster's key that the management server keeps for its scheduler replicas — upstream's
    // binary reads it from DAPR_SENTRY_TOKEN_FILE (sent for the JWKS validator), ours from --sentry-token-file
    env.put("NAMESPACE", LocalCluster.CONTROL_PLANE_NAMESPACE);
    if (kind == Kind.UPSTREAM) {
      env.put("DAPR_SENTRY_TOKEN_FILE", token.toString());
    }
    StandaloneScheduler s;
    try {
      Files.createDirectories(data);
      s = new StandaloneScheduler(kind, pb.start(), log, address);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    await(kind.label + " healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!s.process.isAlive()) {
        throw new AssertionError(kind.label + " exited with " + s.process.exitValue() + ":\n"
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

  Kind kind() {
    return kind;
  }

  String address() {
    return address;
  }

  long pid() {
    return process.pid();
  }

  LogSource log() {
    return LogSource.file(kind.label, log);
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
