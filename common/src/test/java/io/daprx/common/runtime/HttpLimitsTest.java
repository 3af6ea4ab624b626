package io.daprx.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

class HttpLimitsTest {

  @Test
  void aPoolIsSaturatedWhileEveryThreadIsTakenAndWorkWaits() throws Exception {
    QueuedThreadPool pool = new HttpLimits(4, 16, Duration.ofSeconds(1), 1, 1).threadPool("test");
    pool.start();
    CountDownLatch release = new CountDownLatch(1);
    try {
      assertThat(HttpLimits.saturated(pool)).isFalse();
      for (int i = 0; i < 6; i++) {
        pool.execute(() -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> HttpLimits.saturated(pool));
      release.countDown();
      await().atMost(Duration.ofSeconds(5)).until(() -> !HttpLimits.saturated(pool));
    } finally {
      release.countDown();
      pool.stop();
    }
  }

  @Test
  void aLiveCheckThatFailsMakesHealthzAnswer503NamingIt() throws Exception {
    Readiness readiness = new Readiness();
    readiness.declare("http");
    readiness.set("http", true);
    boolean[] saturated = {true};
    readiness.watch("http-capacity", () -> !saturated[0]);
    try (Endpoints e = new Endpoints("127.0.0.1", 0, -1, readiness, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> busy = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + e.healthzPort() + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(busy.statusCode()).isEqualTo(503);
      assertThat(busy.body()).contains("\"http-capacity\":false");
      saturated[0] = false;
      assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + e.healthzPort() + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(204);
    }
  }
}
