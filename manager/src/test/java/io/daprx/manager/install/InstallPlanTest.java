package io.daprx.manager.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.model.InvalidSettingsException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InstallPlanTest {

  private final ManagerAccess manager = new ManagerAccess(Path.of("home", "server.json"), Path.of("home", "reader-token"));
  private final LocalCluster cluster = new LocalCluster("rg/c1", Path.of("clusters", "c1"), 32000, manager);

  @Test
  void highlyAvailableByDefaultWithThreeSentriesSharingOneCa() {
    InstallPlan plan = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults());
    List<PodPlan> sentries = plan.pods().stream().filter(p -> p.component().equals("sentry")).toList();
    assertThat(sentries).hasSize(3);
    assertThat(plan.pods()).hasSize(13);
    assertThat(sentries).allSatisfy(p -> {
      assertThat(p.name()).matches("dapr-sentry-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}");
      assertThat(p.args()).containsSequence("--issuer-credentials", cluster.trustBundleDir().toString());
      assertThat(p.args()).containsSequence("--namespace", "dapr-system").containsSequence("--listen-address", "127.0.0.1");
      assertThat(p.readiness().toString()).isEqualTo("http://127.0.0.1:" + p.ports().get("healthz") + "/healthz");
    });
    assertThat(sentries.stream().map(PodPlan::name).distinct()).hasSize(3);
    assertThat(plan.services()).extracting(ServicePlan::name)
        .containsExactly("dapr-sentry", "dapr-api", "dapr-placement-server", "dapr-sidecar-injector", "dapr-dashboard");
  }

  @Test
  void oneDashboardEvenInHaReadingTheServerWithItsReadOnlyTokenOnLoopback() {
    InstallPlan plan = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults());
    List<PodPlan> dashboards = plan.pods().stream().filter(p -> p.component().equals("dashboard")).toList();
    assertThat(dashboards).hasSize(1);
    PodPlan d = dashboards.get(0);
    assertThat(d.name()).matches("dapr-dashboard-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}");
    assertThat(plan.pods().get(plan.pods().size() - 1)).isEqualTo(d);
    int http = d.ports().get("http");
    assertThat(d.args()).startsWith("dashboard").containsSequence("--mode", "local").containsSequence("--listen-address", "127.0.0.1")
        .containsSequence("--port", "" + http)
        .containsSequence("--manager-server-file", manager.serverFile().toString())
        .containsSequence("--manager-token-file", manager.readerTokenFile().toString())
        .containsSequence("--cluster-id", "rg/c1").containsSequence("--namespace", "dapr-system");
    assertThat(d.readiness().toString()).isEqualTo("http://127.0.0.1:" + http + "/healthz");
    ServicePlan service = plan.services().get(plan.services().size() - 1);
    assertThat(service).isEqualTo(new ServicePlan("dapr-dashboard", "dapr-dashboard", "http", 32000 + LocalCluster.SERVICE_OFFSET + 4));
    InstallPlan two = InstallPlan.forLocal(cluster, "dapr-system",
        DaprSettings.parse(Map.of("global.ha.enabled", "false", "dapr_dashboard.replicaCount", "2")));
    assertThat(two.pods().stream().filter(p -> p.component().equals("dashboard"))).hasSize(2);
    // a plan that does not know the management server has no dashboard: it would have nothing to read
    assertThat(InstallPlan.forLocal(new LocalCluster("rg/c1", Path.of("clusters", "c1"), 32000), "dapr-system", DaprSettings.defaults())
        .pods()).hasSize(12).noneMatch(p -> p.component().equals("dashboard"));
  }

  @Test
  void placementRunsAsAStatefulSetWhoseReplicasKnowEachOther() {
    InstallPlan plan = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults());
    List<PodPlan> placement = plan.pods().stream().filter(p -> p.component().equals("placement")).toList();
    assertThat(placement).extracting(PodPlan::name)
        .containsExactly("dapr-placement-server-0", "dapr-placement-server-1", "dapr-placement-server-2");
    String peers = "dapr-placement-server-0=127.0.0.1:" + placement.get(0).ports().get("raft")
        + ",dapr-placement-server-1=127.0.0.1:" + placement.get(1).ports().get("raft")
        + ",dapr-placement-server-2=127.0.0.1:" + placement.get(2).ports().get("raft");
    assertThat(placement).allSatisfy(p -> assertThat(p.args()).containsSequence("--initial-cluster", peers)
        .contains("--metadata-enabled").containsSequence("--trust-anchors-file", cluster.trustBundleDir().resolve("ca.crt").toString()));
    assertThat(placement.get(1).args()).containsSequence("--id", "dapr-placement-server-1");
    // placement gets its identity from sentry's Service
    ServicePlan sentry = plan.services().get(0);
    assertThat(placement.get(0).args()).containsSequence("--sentry-address", "127.0.0.1:" + sentry.port());
    InstallPlan single = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.parse(Map.of("global.ha.enabled", "false")));
    assertThat(single.pods().stream().filter(p -> p.component().equals("placement"))).extracting(PodPlan::name)
        .containsExactly("dapr-placement-server-0");
  }

  @Test
  void theWholeControlPlaneOfTheSeedInDependencyOrder() {
    InstallPlan plan = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults());
    assertThat(plan.pods().stream().map(PodPlan::workload).distinct()).containsExactly(
        "dapr-sentry", "dapr-operator", "dapr-placement-server", "dapr-sidecar-injector", "dapr-dashboard");
    assertThat(plan.pods()).filteredOn(p -> p.component().equals("operator")).hasSize(3).allSatisfy(p -> assertThat(p.args())
        .startsWith("operator").containsSequence("--mode", "standalone").containsSequence("--resources-path", cluster.resourcesDir().toString())
        .containsSequence("--sentry-address", "127.0.0.1:" + InstallPlan.servicePort(cluster, "dapr-sentry")));
    assertThat(plan.pods()).filteredOn(p -> p.component().equals("injector")).hasSize(3).allSatisfy(p -> assertThat(p.args())
        .containsSequence("--trust-anchors-file", cluster.trustBundleDir().resolve("ca.crt").toString()));
    // Services keep their ports whatever components are added later
    assertThat(InstallPlan.servicePort(cluster, "dapr-sentry")).isEqualTo(32000 + LocalCluster.SERVICE_OFFSET);
    assertThat(InstallPlan.servicePort(cluster, "dapr-placement-server")).isEqualTo(32000 + LocalCluster.SERVICE_OFFSET + 1);
  }

  @Test
  void everyPortIsDistinctAndInsideTheClustersBlock() {
    InstallPlan plan = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults());
    Set<Integer> ports = new HashSet<>();
    plan.pods().forEach(p -> p.ports().values().forEach(port -> assertThat(ports.add(port)).as("port %d used twice", port).isTrue()));
    plan.services().forEach(s -> assertThat(ports.add(s.port())).isTrue());
    assertThat(ports).allSatisfy(p -> assertThat(p).isBetween(32000, 32000 + LocalCluster.PORT_BLOCK - 1));
  }

  @Test
  void theSameInputsGiveTheSamePlan() {
    assertThat(InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults()))
        .isEqualTo(InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults()));
  }

  @Test
  void aSettingChangeRenamesPodsLikeANewReplicaSet() {
    InstallPlan before = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults());
    InstallPlan after = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.parse(Map.of("global.logLevel", "debug")));
    assertThat(after.pods().get(0).name()).isNotEqualTo(before.pods().get(0).name());
    assertThat(after.pods().get(0).args()).containsSequence("--log-level", "debug");
    assertThat(after.pods().get(0).ports()).isEqualTo(before.pods().get(0).ports());
  }

  @Test
  void withoutHaEachComponentRunsItsOwnReplicaCount() {
    InstallPlan plan = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.parse(Map.of("global.ha.enabled", "false")));
    assertThat(plan.pods().stream().filter(p -> p.component().equals("sentry"))).hasSize(1);
    InstallPlan two = InstallPlan.forLocal(cluster, "dapr-system",
        DaprSettings.parse(Map.of("global.ha.enabled", "false", "dapr_sentry.replicaCount", "2")));
    assertThat(two.pods().stream().filter(p -> p.component().equals("sentry"))).hasSize(2);
  }

  @Test
  void mtlsSettingsReachSentry() {
    InstallPlan plan = InstallPlan.forLocal(cluster, "dapr-system",
        DaprSettings.parse(Map.of("global.mtls.workloadCertTTL", "1h", "global.mtls.allowedClockSkew", "5m")));
    assertThat(plan.pods().get(0).args()).containsSequence("--workload-cert-ttl", "1h0m0s").containsSequence("--allowed-clock-skew", "5m0s");
  }

  @Test
  void unknownAndBadSettingsAreAllReportedAtOnceWithTheKnownKeys() {
    assertThatThrownBy(() -> DaprSettings.parse(Map.of("global.ha.enable", "true", "global.logLevel", "loud", "global.ha.replicaCount", "x")))
        .isInstanceOf(InvalidSettingsException.class)
        .hasMessageContaining("unknown configuration setting global.ha.enable; known settings: global.ha.enabled, global.ha.replicaCount")
        .hasMessageContaining("global.logLevel must be one of debug, info, warn, error (got 'loud')")
        .hasMessageContaining("global.ha.replicaCount must be a whole number (got 'x')");
  }

  @Test
  void haAndPlacementSettingsAreImmutable() {
    assertThat(DaprSettings.immutableChanges(Map.of(), Map.of("global.ha.enabled", "false"))).containsExactly("global.ha.enabled");
    assertThat(DaprSettings.immutableChanges(Map.of(), Map.of("global.ha.enabled", "true"))).isEmpty();
    assertThat(DaprSettings.immutableChanges(Map.of("dapr_placement.cluster.forceInMemoryLog", "true"), Map.of()))
        .containsExactly("dapr_placement.cluster.forceInMemoryLog");
    assertThat(DaprSettings.immutableChanges(Map.of(), Map.of("global.logLevel", "debug"))).isEmpty();
  }
}
