package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar started as its own process through the launcher, as a user starts it. */
class SentryProcessIT {

  @TempDir
  Path tmp;

  private Process process;

  @AfterEach
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Path launcher() {
    Path p = Path.of("..", "bin", "daprx").toAbsolutePath().normalize();
    assertThat(p).exists();
    return p;
  }

  @Test
  void sentryProcessIssuesCertificatesLogsJsonAndStopsCleanly() throws Exception {
    int port = freePort();
    int healthz = freePort();
    int metrics = freePort();
    Path creds = tmp.resolve("creds");
    Path log = tmp.resolve("sentry.log");
    ProcessBuilder pb = new ProcessBuilder(launcher().toString(), "sentry", "--issuer-credentials", creds.toString(),
        "--port", "" + port, "--healthz-port", "" + healthz, "--metrics-port", "" + metrics, "--listen-address", "127.0.0.1",
        "--log-as-json")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("DAPRX_JAR", Path.of("target", "daprx.jar").toAbsolutePath().toString());
    process = pb.start();

    HttpClient http = HttpClient.newHttpClient();
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthz + "/healthz")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode() == 204);

    try (SvidClient client = SvidClient.connect(new SvidClient.Options("127.0.0.1:" + port,
        SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry"), "myapp", "default", "", TokenValidator.INSECURE, null,
        KeyAlgorithm.ED25519, Duration.ofSeconds(3), 5), Pem.parseCertificates(Files.readString(creds.resolve("ca.crt"))),
        Clock.systemUTC()).start()) {
      assertThat(client.current().id()).isEqualTo(SpiffeId.of("public", "default", "myapp"));
    }

    process.destroy(); // SIGTERM
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isIn(0, 143);

    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      lines.add(json.readTree(line)); // every line is JSON
    }
    assertThat(lines).anySatisfy(n -> assertThat(n.path("formattedMessage").asText()).contains("serving on port " + port));
    assertThat(lines).noneSatisfy(n -> assertThat(n.toString()).contains("PRIVATE KEY"));
  }

  @Test
  void launcherSaysHowToBuildWhenTheJarIsMissing() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(launcher().toString(), "--version").redirectErrorStream(true);
    pb.environment().put("DAPRX_JAR", tmp.resolve("nope.jar").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(127);
    assertThat(out).contains("is not built yet").contains("./mvnw -q -B -DskipTests package");
  }
}
