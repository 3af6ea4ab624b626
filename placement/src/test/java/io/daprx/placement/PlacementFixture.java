package io.daprx.placement;

import io.daprx.placement.leader.Leadership;
import io.daprx.common.svid.SidecarChannels;
import io.daprx.placement.sim.SidecarFleet;
import io.daprx.placement.sim.SidecarSpec;
import io.daprx.placement.sim.SimulatedSidecar;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A plaintext placement on the in-process transport with simulated sidecars, for protocol tests: real gRPC calls,
 * marshalling and flow control, without ports.
 */
final class PlacementFixture implements AutoCloseable {

  final String name = "placement-" + UUID.randomUUID();
  final Placement placement;
  final SidecarFleet fleet;

  PlacementFixture(Duration disseminateTimeout, Leadership leadership) {
    PlacementOptions options = PlacementOptions.defaults().withTls(false, null, null).withPorts(0, 0, 0)
        .withListenAddress("127.0.0.1").withDisseminateTimeout(disseminateTimeout).withMetadataEnabled(true);
    placement = new Placement(options, Clock.systemUTC(), o -> leadership,
        creds -> InProcessServerBuilder.forName(name)).start();
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      channels.add(InProcessChannelBuilder.forName(name).build());
    }
    fleet = new SidecarFleet(SidecarChannels.shared(channels));
  }

  PlacementFixture(Duration disseminateTimeout) {
    this(disseminateTimeout, new io.daprx.placement.leader.SingleNodeLeadership());
  }

  SimulatedSidecar connect(String name, String ns, String... actorTypes) {
    return create(name, ns, actorTypes).connect();
  }

  /** A sidecar not connected yet, e.g. to make it misbehave from its first order. */
  SimulatedSidecar create(String name, String ns, String... actorTypes) {
    return fleet.create(SidecarSpec.of(name, "app-" + name.replace(':', '-'), ns, actorTypes));
  }

  @Override
  public void close() {
    fleet.close();
    placement.close();
  }
}
