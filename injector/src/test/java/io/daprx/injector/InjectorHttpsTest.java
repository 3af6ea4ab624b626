package io.daprx.injector;

import static io.daprx.injector.webhook.Reviews.DEPLOYMENT_CONTROLLER;
import static io.daprx.injector.webhook.Reviews.bytes;
import static io.daprx.injector.webhook.Reviews.review;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.common.pki.Pem;
import io.daprx.injector.patch.Pods;
import io.daprx.injector.webhook.InjectorMetrics.Result;
import io.daprx.sentry.Sentry;
import io.daprx.sentry.SentryOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook end to end on loopback: a real sentry issues the serving certificate, HTTPS as the API server speaks it. */
class InjectorHttpsTest {

  static final String SERVICE = "dapr-sidecar-injector.dapr-system.svc";

  @TempDir
  static Path creds;

  static Sentry sentry;
  static Injector injector;
  static List<X509Certificate> anchors;
  static TlsClient client;

  @BeforeAll
  static void start() throws Exception {
    sentry = new Sentry(SentryOptions.defaults(creds).withPorts(0, 0, 0).withListenAddress("127.0.0.1"), Clock.systemUTC()).start();
    injector = new Injector(InjectorOptions.defaults(io.daprx.injector.patch.Pods.IMAGE).withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withSentry("127.0.0.1:" + sentry.port(), creds.resolve("ca.crt")), Clock.systemUTC()).start();
    anchors = Pem.parseCertificates(Files.readString(creds.resolve("ca.crt")));
    client = new TlsClient(anchors, SERVICE, injector.port());
  }

  @AfterAll
  static void stop() {
    if (injector != null) {
      injector.close();
    }
    if (sentry != null) {
      sentry.close();
    }
  }

  @Test
  void servingCertificateIsSentryIssuedForTheServiceName() throws Exception {
    TlsClient.Response r = client.request("GET", "/mutate", null);
    List<String> sans = new ArrayList<>();
    for (List<?> san : r.peer().getSubjectAlternativeNames()) {
      sans.add(san.get(0) + "=" + san.get(1));
    }
    assertThat(sans).contains("2=" + SERVICE, "6=spiffe://cluster.local/ns/dapr-system/dapr-injector");
    assertThat(injector.sidecarSettings().trustAnchorsPem()).isEqualTo(Files.readString(creds.resolve("ca.crt")));
  }

  @Test
  void clientCheckingAnotherHostnameRefusesTheCertificate() throws Exception {
    TlsClient wrong = new TlsClient(anchors, "evil.example.com", injector.port());
    assertThatThrownBy(() -> wrong.post(new byte[0])).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void admissionReviewOverHttpsIsPatched() throws Exception {
    TlsClient.Response r = client.post(bytes(review("uid-1", Pods.deploymentPod(), "shop", DEPLOYMENT_CONTROLLER)));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers()).containsIgnoringCase("Content-Type: application/json");
    JsonNode resp = Pods.JSON.readTree(r.body()).path("response");
    assertThat(resp.path("uid").asText()).isEqualTo("uid-1");
    JsonNode pod = Pods.apply(Pods.JSON.readTree(Base64.getDecoder().decode(resp.path("patch").asText())), Pods.deploymentPod());
    JsonNode daprd = pod.path("spec").path("containers").get(2);
    assertThat(daprd.path("name").asText()).isEqualTo("daprd");
    assertThat(daprd.path("env").toString()).as("the anchors sentry signs with reach the sidecar")
        .contains(Pods.JSON.writeValueAsString(Files.readString(creds.resolve("ca.crt"))));
  }

  @Test
  void badBodiesGet400AndTheServerKeepsAnswering() throws Exception {
    TlsClient.Response notJson = client.post("{not json".getBytes(StandardCharsets.UTF_8));
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.text()).startsWith("the body is not JSON");
    TlsClient.Response wrongKind = client.post("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(wrongKind.status()).isEqualTo(400);
    assertThat(wrongKind.text()).contains("expected kind AdmissionReview");
    byte[] huge = new byte[10 * 1024 * 1024];
    java.util.Arrays.fill(huge, (byte) ' ');
    TlsClient.Response tooBig = client.post(huge);
    assertThat(tooBig.status()).isEqualTo(400);
    assertThat(tooBig.text()).contains("over the limit");
    TlsClient.Response get = client.request("GET", "/mutate", null);
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.headers()).contains("Allow: POST");
    assertThat(client.request("POST", "/other", new byte[0]).status()).isEqualTo(404);

    TlsClient.Response ok = client.post(bytes(review("uid-2", Pods.barePod("w"), "default", DEPLOYMENT_CONTROLLER)));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(injector.metrics().count(Result.BAD_REQUEST)).as("not JSON, wrong kind, too large").isGreaterThanOrEqualTo(3);
  }

  @Test
  void healthzAndMetricsAreServed() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + injector.healthzPort() + "/healthz"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(204);
    client.post(bytes(review("uid-3", Pods.barePod("m"), "default", DEPLOYMENT_CONTROLLER)));
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + injector.metricsPort() + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).contains("daprx_injector_admissions_total{result=\"patched\"}")
        .contains("daprx_injector_admission_duration_seconds_count");
  }
}
