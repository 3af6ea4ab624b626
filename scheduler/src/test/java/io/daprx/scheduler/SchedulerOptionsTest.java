package io.daprx.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.common.spiffe.SpiffeId;
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
}
