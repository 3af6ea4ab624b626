package io.daprx.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.common.spiffe.SpiffeId;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerOptionsTest {

  @Test
  void defaultsAreUpstreams() {
    SchedulerOptions o = SchedulerOptions.defaults();
    assertThat(o.id()).isEqualTo("dapr-scheduler-server-0");
    assertThat(o.port()).isEqualTo(50006);
    assertThat(o.healthzPort()).isEqualTo(8080);
    assertThat(o.metricsPort()).isEqualTo(9090);
    assertThat(o.workers()).isEqualTo(2048);
    assertThat(o.etcdClientPort()).isEqualTo(2379);
    assertThat(o.initialCluster()).isEqualTo(Map.of("dapr-scheduler-server-0", "http://localhost:2380"));
    assertThat(o.spiffeId()).isEqualTo(SpiffeId.parse("spiffe://cluster.local/ns/dapr-system/dapr-scheduler"));
  }

  @Test
  void theBroadcastAddressIsTheOverrideOrAConcreteListenAddress() {
    SchedulerOptions o = SchedulerOptions.defaults();
    assertThat(o.broadcastAddress(50006, "10.1.2.3")).isEqualTo("10.1.2.3:50006");
    assertThat(o.withListenAddress("127.0.0.1").broadcastAddress(4000, "10.1.2.3")).isEqualTo("127.0.0.1:4000");
    assertThat(o.withListenAddress("::1").broadcastAddress(4000, "x")).isEqualTo("[::1]:4000");
    assertThat(o.withBroadcastAddress("sched-0.sched:50006").broadcastAddress(1, "x")).isEqualTo("sched-0.sched:50006");
  }

  @Test
  void badValuesAreRefusedNamingTheFlag() {
    assertThatThrownBy(() -> SchedulerOptions.parseInitialCluster("a=http://x:1,a=http://y:1")).hasMessageContaining("twice");
    assertThatThrownBy(() -> SchedulerOptions.parseInitialCluster("nourl")).hasMessageContaining("--etcd-initial-cluster");
    assertThatThrownBy(() -> SchedulerOptions.defaults().withBroadcastAddress("nohostport"))
        .hasMessageContaining("--override-broadcast-host-port");
    assertThatThrownBy(() -> SchedulerOptions.parseMode("cloud")).hasMessageContaining("--mode");
  }

  @Test
  void theJobSizeLimitIsAQuantityEightMebibytesByDefault() {
    assertThat(SchedulerOptions.defaults().maxJobBytes()).isEqualTo(8 << 20);
    assertThat(SchedulerOptions.parseMaxJobSize(SchedulerOptions.DEFAULT_MAX_JOB_SIZE)).isEqualTo(8 << 20);
    assertThat(SchedulerOptions.parseMaxJobSize("64Mi")).isEqualTo(64 << 20);
    assertThat(SchedulerOptions.parseMaxJobSize("1048576")).isEqualTo(1 << 20);
    assertThatThrownBy(() -> SchedulerOptions.parseMaxJobSize("8 megs")).hasMessageContaining("--max-job-size")
        .hasMessageContaining("8Mi");
    assertThatThrownBy(() -> SchedulerOptions.parseMaxJobSize("2Gi")).hasMessageContaining("between 1Ki and 1Gi");
    assertThatThrownBy(() -> SchedulerOptions.parseMaxJobSize("100")).hasMessageContaining("between 1Ki and 1Gi");
  }

  @Test
  void theInitialClusterIdsAreRaftPeersAndTheirUrlsHostPortsTheirRaftAddresses() {
    SchedulerOptions three = SchedulerOptions.defaults().withCluster("s-1", SchedulerOptions.parseInitialCluster(
        "s-0=http://s-0.sched:2380,s-1=https://10.0.0.2:2381,s-2=[::1]:2382"), null);
    assertThat(three.replicated()).as("several replicas: replicated even without a data directory").isTrue();
    assertThat(three.peers()).containsExactly(
        Map.entry("s-0", InetSocketAddress.createUnresolved("s-0.sched", 2380)),
        Map.entry("s-1", InetSocketAddress.createUnresolved("10.0.0.2", 2381)),
        Map.entry("s-2", InetSocketAddress.createUnresolved("::1", 2382)));

    // one replica is this one, whatever id its entry names (upstream's default names server-0)
    SchedulerOptions one = SchedulerOptions.defaults().withCluster("other", SchedulerOptions.parseInitialCluster(
        SchedulerOptions.DEFAULT_INITIAL_CLUSTER), Path.of("/data"));
    assertThat(one.replicated()).as("one replica with a data directory is durable").isTrue();
    assertThat(one.peers()).containsExactly(Map.entry("other", InetSocketAddress.createUnresolved("localhost", 2380)));
    assertThat(SchedulerOptions.defaults().replicated()).as("one replica, no data directory: in memory").isFalse();

    assertThatThrownBy(() -> SchedulerOptions.defaults().withCluster("s-0",
        SchedulerOptions.parseInitialCluster("s-0=http://s-0.sched,s-1=http://s-1.sched:2380"), null))
        .hasMessageContaining("--etcd-initial-cluster").hasMessageContaining("port");
  }
}
