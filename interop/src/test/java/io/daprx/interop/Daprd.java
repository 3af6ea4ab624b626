package io.daprx.interop;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One real daprd process: its command line and environment exactly as given, its output in a log file, the ports a
 * test talks to. {@link Interop#sidecar} builds the usual standalone command line against the local cluster; the
 * injector scenario starts one with the arguments our injector wrote.
 */
public final class Daprd implements AutoCloseable {

  /**
   * @param name a label for logs and failure reports
   * @param httpPort daprd's HTTP API ({@code --dapr-http-port})
   * @param healthPort where {@code /v1.0/healthz} is served to probes ({@code --dapr-public-port}, else the HTTP port)
   * @param internalPort daprd's internal gRPC ({@code --dapr-internal-grpc-port}): the "ip:port" it reports to placement
   */
  public record Spec(String name, List<String> args, Map<String, String> env, int httpPort, int healthPort, int internalPort) {}

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Spec spec;
  private final Path log;
  private final Process process;

  private Daprd(Spec spec, Path log, Process process) {
    this.spec = spec;
    this.log = log;
    this.process = process;
  }

  /** Starts {@code binary} with the spec's arguments and only the spec's environment (plus PATH, HOME and TMPDIR). */
  public static Daprd start(Path binary, Spec spec, Path log) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(spec.args());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Map<String, String> env = pb.environment();
    Map<String, String> keep = new LinkedHashMap<>();
    for (String k : List.of("PATH", "HOME", "TMPDIR")) {
      if (env.containsKey(k)) {
        keep.put(k, env.get(k));
      }
    }
    // nothing of the test JVM's environment (a stray NAMESPACE or DAPR_* would change what daprd does)
    env.clear();
    env.putAll(keep);
    env.putAll(spec.env());
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(log, "");
      return new Daprd(spec, log, pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String name() {
    return spec.name();
  }

  Spec spec() {
    return spec;
  }

  int httpPort() {
    return spec.httpPort();
  }

  int internalPort() {
    return spec.internalPort();
  }

  /** The value of a flag on its command line ({@code --dapr-grpc-port} for an SDK client, say). */
  String arg(String flag) {
    int i = spec.args().indexOf(flag);
    if (i < 0 || i + 1 >= spec.args().size()) {
      throw new IllegalArgumentException(spec.name() + " has no " + flag + ": " + spec.args());
    }
    return spec.args().get(i + 1);
  }

  Path logFile() {
    return log;
  }

  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  LogSource logSource() {
    return LogSource.file("daprd " + spec.name(), log);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code, or null while it runs. */
  Integer exitCode() {
    return process.isAlive() ? null : process.exitValue();
  }

  /** The status of {@code GET /v1.0/healthz} on the probe port, or -1 when nothing answers. */
  public int healthz() {
    return status(spec.healthPort(), "/v1.0/healthz");
  }

  /** Waits until healthz answers 204, failing at once if daprd exits. */
  public Daprd awaitHealthy(Duration atMost) {
    await(spec.name() + " healthz 204").atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
      if (!isAlive()) {
        throw new AssertionError("daprd " + spec.name() + " exited with " + process.exitValue() + " before it was healthy");
      }
      return healthz() == 204;
    });
    return this;
  }

  /** {@code GET /v1.0/metadata}. */
  public JsonNode metadata() {
    HttpResponse<String> r = call("GET", spec.httpPort(), "/v1.0/metadata", null, Duration.ofSeconds(5));
    try {
      return DaprxCli.JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("metadata of " + spec.name() + " is not JSON: " + r.body(), e);
    }
  }

  int status(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A request to this daprd's HTTP API ({@code body} null = none). */
  HttpResponse<String> call(String method, String path, String body, Duration timeout) {
    return call(method, spec.httpPort(), path, body, timeout);
  }

  private static HttpResponse<String> call(String method, int port, String path, String body, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " on 127.0.0.1:" + port + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Asynchronously, for many calls at once. */
  java.util.concurrent.CompletableFuture<HttpResponse<String>> callAsync(String method, String path, String body, Duration timeout) {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + spec.httpPort() + path)).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
    return HTTP.sendAsync(r, HttpResponse.BodyHandlers.ofString());
  }

  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
