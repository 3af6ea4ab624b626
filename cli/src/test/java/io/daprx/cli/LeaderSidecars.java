package io.daprx.cli;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SidecarChannels;
import io.daprx.placement.sim.SidecarFleet;
import io.daprx.placement.sim.SidecarSpec;
import io.daprx.placement.sim.SimulatedSidecar;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Simulated sidecars ({@code io.daprx.placement.sim}) on a local cluster's placement, with SVIDs from its sentry: each
 * goes round the replicas until the leader keeps its stream and sends a table, as daprd does.
 */
final class LeaderSidecars implements AutoCloseable {

  /** A sidecar connected to the replica that leads. */
  record Connected(SimulatedSidecar sidecar, String replica) {}

  private final DaprxCli cli;
  private final String sentryAddress;
  private final List<X509Certificate> anchors;
  private final List<SidecarFleet> fleets = new ArrayList<>();

  LeaderSidecars(DaprxCli cli, String sentryAddress, List<X509Certificate> anchors) {
    this.cli = cli;
    this.sentryAddress = sentryAddress;
    this.anchors = anchors;
  }

  /** Placement replicas by name, as {@code daprx get pods -o json} shows them (ports, pid, restarts). */
  Map<String, JsonNode> placementPods() {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (JsonNode p : cli.pods()) {
      if (p.path("name").asText().startsWith("dapr-placement-server-")) {
        out.put(p.path("name").asText(), p);
      }
    }
    return out;
  }

  /** Connects to each ready replica in turn; null when none keeps the stream (no leader yet). */
  Connected tryConnect(SidecarSpec spec) {
    for (Map.Entry<String, JsonNode> e : placementPods().entrySet()) {
      JsonNode pod = e.getValue();
      if (!"1/1".equals(pod.path("ready").asText())) {
        continue;
      }
      String address = "127.0.0.1:" + pod.path("ports").path("grpc").asInt();
      SidecarFleet fleet = new SidecarFleet(SidecarChannels.mtls(address, SpiffeId.of("cluster.local", "dapr-system", "dapr-placement"),
          sentryAddress, SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry"), anchors, KeyAlgorithm.ED25519, Clock.systemUTC()));
      fleets.add(fleet);
      SimulatedSidecar s = fleet.connect(spec);
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> !s.isOpen() || s.table() != null);
      } catch (org.awaitility.core.ConditionTimeoutException timedOut) {
        continue;
      }
      if (s.isOpen() && s.table() != null) {
        return new Connected(s, e.getKey());
      }
    }
    return null;
  }

  /** Connects to the leader, waiting up to 30 s for one (an election may be under way). */
  Connected connect(SidecarSpec spec) {
    return await().atMost(Duration.ofSeconds(30)).until(() -> tryConnect(spec), Objects::nonNull);
  }

  @Override
  public void close() {
    fleets.forEach(SidecarFleet::close);
  }
}
