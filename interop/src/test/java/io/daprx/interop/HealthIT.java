package io.daprx.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Health: a real daprd given every address of our control plane (sentry, placement, the operator's {@code dapr-api},
 * the scheduler when there is one) is healthy, and one hosting actors is a ready placement host.
 */
@InteropScenario
@Order(1)
class HealthIT {

  static final String ACTOR_TYPE = "HealthT";
  static Interop interop;
  static Daprd plain;
  static Daprd actorHost;

  @BeforeAll
  static void start(Interop fixture) {
    interop = fixture;
    plain = interop.sidecar(interop.appId("health-plain")).app(TestApp.plain("health-plain")).start();
    actorHost = interop.sidecar(interop.appId("health-actors")).app(TestApp.actors("health-actors", ACTOR_TYPE)).actorStateStore().start();
  }

  @AfterAll
  static void stop() {
    plain.close();
    actorHost.close();
  }

  @Test
  void everySidecarIsHealthyWithEveryControlPlaneAddressConfigured() {
    for (Daprd d : List.of(plain, actorHost)) {
      assertThat(d.spec().args()).contains("--enable-mtls", "--sentry-address", "--placement-host-address", "--control-plane-address");
      long start = System.nanoTime();
      d.awaitHealthy(Duration.ofSeconds(60));
      interop.record("health: healthz 204, " + (d == plain ? "plain sidecar" : "actor host") + ", waited",
          Interop.seconds(Duration.ofNanos(System.nanoTime() - start)));
      assertThat(d.status(d.httpPort(), "/v1.0/healthz")).as("healthz on the API port").isEqualTo(204);
      assertThat(d.status(d.httpPort(), "/v1.0/healthz/outbound")).as("outbound healthz").isEqualTo(204);
    }
    if (interop.schedulerAddress().isEmpty()) {
      // daprd 1.18 without --scheduler-host-address (nor DAPR_SCHEDULER_HOST_ADDRESS_DNS_A) does not look for one
      assertThat(plain.logText()).contains("No scheduler host addresses provided. Scheduler disabled");
    } else {
      // healthz waits for the scheduler's WatchHosts; this is the answer it got
      assertThat(plain.logText()).contains("Connected and received scheduler hosts addresses");
    }
  }

  @Test
  void bothSidecarsAreConnectedToOurPlacementAndTheActorHostIsReady() {
    await("both sidecars connected to placement").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      for (Daprd d : List.of(plain, actorHost)) {
        assertThat(d.metadata().path("actorRuntime").path("placement").asText()).as(d.name()).isEqualTo("placement: connected");
      }
      JsonNode runtime = actorHost.metadata().path("actorRuntime");
      assertThat(runtime.path("hostReady").asBoolean()).as("actor host ready: %s", runtime).isTrue();
      assertThat(runtime.path("activeActors").findValuesAsText("type")).contains(ACTOR_TYPE);
    });
    // the leader's table has the actor host, under the name daprd reported ("ip:internal-port")
    await("the leader's table has the actor host").atMost(Duration.ofSeconds(30)).until(() ->
        interop.cluster().placementHosts(Interop.NAMESPACE, ACTOR_TYPE).stream().anyMatch(h -> h.endsWith(":" + actorHost.internalPort())));
  }
}
