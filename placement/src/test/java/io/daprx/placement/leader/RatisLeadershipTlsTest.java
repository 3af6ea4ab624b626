package io.daprx.placement.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.common.pki.TestPki;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.SpiffeTrustManager;
import io.daprx.common.tls.Svid;
import io.daprx.common.tls.SvidKeyManager;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mTLS between replicas through Ratis' shaded gRPC, with SVIDs that carry SPIFFE URI SANs and no DNS names. */
class RatisLeadershipTlsTest {

  private static final SpiffeId PLACEMENT = SpiffeId.of("cluster.local", "dapr-system", "dapr-placement");

  @TempDir
  Path storage;
  private final TestPki pki = new TestPki("cluster.local");
  private TestCluster cluster;

  @AfterEach
  void stopAll() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** What the integrator passes: the replica's SVID as key manager, peers accepted by SPIFFE ID. */
  private static RatisOptions mtls(String id, Map<String, InetSocketAddress> peers, Path storage, Svid svid) {
    return new RatisOptions(id, peers, storage, new SvidKeyManager(() -> svid),
        SpiffeTrustManager.expecting(svid::trustAnchors, PLACEMENT, Clock.systemUTC()));
  }

  @Test
  void replicasWithSvidsFromTheTrustedCaElectALeaderAndFailOver() {
    Map<String, InetSocketAddress> peers = TestCluster.loopbackPeers(3);
    cluster = TestCluster.of(peers, storage, id -> mtls(id, peers, storage, pki.issue(PLACEMENT)));
    cluster.startAll();

    String first = cluster.awaitOneLeader(Duration.ofSeconds(10));
    cluster.crash(first);
    String second = cluster.awaitOneLeader(Duration.ofSeconds(6));

    assertThat(second).isNotEqualTo(first);
    assertThat(cluster.mostLeadingAtOnce()).isEqualTo(1);
  }

  @Test
  void aReplicaWithACertificateFromAnotherCaCannotJoin() {
    Map<String, InetSocketAddress> peers = TestCluster.loopbackPeers(3);
    String stranger = TestCluster.id(2);
    Svid foreign = new TestPki("other").issue(PLACEMENT);
    Function<String, RatisOptions> options = id -> mtls(id, peers, storage, id.equals(stranger) ? foreign : pki.issue(PLACEMENT));
    cluster = TestCluster.of(peers, storage, options);
    cluster.startAll();

    // the two trusted replicas are a majority and elect one of themselves
    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.leaders().size() == 1
        && cluster.get(TestCluster.id(0)).leaderId().equals(cluster.get(TestCluster.id(1)).leaderId()));
    String leader = cluster.leaders().get(0);
    assertThat(leader).isNotEqualTo(stranger);

    // neither side accepts the other's handshake: the stranger never hears of a leader and never leads
    RatisLeadership outsider = cluster.get(stranger);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
        .until(() -> outsider.leaderId().isEmpty() && !outsider.isLeader() && cluster.leaders().equals(java.util.List.of(leader)));
  }
}
