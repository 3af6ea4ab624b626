package io.daprx.operator.kubernetes;

import static io.daprx.operator.Events.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.common.dapr.ResourceKind;
import io.daprx.common.testing.TestClock;
import io.daprx.operator.Operator;
import io.daprx.operator.OperatorOptions;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes mode: an operator whose informers lost the API server for longer than the grace period says so on
 * {@code /healthz}, instead of serving sidecars a stale set as healthy (its own class: the test stops the mock server).
 */
@EnableKubernetesMockClient(crud = true)
class OperatorApiServerGoneTest {

  static KubernetesMockServer server;
  static KubernetesClient client;

  private Operator operator;
  private KubernetesClient noRetries;

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    if (noRetries != null) {
      noRetries.close();
    }
  }

  @Test
  void healthzFailsOnceTheWatchesHaveBeenDownForLongerThanTheGrace() throws Exception {
    for (ResourceKind k : ResourceKind.values()) {
      server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup(ResourceKind.GROUP)
          .withVersion(k.servedVersion()).withKind(k.kind()).withPlural(k.plural()).withScope("Namespaced").build());
    }
    TestClock clock = new TestClock(Instant.parse("2026-12-07T12:00:00Z"));
    // without request retries, so releasing the lease at close gives up at once when the server is gone
    noRetries = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
        .withRequestRetryBackoffLimit(0).build()).build();
    operator = new Operator(OperatorOptions.kubernetes().withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withTls(false, null, null).withId("dapr-operator-0").withSentryTokenFile(null), clock, noRetries, null).start();
    // ready once every informer has listed and been seen watching: a watch not up yet counts from the start
    waiting().until(() -> {
      clock.advance(Duration.ofMinutes(2));
      return operator.ready();
    });

    // followed watches stay healthy however long nothing changes
    clock.advance(Duration.ofHours(1));
    assertThat(operator.ready()).isTrue();
    assertThat(healthz()).isEqualTo(204);

    server.destroy();
    // fabric8 keeps re-watching; each poll moves the clock past the grace since a watch was last seen up
    waiting().until(() -> {
      clock.advance(CrdInformers.WATCH_GRACE.plusSeconds(1));
      return !operator.ready();
    });
    assertThat(healthz()).isEqualTo(503);
  }

  private int healthz() throws Exception {
    HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + operator.healthzPort() + "/healthz")).build(), HttpResponse.BodyHandlers.discarding());
    return r.statusCode();
  }
}
