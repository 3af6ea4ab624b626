package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daprx.common.pki.Pem;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code daprx sentry} and {@code daprx injector} as processes: the injector's certificate comes from the sentry. */
class InjectorProcessIT {

  static final String SERVICE = "dapr-sidecar-injector.dapr-system.svc";

  @TempDir
  Path tmp;

  private Process sentry;
  private Process injector;

  @AfterEach
  void stop() throws Exception {
    for (Process p : new Process[] {injector, sentry}) {
      if (p != null && p.isAlive()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  Process start(String log, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(SentryProcessIT.launcher().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(log).toFile());
    pb.environment().put("DAPRX_JAR", Path.of("target", "daprx.jar").toAbsolutePath().toString());
    return pb.start();
  }

  static void awaitHealthy(int port) {
    HttpClient http = HttpClient.newHttpClient();
    await().atMost(Duration.ofSeconds(40)).ignoreExceptions().until(() -> http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode() == 204);
  }

  @Test
  void injectorServesWithASentryCertificateAndStopsOnSigterm() throws Exception {
    int sentryPort = SentryProcessIT.freePort();
    int sentryHealthz = SentryProcessIT.freePort();
    Path creds = tmp.resolve("creds");
    sentry = start("sentry.log", "sentry", "--issuer-credentials", creds.toString(), "--port", "" + sentryPort,
        "--healthz-port", "" + sentryHealthz, "--metrics-port", "" + SentryProcessIT.freePort(), "--listen-address", "127.0.0.1");
    awaitHealthy(sentryHealthz);

    int port = SentryProcessIT.freePort();
    int healthz = SentryProcessIT.freePort();
    injector = start("injector.log", "injector", "--port", "" + port, "--healthz-port", "" + healthz, "--metrics-port",
        "" + SentryProcessIT.freePort(), "--listen-address", "127.0.0.1", "--sentry-address", "127.0.0.1:" + sentryPort,
        "--trust-anchors-file", creds.resolve("ca.crt").toString(), "--sidecar-image", "example.com/daprd:test");
    awaitHealthy(healthz);

    String pod = "{\"metadata\":{\"name\":\"web-0\",\"annotations\":{\"dapr.io/enabled\":\"true\",\"dapr.io/app-port\":\"80\"}},"
        + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}}";
    String review = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"it-1\","
        + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"namespace\":\"default\",\"operation\":\"CREATE\","
        + "\"userInfo\":{\"username\":\"system:serviceaccount:kube-system:statefulset-controller\"},\"object\":" + pod + "}}";
    List<X509Certificate> anchors = Pem.parseCertificates(Files.readString(creds.resolve("ca.crt")));
    String answer = post(anchors, port, review);
    JsonNode resp = new ObjectMapper().readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).path("response");
    assertThat(resp.path("uid").asText()).isEqualTo("it-1");
    String patch = new String(Base64.getDecoder().decode(resp.path("patch").asText()), StandardCharsets.UTF_8);
    assertThat(patch).contains("\"image\":\"example.com/daprd:test\"", "\"--app-port\",\"80\"", "\"--app-id\",\"web-0\"");

    injector.destroy(); // SIGTERM
    assertThat(injector.waitFor(15, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    assertThat(Files.readString(tmp.resolve("injector.log"))).contains("injector serving POST /mutate")
        .doesNotContain("ERROR");
  }

  /** One HTTPS request to 127.0.0.1, the certificate checked for the Service name the API server uses. */
  static String post(List<X509Certificate> anchors, int port, String body) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    for (int i = 0; i < anchors.size(); i++) {
      ks.setCertificateEntry("a" + i, anchors.get(i));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      p.setServerNames(List.of(new SNIHostName(SERVICE)));
      s.setSSLParameters(p);
      s.setSoTimeout(20_000);
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = s.getOutputStream();
      out.write(("POST /mutate HTTP/1.1\r\nHost: " + SERVICE + "\r\nContent-Type: application/json\r\nConnection: close\r\n"
          + "Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
