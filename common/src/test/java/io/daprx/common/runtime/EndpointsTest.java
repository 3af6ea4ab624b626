package io.daprx.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The components' /healthz and /metrics server, over real sockets on loopback. */
class EndpointsTest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void healthzAnswersWhatReadinessSaysMetricsAreScrapedAndOwnRoutesServed() throws Exception {
    Readiness readiness = new Readiness();
    readiness.declare("grpc");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("probe_calls").register(registry).increment();
    int[] asked = {0};
    try (Endpoints e = new Endpoints("127.0.0.1", 0, 0, readiness, registry, () -> asked[0]++,
        Map.of("/state", () -> Endpoints.Response.json(200, "{\"ok\":true}")))) {
      HttpResponse<String> notReady = get(e.healthzPort(), "/healthz");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).isEqualTo("{\"grpc\":false}");
      assertThat(notReady.headers().firstValue("Content-Type")).hasValue("application/json");
      readiness.set("grpc", true);
      assertThat(get(e.healthzPort(), "/healthz").statusCode()).isEqualTo(204);
      assertThat(asked[0]).as("the component's own check runs before each answer").isEqualTo(2);

      assertThat(e.metricsPort()).as("two ports when both are 0").isNotEqualTo(e.healthzPort());
      HttpResponse<String> metrics = get(e.metricsPort(), "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(metrics.body()).contains("probe_calls_total 1.0");
      assertThat(get(e.healthzPort(), "/metrics").statusCode()).as("metrics on their own port only").isEqualTo(404);
      assertThat(get(e.healthzPort(), "/state").body()).isEqualTo("{\"ok\":true}");
      assertThat(get(e.healthzPort(), "/healthz/extra").statusCode()).as("paths match whole").isEqualTo(404);
    }
  }

  @Test
  void onlyGetAndHeadAreAnsweredAndAFailingRouteIs500WithoutItsDetails() throws Exception {
    Readiness readiness = new Readiness();
    readiness.declare("grpc");
    readiness.set("grpc", true);
    try (Endpoints e = new Endpoints("127.0.0.1", 0, -1, readiness, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        () -> { }, Map.of("/boom", () -> {
          throw new IllegalStateException("secret detail");
        }))) {
      assertThat(e.metricsPort()).isEqualTo(-1);
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(e.healthzPort(), "/healthz"))
          .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1_000))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
      // a body past what the JDK server drains (64 kB) is never read: the answer is 405, or the connection is closed
      // under the client still sending (its reset can reach the client before the 405 does); either way the next
      // probe is answered
      try {
        assertThat(http.send(HttpRequest.newBuilder(uri(e.healthzPort(), "/healthz"))
            .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1_000_000))).build(), HttpResponse.BodyHandlers.ofString())
            .statusCode()).isEqualTo(405);
      } catch (java.io.IOException closed) {
        // the connection closed before the 405 was read
      }
      assertThat(get(e.healthzPort(), "/healthz").statusCode()).isEqualTo(204);
      HttpResponse<String> head = http.send(HttpRequest.newBuilder(uri(e.healthzPort(), "/healthz"))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(head.statusCode()).isEqualTo(204);
      HttpResponse<String> boom = get(e.healthzPort(), "/boom");
      assertThat(boom.statusCode()).isEqualTo(500);
      assertThat(boom.body()).doesNotContain("secret detail");
    }
  }

  @Test
  void clientsThatNeverFinishTheirRequestAreCutOffAndProbesAreAnsweredAgain() throws Exception {
    Readiness readiness = new Readiness();
    readiness.declare("grpc");
    readiness.set("grpc", true);
    List<Socket> slow = new ArrayList<>();
    try (Endpoints e = new Endpoints("127.0.0.1", 0, -1, readiness, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      // more trickling clients than handler threads: each sends the start of a request and nothing more
      for (int i = 0; i < Endpoints.MAX_THREADS + 4; i++) {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), e.healthzPort());
        OutputStream out = s.getOutputStream();
        out.write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        slow.add(s);
      }
      // the deadline closes each of them; then a probe is answered as before
      for (Socket s : slow) {
        s.setSoTimeout((Endpoints.DEADLINE_SECONDS + 10) * 1000);
        try (InputStream in = s.getInputStream()) {
          assertThat(in.readAllBytes()).as("closed without an answer").isEmpty();
        } catch (java.net.SocketException reset) {
          // closed by a reset: as good
        }
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> get(e.healthzPort(), "/healthz").statusCode() == 204);
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
