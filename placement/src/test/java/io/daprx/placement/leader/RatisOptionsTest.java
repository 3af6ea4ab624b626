package io.daprx.placement.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.KeyManager;
import org.junit.jupiter.api.Test;

/** {@code --initial-cluster} parsing and the checks on the options, with the message an operator would read. */
class RatisOptionsTest {

  private static final Path DIR = Path.of("/tmp/raft");

  @Test
  void parsesDaprStyleInitialClusterInOrderWithoutResolvingNames() {
    Map<String, InetSocketAddress> peers = RatisOptions.parseInitialCluster(
        "dapr-placement-server-0=dapr-placement-server-0.dapr-placement-server.dapr-system.svc.cluster.local:8201, "
            + "dapr-placement-server-1=127.0.0.1:8202,dapr-placement-server-2=[::1]:8203");

    assertThat(peers.keySet()).containsExactly("dapr-placement-server-0", "dapr-placement-server-1", "dapr-placement-server-2");
    InetSocketAddress first = peers.get("dapr-placement-server-0");
    assertThat(first.isUnresolved()).isTrue();
    assertThat(first.getHostString()).isEqualTo("dapr-placement-server-0.dapr-placement-server.dapr-system.svc.cluster.local");
    assertThat(first.getPort()).isEqualTo(8201);
    assertThat(peers.get("dapr-placement-server-2").getHostString()).isEqualTo("::1");
    assertThat(PlacementGroup.address(peers.get("dapr-placement-server-2"))).isEqualTo("[::1]:8203");
  }

  @Test
  void singleEntryIsACluster() {
    assertThat(RatisOptions.parseInitialCluster("p0=localhost:8201")).containsOnlyKeys("p0");
  }

  @Test
  void malformedInitialClusterNamesTheEntry() {
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster(" ")).hasMessageContaining("--initial-cluster is empty");
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster("a=h:1,,b=h:2")).hasMessageContaining("empty entry");
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster("a=h:1,b")).hasMessageContaining("'b' is not id=host:port");
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster("=h:1")).hasMessageContaining("no id");
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster("a=h")).hasMessageContaining("'a=h' has no port");
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster("a=:8201")).hasMessageContaining("no valid host");
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster("a=h:http")).hasMessageContaining("port 'http', not a number");
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster("a=h:70000")).hasMessageContaining("outside 1..65535");
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster("a=::1:8201")).hasMessageContaining("IPv6 hosts in brackets");
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster("a=[::1]8201")).hasMessageContaining("id=[ipv6]:port");
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster("a b=h:1")).hasMessageContaining("may only hold");
  }

  @Test
  void duplicateIdsAndSharedAddressesAreRefused() {
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster("a=h1:8201,b=h2:8201,a=h3:8201"))
        .hasMessageContaining("lists replica id 'a' twice");
    assertThatThrownBy(() -> RatisOptions.parseInitialCluster("a=H:8201,b=h:8201"))
        .hasMessageContaining("'a' and 'b' the same address h:8201");
  }

  @Test
  void selfMustBeOneOfThePeers() {
    Map<String, InetSocketAddress> peers = RatisOptions.parseInitialCluster("p0=h0:8201,p1=h1:8201");
    assertThatThrownBy(() -> RatisOptions.plaintext("p2", peers, DIR))
        .hasMessageContaining("no entry for this replica's id 'p2'")
        .hasMessageContaining("[p0, p1]");
  }

  @Test
  void tlsNeedsBothManagers() {
    Map<String, InetSocketAddress> peers = RatisOptions.parseInitialCluster("p0=h0:8201");
    assertThatThrownBy(() -> new RatisOptions("p0", peers, DIR, new KeyManager() {}, null))
        .hasMessageContaining("both a key manager and a trust manager");
    assertThat(RatisOptions.plaintext("p0", peers, DIR).mtls()).isFalse();
  }

  @Test
  void leaseStaysBelowTheMinimumElectionTimeout() {
    RatisOptions.ElectionTimeouts t = RatisOptions.ElectionTimeouts.DEFAULT;
    assertThat(t.lease()).isLessThan(t.min());
    // and above the heartbeat interval (min / 2) with room to spare
    assertThat(t.lease()).isGreaterThan(t.min().dividedBy(2).plusMillis(300));
    assertThatThrownBy(() -> new RatisOptions.ElectionTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("min <= max");
  }
}
