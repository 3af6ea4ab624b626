package io.daprx.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.placement.leader.Leadership;
import io.daprx.placement.leader.SingleNodeLeadership;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementOptionsTest {

  @Test
  void defaultsAreDaprs() {
    PlacementOptions d = PlacementOptions.defaults();
    assertThat(d.id()).isEqualTo("dapr-placement-server-0");
    assertThat(d.port()).isEqualTo(50005);
    assertThat(d.healthzPort()).isEqualTo(8080);
    assertThat(d.metricsPort()).isEqualTo(9090);
    assertThat(d.replicationFactor()).isEqualTo(100);
    assertThat(d.disseminateTimeout()).isEqualTo(Duration.ofSeconds(8));
    assertThat(d.disseminateCoalesceWindow()).isZero();
    assertThat(d.keepaliveTime()).isEqualTo(Duration.ofSeconds(2));
    assertThat(d.keepaliveTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(d.tlsEnabled()).isTrue();
    assertThat(d.metadataEnabled()).isFalse();
    assertThat(d.trustDomain()).isEqualTo("cluster.local");
    assertThat(d.namespace()).isEqualTo("dapr-system");
    assertThat(d.initialCluster()).isEqualTo(Map.of("dapr-placement-server-0", "127.0.0.1:8201"));
    assertThat(d.spiffeId().toString()).isEqualTo("spiffe://cluster.local/ns/dapr-system/dapr-placement");
  }

  @Test
  void initialClusterIsParsedInOrder() {
    Map<String, String> peers = PlacementOptions.parseInitialCluster(
        "dapr-placement-server-0=dapr-placement-server-0.dapr-placement-server.dapr-system.svc.cluster.local:8201, "
            + "dapr-placement-server-1=10.0.0.2:8201,dapr-placement-server-2=[::1]:8201");
    assertThat(peers.keySet()).containsExactly("dapr-placement-server-0", "dapr-placement-server-1", "dapr-placement-server-2");
    assertThat(peers.get("dapr-placement-server-2")).isEqualTo("[::1]:8201");
    assertThat(PlacementOptions.parseInitialCluster("")).isEmpty();
  }

  @Test
  void badInitialClusterEntriesAreRefusedNamingTheEntry() {
    assertThatThrownBy(() -> PlacementOptions.parseInitialCluster("p0")).hasMessageContaining("'p0'").hasMessageContaining("id=host:port");
    assertThatThrownBy(() -> PlacementOptions.parseInitialCluster("p0=host")).hasMessageContaining("'host' of p0");
    assertThatThrownBy(() -> PlacementOptions.parseInitialCluster("p0=host:99999")).hasMessageContaining("host:99999");
    assertThatThrownBy(() -> PlacementOptions.parseInitialCluster("p0=a:1,p0=b:2")).hasMessageContaining("names p0 twice");
  }

  @Test
  void idMustBeAPeerWhenThereArePeers() {
    PlacementOptions d = PlacementOptions.defaults();
    assertThatThrownBy(() -> d.withCluster("p9", PlacementOptions.parseInitialCluster("p0=a:1,p1=b:1")))
        .hasMessageContaining("--id p9 is not one of the --initial-cluster ids [p0, p1]");
  }

  @Test
  void singlePeerLeadsAloneAndSeveralUseTheReplicatedElection() {
    Leadership ratis = new Leadership() {
      @Override
      public boolean isLeader() {
        return false;
      }

      @Override
      public void onChange(java.util.function.Consumer<Boolean> listener) {}

      @Override
      public void close() {}
    };
    assertThat(PlacementOptions.defaults().leadership(o -> ratis)).isInstanceOf(SingleNodeLeadership.class);
    PlacementOptions three = PlacementOptions.defaults().withCluster("p1", PlacementOptions.parseInitialCluster("p0=a:1,p1=b:1,p2=c:1"));
    assertThat(three.leadership(o -> ratis)).isSameAs(ratis);
  }

  @Test
  void badValuesAreRefusedWithTheFlagName() {
    PlacementOptions d = PlacementOptions.defaults();
    assertThatThrownBy(() -> d.withReplicationFactor(0)).hasMessageContaining("--replication-factor");
    assertThatThrownBy(() -> d.withDisseminateTimeout(Duration.ZERO)).hasMessageContaining("--disseminate-timeout");
    assertThatThrownBy(() -> d.withDisseminateCoalesceWindow(Duration.ofMillis(-1)))
        .hasMessageContaining("--disseminate-coalesce-window must be 0 (no coalescing) or positive");
    assertThatThrownBy(() -> PlacementOptions.parseMode("cloud")).hasMessageContaining("standalone or kubernetes");
  }
}
