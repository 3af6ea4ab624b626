package io.daprx.placement;

import static io.daprx.placement.DisseminationProtocolTest.awaitVersion;
import static io.daprx.placement.DisseminationProtocolTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SidecarChannels;
import io.daprx.placement.sim.SidecarFleet;
import io.daprx.placement.sim.SidecarSpec;
import io.daprx.placement.sim.SimulatedSidecar;
import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.HostOperation;
import io.daprx.sentry.Sentry;
import io.daprx.sentry.SentryOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Placement with mTLS on real loopback ports: its SVID from a real sentry, sidecars with SVIDs of their own, and
 * every report checked against the sender's SPIFFE ID.
 */
class PlacementMtlsTest {

  @TempDir
  static Path creds;

  private static Sentry sentry;
  private static Placement placement;
  private static SidecarFleet fleet; // Ed25519 keys, as daprd 1.18
  private static SidecarFleet p256Fleet; // P-256 keys, as daprd 1.17

  @BeforeAll
  static void start() throws Exception {
    sentry = new Sentry(SentryOptions.defaults(creds).withPorts(0, 0, 0).withListenAddress("127.0.0.1"), Clock.systemUTC()).start();
    PlacementOptions options = PlacementOptions.defaults().withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withTls(true, "127.0.0.1:" + sentry.port(), creds.resolve("ca.crt"));
    placement = new Placement(options, Clock.systemUTC()).start();
    List<X509Certificate> anchors = Pem.parseCertificates(Files.readString(creds.resolve("ca.crt")));
    fleet = new SidecarFleet(SidecarChannels.mtls("127.0.0.1:" + placement.port(), placement.spiffeId(),
        "127.0.0.1:" + sentry.port(), sentry.spiffeId(), anchors, KeyAlgorithm.ED25519, Clock.systemUTC()));
    p256Fleet = new SidecarFleet(SidecarChannels.mtls("127.0.0.1:" + placement.port(), placement.spiffeId(),
        "127.0.0.1:" + sentry.port(), sentry.spiffeId(), anchors, KeyAlgorithm.EC_P256, Clock.systemUTC()));
  }

  @AfterAll
  static void stop() {
    fleet.close();
    p256Fleet.close();
    placement.close();
    sentry.close();
  }

  @Test
  void sidecarsWithMatchingIdentitiesGetTheirTables() {
    SimulatedSidecar a = fleet.connect(SidecarSpec.of("10.0.0.1:50002", "cart", "shop", "Cart", "dapr.internal.shop.cart.workflow"));
    SimulatedSidecar b = fleet.connect(SidecarSpec.of("10.0.0.2:50002", "orders", "shop", "Order"));
    waiting().until(() -> fleet.converged("shop"));
    assertThat(SidecarFleet.hostsByType(a.table().parsed())).isEqualTo(Map.of("Cart", Set.of("10.0.0.1:50002"),
        "dapr.internal.shop.cart.workflow", Set.of("10.0.0.1:50002"), "Order", Set.of("10.0.0.2:50002")));
    assertThat(placement.spiffeId()).isEqualTo(SpiffeId.of("cluster.local", "dapr-system", "dapr-placement"));
    assertThat(b.violations()).isEmpty();
  }

  @Test
  void ed25519AndP256ClientCertificatesAreBothAccepted() {
    SimulatedSidecar ed = fleet.connect(SidecarSpec.of("10.0.5.1:50002", "ed", "keys", "Cart"));
    SimulatedSidecar ec = p256Fleet.connect(SidecarSpec.of("10.0.5.2:50002", "ec", "keys", "Cart"));
    waiting().until(() -> ed.table() != null && ec.table() != null && ed.table().version() == ec.table().version()
        && SidecarFleet.hostsByType(ed.table().parsed()).get("Cart").size() == 2);
  }

  @Test
  void reportingAnotherAppIdIsPermissionDenied() {
    SimulatedSidecar impostor = fleet.create(SidecarSpec.of("10.0.1.1:50002", "mallory", "shop", "Cart"));
    impostor.connectWith(Host.newBuilder().setName("10.0.1.1:50002").setId("cart").setNamespace("shop").addEntities("Cart")
        .setApiLevel(20).setOperation(HostOperation.REPORT).build());
    waiting().until(() -> impostor.closedWith() != null);
    assertThat(impostor.closedWith().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(impostor.closedWith().getDescription()).contains("app ID cart").contains("spiffe://public/ns/shop/mallory");
  }

  @Test
  void reportingAnotherNamespaceIsPermissionDenied() {
    SimulatedSidecar s = fleet.create(SidecarSpec.of("10.0.2.1:50002", "cart", "shop", "Cart"));
    s.connectWith(Host.newBuilder().setName("10.0.2.1:50002").setId("cart").setNamespace("prod").addEntities("Cart")
        .setApiLevel(20).setOperation(HostOperation.REPORT).build());
    waiting().until(() -> s.closedWith() != null);
    assertThat(s.closedWith().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(s.closedWith().getDescription()).contains("namespace prod");
  }

  @Test
  void anotherAppsReservedActorTypeIsPermissionDeniedAndOthersKeepTheirTables() {
    SimulatedSidecar honest = fleet.connect(SidecarSpec.of("10.0.3.1:50002", "billing", "acct", "Invoice"));
    awaitVersion(honest, 1);
    SimulatedSidecar s = fleet.connect(SidecarSpec.of("10.0.3.2:50002", "thief", "acct", "dapr.internal.acct.billing.workflow"));
    waiting().until(() -> s.closedWith() != null);
    assertThat(s.closedWith().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    SimulatedSidecar late = fleet.connect(SidecarSpec.of("10.0.3.3:50002", "late", "acct", "Invoice"));
    awaitVersion(late, 2);
    awaitVersion(honest, 2);
  }

  @Test
  void plaintextClientIsRefusedByTheTlsServer() {
    ManagedChannel plain = Grpc.newChannelBuilder("127.0.0.1:" + placement.port(), InsecureChannelCredentials.create()).build();
    try {
      SimulatedSidecar s = new SimulatedSidecar(SidecarSpec.of("10.0.4.1:50002", "x", "shop", "Cart"), plain).connect();
      waiting().atMost(Duration.ofSeconds(10)).until(() -> s.closedWith() != null);
      assertThat(s.closedWith().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      plain.shutdownNow();
    }
  }
}
