package io.daprx.manager.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
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
    // a 1.18 HA install's 15 pods plus the dashboard
    assertThat(plan.pods()).hasSize(16);
    assertThat(sentries).allSatisfy(p -> {
      assertThat(p.name()).matches("dapr-sentry-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}");
      assertThat(p.args()).containsSequence("--issuer-credentials", cluster.trustBundleDir().toString());
      assertThat(p.args()).containsSequence("--namespace", "dapr-system").containsSequence("--listen-address", "127.0.0.1");
      assertThat(p.readiness().toString()).isEqualTo("http://127.0.0.1:" + p.ports().get("healthz") + "/healthz");
    });
    assertThat(sentries.stream().map(PodPlan::name).distinct()).hasSize(3);
    assertThat(plan.services()).extracting(ServicePlan::name)
        .containsExactly("dapr-sentry", "dapr-api", "dapr-placement-server", "dapr-scheduler-server-a", "dapr-scheduler-server",
            "dapr-sidecar-injector", "dapr-dashboard");
  }

  @Test
  void theInjectorGivesPodsTheDaprdOfTheReleasesDaprVersionAsOnKubernetes() {
    Release release = new Release(Semver.parse("0.3.1"), "0.3.1", "1.18.2");
    List<String> args = injectorArgs(InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults(), release));
    assertThat(args).containsSequence("--sidecar-image", "ghcr.io/daprx/daprd:1.18.2");
    Release next = new Release(Semver.parse("0.4.0"), "0.4.0", "1.19.0");
    assertThat(injectorArgs(InstallPlan.forLocal(cluster, "dapr-system",
        DaprSettings.parse(Map.of("global.registry", "registry.example/mirror")), next)))
        .as("the tag follows the catalog, the registry global.registry").containsSequence("--sidecar-image",
            "registry.example/mirror/daprd:1.19.0");
  }

  private static List<String> injectorArgs(InstallPlan plan) {
    return plan.pods().stream().filter(p -> p.component().equals("injector")).findFirst().orElseThrow().args();
  }

  @Test
  void everyReplicaThatAsksSentryIsGivenItsTokenFileAndSentryTheKeyThatChecksIt() {
    InstallPlan plan = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults());

    for (PodPlan p : plan.pods()) {
      switch (p.component()) {
        case "sentry" -> assertThat(p.args()).containsSequence("--control-plane-jwks", cluster.controlPlaneJwks().toString())
            .doesNotContain("--sentry-token-file");
        case "dashboard" -> assertThat(p.args()).doesNotContain("--sentry-token-file", "--control-plane-jwks");
        default -> assertThat(p.args()).as(p.name())
            .containsSequence("--sentry-token-file", cluster.identityDir().resolve("tokens/dapr-system/dapr-" + p.component() + ".jwt").toString());
      }
    }
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
    assertThat(d.args()).as("the component is daprx dashboard serve").startsWith("dashboard", "serve").containsSequence("--mode", "local").containsSequence("--listen-address", "127.0.0.1")
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
        .pods()).hasSize(15).noneMatch(p -> p.component().equals("dashboard"));
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
  void placementsCoalesceWindowReachesItsReplicasOnlyWhenSetAndCanChangeLater() {
    List<String> args = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.parse(Map.of(
        "dapr_placement.disseminateCoalesceWindow", "250ms"))).pods().stream()
        .filter(p -> p.component().equals("placement")).findFirst().orElseThrow().args();
    assertThat(args).containsSequence("--disseminate-coalesce-window", "250ms");
    assertThat(InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.parse(Map.of("dapr_placement.disseminateCoalesceWindow", "2s")))
        .pods()).filteredOn(p -> p.component().equals("placement")).allSatisfy(p -> assertThat(p.args())
        .containsSequence("--disseminate-coalesce-window", "2s"));
    // the default is placement's own: no flag, so installs from before it keep their pods
    assertThat(InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults()).pods())
        .allSatisfy(p -> assertThat(p.args()).doesNotContain("--disseminate-coalesce-window"));
    assertThat(DaprSettings.immutableChanges(Map.of(), Map.of("dapr_placement.disseminateCoalesceWindow", "200ms"))).isEmpty();
    assertThatThrownBy(() -> DaprSettings.parse(Map.of("dapr_placement.disseminateCoalesceWindow", "soon")))
        .hasMessageContaining("dapr_placement.disseminateCoalesceWindow: invalid duration 'soon'");
  }

  @Test
  void theSchedulerRunsThreePeerReplicasEvenWithoutHa() {
    InstallPlan plan = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.parse(Map.of("global.ha.enabled", "false")));
    List<PodPlan> scheduler = plan.pods().stream().filter(p -> p.component().equals("scheduler")).toList();
    assertThat(scheduler).extracting(PodPlan::name)
        .containsExactly("dapr-scheduler-server-0", "dapr-scheduler-server-1", "dapr-scheduler-server-2");
    // each replica's id=url where its peer port listens, as upstream's --etcd-initial-cluster takes them
    String peers = "dapr-scheduler-server-0=http://127.0.0.1:" + scheduler.get(0).ports().get("raft")
        + ",dapr-scheduler-server-1=http://127.0.0.1:" + scheduler.get(1).ports().get("raft")
        + ",dapr-scheduler-server-2=http://127.0.0.1:" + scheduler.get(2).ports().get("raft");
    for (PodPlan p : scheduler) {
      assertThat(p.args()).startsWith("scheduler").containsSequence("--id", p.name()).containsSequence("--etcd-initial-cluster", peers)
          .containsSequence("--mode", "standalone").containsSequence("--listen-address", "127.0.0.1")
          .containsSequence("--port", "" + p.ports().get("grpc"))
          // sidecars dial each replica on its own port: WatchHosts lists every one
          .containsSequence("--override-broadcast-host-port", "127.0.0.1:" + p.ports().get("grpc"))
          .containsSequence("--etcd-data-dir", cluster.dir().resolve("scheduler-data").resolve(p.name()).toString())
          .containsSequence("--sentry-address", "127.0.0.1:" + InstallPlan.servicePort(cluster, "dapr-sentry"))
          .containsSequence("--trust-anchors-file", cluster.trustBundleDir().resolve("ca.crt").toString())
          .contains("--tls-enabled");
      assertThat(p.readiness().toString()).isEqualTo("http://127.0.0.1:" + p.ports().get("healthz") + "/healthz");
    }
    // installed after placement, before the injector whose sidecars it serves
    assertThat(plan.pods().stream().map(PodPlan::workload).distinct()).containsSubsequence("dapr-placement-server", "dapr-scheduler-server",
        "dapr-sidecar-injector");
    assertThat(plan.services()).filteredOn(s -> s.workload().equals("dapr-scheduler-server")).extracting(ServicePlan::name)
        .containsExactly("dapr-scheduler-server-a", "dapr-scheduler-server");
  }

  @Test
  void sidecarsArePointedAtTheSchedulersServiceOnlyWhenItIsInstalled() {
    InstallPlan on = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults());
    int service = InstallPlan.servicePort(cluster, "dapr-scheduler-server-a");
    assertThat(on.pods()).filteredOn(p -> p.component().equals("injector")).isNotEmpty().allSatisfy(p -> assertThat(p.args())
        .contains("--scheduler-enabled=true").containsSequence("--sidecar-scheduler-address", "127.0.0.1:" + service));
    InstallPlan off = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.parse(Map.of("global.scheduler.enabled", "false")));
    assertThat(off.pods()).hasSize(13).noneMatch(p -> p.component().equals("scheduler"));
    assertThat(off.services()).extracting(ServicePlan::name).doesNotContain("dapr-scheduler-server-a", "dapr-scheduler-server");
    assertThat(off.pods()).filteredOn(p -> p.component().equals("injector")).isNotEmpty().allSatisfy(p -> assertThat(p.args())
        .contains("--scheduler-enabled=false").doesNotContain("--sidecar-scheduler-address"));
  }

  @Test
  void schedulerSettingsReachItsReplicas() {
    InstallPlan plan = InstallPlan.forLocal(cluster, "dapr-system",
        DaprSettings.parse(Map.of("dapr_scheduler.cluster.inMemoryStorage", "true", "dapr_scheduler.logLevel", "debug")));
    assertThat(plan.pods()).filteredOn(p -> p.component().equals("scheduler")).hasSize(3).allSatisfy(p -> assertThat(p.args())
        .doesNotContain("--etcd-data-dir").containsSequence("--log-level", "debug"));
    // the others keep the global level
    assertThat(plan.pods()).filteredOn(p -> p.component().equals("sentry")).allSatisfy(p -> assertThat(p.args()).containsSequence("--log-level", "info"));
  }

  @Test
  void aClusterCreatedBeforeTheSchedulerFitsItInsideItsOwnSmallerBlock() {
    // an earlier daprx gave each cluster 192 ports, the next cluster starting right after: the scheduler must not spill over
    LocalCluster legacy = new LocalCluster("rg/old", Path.of("clusters", "old"), 32000, LocalCluster.LEGACY_PORT_BLOCK, manager);
    InstallPlan plan = InstallPlan.forLocal(legacy, "dapr-system", DaprSettings.defaults());
    Set<Integer> ports = new HashSet<>();
    plan.pods().forEach(p -> p.ports().values().forEach(port -> assertThat(ports.add(port)).as("port %d used twice", port).isTrue()));
    plan.services().forEach(s -> assertThat(ports.add(s.port())).isTrue());
    assertThat(ports).allSatisfy(p -> assertThat(p).isBetween(32000, 32000 + LocalCluster.LEGACY_PORT_BLOCK - 1));
    // and what ran before keeps its ports
    InstallPlan fresh = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults());
    assertThat(plan.pods()).filteredOn(p -> !p.component().equals("scheduler")).extracting(PodPlan::ports)
        .isEqualTo(fresh.pods().stream().filter(p -> !p.component().equals("scheduler")).map(PodPlan::ports).toList());
  }

  @Test
  void theWholeControlPlaneOfTheSeedInDependencyOrder() {
    InstallPlan plan = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.defaults());
    assertThat(plan.pods().stream().map(PodPlan::workload).distinct()).containsExactly(
        "dapr-sentry", "dapr-operator", "dapr-placement-server", "dapr-scheduler-server", "dapr-sidecar-injector", "dapr-dashboard");
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
  void badSchedulerSettingsAreReportedWithWhatToWrite() {
    assertThatThrownBy(() -> DaprSettings.parse(Map.of("global.scheduler.enabled", "yes", "dapr_scheduler.cluster.storageSize", "lots",
        "dapr_scheduler.cluster.storageClassName", "Fast_SSD", "dapr_scheduler.logLevel", "loud", "dapr_scheduler.cluster.inMemoryStorage", "1")))
        .isInstanceOf(InvalidSettingsException.class)
        .hasMessageContaining("global.scheduler.enabled must be true or false (got 'yes')")
        .hasMessageContaining("dapr_scheduler.cluster.inMemoryStorage must be true or false (got '1')")
        .hasMessageContaining("dapr_scheduler.cluster.storageSize must be a positive Kubernetes quantity such as 16Gi or 500Mi (got 'lots')")
        .hasMessageContaining("dapr_scheduler.cluster.storageClassName must be a StorageClass name")
        .hasMessageContaining("dapr_scheduler.logLevel must be one of debug, info, warn, error (got 'loud')");
    assertThatThrownBy(() -> DaprSettings.parse(Map.of("dapr_scheduler.cluster.storageSize", "0Gi")))
        .hasMessageContaining("dapr_scheduler.cluster.storageSize must be a positive Kubernetes quantity");
    DaprSettings.Scheduler s = DaprSettings.parse(Map.of("dapr_scheduler.cluster.storageSize", "1.5Ti",
        "dapr_scheduler.cluster.storageClassName", "fast-ssd")).scheduler();
    assertThat(s).isEqualTo(new DaprSettings.Scheduler(true, false, "1.5Ti", "fast-ssd", "info"));
    assertThat(DaprSettings.defaults().scheduler()).isEqualTo(new DaprSettings.Scheduler(true, false, "16Gi", null, "info"));
  }

  @Test
  void theSchedulersVolumesAreFixedAtInstallButItCanBeTurnedOff() {
    assertThat(DaprSettings.immutableChanges(Map.of(), Map.of("dapr_scheduler.cluster.storageSize", "32Gi")))
        .containsExactly("dapr_scheduler.cluster.storageSize");
    assertThat(DaprSettings.immutableChanges(Map.of(), Map.of("dapr_scheduler.cluster.inMemoryStorage", "true")))
        .containsExactly("dapr_scheduler.cluster.inMemoryStorage");
    assertThat(DaprSettings.immutableChanges(Map.of(), Map.of("global.scheduler.enabled", "false", "dapr_scheduler.logLevel", "debug")))
        .isEmpty();
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
