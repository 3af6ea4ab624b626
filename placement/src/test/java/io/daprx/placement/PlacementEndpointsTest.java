package io.daprx.placement;

import static io.daprx.placement.DisseminationProtocolTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.daprx.common.placement.HashRing;
import io.daprx.common.placement.PlacementLookup;
import io.daprx.common.svid.SidecarChannels;
import io.daprx.placement.sim.SidecarFleet;
import io.daprx.placement.sim.SidecarSpec;
import io.daprx.proto.placement.v1.StatePlacementTables;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Placement on real ports in plaintext: health, metrics and the state API that lookups read. */
class PlacementEndpointsTest {

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static PlacementOptions options(boolean metadata) {
    return PlacementOptions.defaults().withTls(false, null, null).withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withMetadataEnabled(metadata);
  }

  @Test
  void stateApiServesTheTablesAsJsonAndLookupsAgreeWithTheRing() throws Exception {
    try (Placement p = new Placement(options(true), Clock.systemUTC()).start();
        SidecarFleet fleet = new SidecarFleet(SidecarChannels.plaintext("127.0.0.1:" + p.port(), 2, false))) {
      for (int i = 1; i <= 4; i++) {
        fleet.connect(SidecarSpec.of("10.0.0." + i + ":50002", "app" + i, "default", "Cart"));
      }
      fleet.connect(SidecarSpec.of("10.0.0.9:50002", "caller", "default"));
      waiting().until(() -> fleet.converged("default"));

      assertThat(get(p.healthzPort(), "/healthz").statusCode()).isEqualTo(204);
      HttpResponse<String> state = get(p.healthzPort(), "/placement/state");
      assertThat(state.statusCode()).isEqualTo(200);
      assertThat(state.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
      StatePlacementTables.Builder parsed = StatePlacementTables.newBuilder();
      JsonFormat.parser().merge(state.body(), parsed);
      assertThat(parsed.getTablesOrThrow("default").getHostsCount()).isEqualTo(4);

      HashRing ring = HashRing.of(List.of("10.0.0.1:50002", "10.0.0.2:50002", "10.0.0.3:50002", "10.0.0.4:50002"), 100);
      for (int a = 0; a < 200; a++) {
        PlacementLookup.Owner owner = PlacementLookup.lookup(parsed.build(), "default", "Cart", "cart-" + a, 100);
        assertThat(owner.host().getName()).isEqualTo(ring.lookup("cart-" + a));
        assertThat(owner.host().getId()).isEqualTo("app" + owner.host().getName().charAt(7));
      }

      HttpResponse<String> metrics = get(p.metricsPort(), "/metrics");
      assertThat(metrics.body()).contains("dapr_placement_runtimes{host_namespace=\"default\"} 5.0")
          .contains("dapr_placement_leader_status 1.0");
    }
  }

  @Test
  void stateApiIsOffUnlessMetadataIsEnabled() throws Exception {
    try (Placement p = new Placement(options(false), Clock.systemUTC()).start()) {
      assertThat(get(p.healthzPort(), "/placement/state").statusCode()).isEqualTo(404);
    }
  }
}
