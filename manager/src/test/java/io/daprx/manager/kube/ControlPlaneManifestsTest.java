package io.daprx.manager.kube;

import static io.daprx.manager.kube.Fixtures.all;
import static io.daprx.manager.kube.Fixtures.args;
import static io.daprx.manager.kube.Fixtures.find;
import static io.daprx.manager.kube.Fixtures.flag;
import static io.daprx.manager.kube.Fixtures.get;
import static io.daprx.manager.kube.Fixtures.podSpecs;
import static io.daprx.manager.kube.Fixtures.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.common.trust.RawBundle;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlPlaneManifestsTest {

  private static final List<String> HA_WORKLOADS = List.of("dapr-sentry", "dapr-operator", "dapr-placement-server", "dapr-sidecar-injector");

  @Test
  void objectsComeInApplyOrder() {
    CrdSource crds = () -> List.of(new CustomResourceDefinitionBuilder().withNewMetadata().withName("components.dapr.io").endMetadata().build());
    List<HasMetadata> objects = ControlPlaneManifests.render(Fixtures.spec(Map.of()), crds);
    List<String> seen = objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
    List<String> milestones = List.of("Namespace/dapr-system", "CustomResourceDefinition/components.dapr.io", "ServiceAccount/dapr-sentry",
        "ClusterRoleBinding/dapr-dashboard", "Configuration/daprsystem", "Secret/dapr-trust-bundle", "ConfigMap/dapr-trust-bundle",
        "Deployment/dapr-sentry", "Service/dapr-sentry", "Deployment/dapr-operator", "Service/dapr-api", "Service/dapr-webhook",
        "StatefulSet/dapr-placement-server", "Service/dapr-placement-server", "Deployment/dapr-sidecar-injector",
        "Service/dapr-sidecar-injector", "MutatingWebhookConfiguration/dapr-sidecar-injector", "Deployment/dapr-dashboard",
        "Service/dapr-dashboard");
    List<Integer> positions = milestones.stream().map(seen::indexOf).toList();
    assertThat(positions).doesNotContain(-1).isSorted();
    assertThat(seen.get(0)).isEqualTo("Namespace/dapr-system");
    assertThat(seen.get(seen.size() - 1)).isEqualTo("Service/dapr-dashboard");
  }

  @Test
  void everyNamespacedObjectLivesInTheReleaseNamespace() {
    List<HasMetadata> objects = ControlPlaneManifests.render(new InstallSpec("my-dapr", Fixtures.spec(Map.of()).settings(),
        Fixtures.RELEASE, null), CrdSource.none());
    List<String> clusterScoped = List.of("Namespace", "ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration", "CustomResourceDefinition");
    objects.stream().filter(o -> !clusterScoped.contains(o.getKind()))
        .forEach(o -> assertThat(o.getMetadata().getNamespace()).as(o.getKind() + " " + o.getMetadata().getName()).isEqualTo("my-dapr"));
    assertThat(flag(args(objects, "dapr-operator"), "--sentry-address")).isEqualTo("dapr-sentry.my-dapr.svc.cluster.local:443");
  }

  @Test
  void haRunsTheHaCountOfEachComponentAndOneDashboard() {
    List<HasMetadata> objects = render(Map.of("global.ha.replicaCount", "5"));
    for (String w : HA_WORKLOADS) {
      assertThat(replicas(objects, w)).as(w).isEqualTo(5);
    }
    assertThat(replicas(objects, "dapr-dashboard")).isEqualTo(1);
    assertThat(replicas(render(Map.of()), "dapr-sentry")).isEqualTo(3);
  }

  @Test
  void withoutHaEachComponentRunsItsOwnReplicaCount() {
    List<HasMetadata> objects = render(Map.of("global.ha.enabled", "false", "dapr_operator.replicaCount", "2"));
    assertThat(replicas(objects, "dapr-operator")).isEqualTo(2);
    assertThat(replicas(objects, "dapr-sentry")).isEqualTo(1);
    assertThat(replicas(objects, "dapr-placement-server")).isEqualTo(1);
    assertThat(replicas(objects, "dapr-sidecar-injector")).isEqualTo(1);
  }

  @Test
  void disruptionBudgetsOnlyInHaButAlwaysForTheSchedulersThreePeers() {
    List<PodDisruptionBudget> ha = all(render(Map.of()), PodDisruptionBudget.class);
    assertThat(ha).extracting(p -> p.getMetadata().getName())
        .containsExactly("dapr-sentry", "dapr-operator", "dapr-placement-server", "dapr-scheduler-server", "dapr-sidecar-injector");
    assertThat(ha).allSatisfy(p -> {
      assertThat(p.getSpec().getMaxUnavailable().getStrVal()).isEqualTo("25%");
      assertThat(p.getSpec().getSelector().getMatchLabels()).containsEntry("app", p.getMetadata().getName());
    });
    assertThat(all(render(Map.of("global.ha.enabled", "false")), PodDisruptionBudget.class)).extracting(p -> p.getMetadata().getName())
        .containsExactly("dapr-scheduler-server");
  }

  @Test
  void haReplicasPreferDifferentZones() {
    Map<String, PodSpec> ha = podSpecs(render(Map.of()));
    for (String w : HA_WORKLOADS) {
      var preferred = ha.get(w).getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
      assertThat(preferred).singleElement().satisfies(t -> {
        assertThat(t.getPodAffinityTerm().getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
        assertThat(t.getPodAffinityTerm().getLabelSelector().getMatchLabels()).containsEntry("app", w);
      });
      // preferred only: a one-zone cluster must still schedule every replica
      assertThat(ha.get(w).getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()).isNullOrEmpty();
    }
    assertThat(ha.get("dapr-dashboard").getAffinity()).isNull();
    // the scheduler's three peers spread whatever global.ha says
    podSpecs(render(Map.of("global.ha.enabled", "false"))).forEach((w, p) -> assertThat(p.getAffinity() == null)
        .as(w).isEqualTo(!w.equals("dapr-scheduler-server")));
  }

  @Test
  void everyComponentRunsTheOneImageFromRegistryAndTag() {
    Map<String, PodSpec> byVersion = podSpecs(render(Map.of()));
    byVersion.forEach((w, p) -> assertThat(p.getContainers().get(0).getImage()).as(w).isEqualTo("ghcr.io/daprx/daprx:0.3.1"));
    Map<String, PodSpec> byTag = podSpecs(render(Map.of("global.registry", "registry.example.com/mirror", "global.tag", "0.3.1-fix")));
    byTag.forEach((w, p) -> assertThat(p.getContainers().get(0).getImage()).isEqualTo("registry.example.com/mirror/daprx:0.3.1-fix"));
    byTag.forEach((w, p) -> assertThat(p.getContainers().get(0).getArgs().get(0)).isEqualTo(w.equals("dapr-sidecar-injector") ? "injector"
        : w.replace("dapr-", "").replace("-server", "")));
    assertThat(flag(args(render(Map.of()), "dapr-sidecar-injector"), "--sidecar-image")).isEqualTo("ghcr.io/daprx/daprd:1.17.4");
  }

  @Test
  void theCatalogsImageTagIsUsedUnlessGlobalTagOverridesIt() {
    Release hotfix = new Release(Semver.parse("0.3.1"), "0.3.1-hotfix.2", "1.18.1");
    List<HasMetadata> objects = ControlPlaneManifests.render(new InstallSpec("dapr-system", Fixtures.spec(Map.of()).settings(), hotfix, null),
        CrdSource.none());
    assertThat(podSpecs(objects).get("dapr-sentry").getContainers().get(0).getImage()).isEqualTo("ghcr.io/daprx/daprx:0.3.1-hotfix.2");
    assertThat(get(objects, Deployment.class, "dapr-sentry").getMetadata().getLabels()).containsEntry("app.kubernetes.io/version", "0.3.1");
    assertThat(flag(args(objects, "dapr-sidecar-injector"), "--sidecar-image")).isEqualTo("ghcr.io/daprx/daprd:1.18.1");
  }

  @Test
  void nodeSelectorReachesEveryPod() {
    podSpecs(render(Map.of("global.nodeSelector.kubernetes.io/os", "linux", "global.nodeSelector.pool", "system")))
        .forEach((w, p) -> assertThat(p.getNodeSelector()).as(w).containsExactlyInAnyOrderEntriesOf(
            Map.of("kubernetes.io/os", "linux", "pool", "system")));
    podSpecs(render(Map.of())).forEach((w, p) -> assertThat(p.getNodeSelector()).as(w).isNullOrEmpty());
  }

  @Test
  void placementReplicasKnowEveryPeerByItsStableName() {
    List<String> a = args(render(Map.of()), "dapr-placement-server");
    assertThat(flag(a, "--initial-cluster")).isEqualTo(
        "dapr-placement-server-0=dapr-placement-server-0.dapr-placement-server.dapr-system.svc.cluster.local:8201,"
            + "dapr-placement-server-1=dapr-placement-server-1.dapr-placement-server.dapr-system.svc.cluster.local:8201,"
            + "dapr-placement-server-2=dapr-placement-server-2.dapr-placement-server.dapr-system.svc.cluster.local:8201");
    assertThat(flag(a, "--id")).isEqualTo("$(PLACEMENT_ID)");
    assertThat(a).as("the dashboard reads the leader's tables").contains("--metadata-enabled");
    assertThat(flag(args(render(Map.of("global.ha.enabled", "false")), "dapr-placement-server"), "--initial-cluster"))
        .isEqualTo("dapr-placement-server-0=dapr-placement-server-0.dapr-placement-server.dapr-system.svc.cluster.local:8201");
    Service headless = get(render(Map.of()), Service.class, "dapr-placement-server");
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(headless.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort()).containsExactly("api:50005", "raft-node:8201");
    assertThat(get(render(Map.of()), StatefulSet.class, "dapr-placement-server").getSpec().getServiceName()).isEqualTo("dapr-placement-server");
  }

  @Test
  void placementKeepsItsElectionLogOnAVolumeInHaUnlessForcedInMemory() {
    StatefulSet ha = get(render(Map.of()), StatefulSet.class, "dapr-placement-server");
    assertThat(ha.getSpec().getVolumeClaimTemplates()).extracting(c -> c.getMetadata().getName()).containsExactly("raft-log");
    StatefulSet inMemory = get(render(Map.of("dapr_placement.cluster.forceInMemoryLog", "true")), StatefulSet.class, "dapr-placement-server");
    assertThat(inMemory.getSpec().getVolumeClaimTemplates()).isEmpty();
    assertThat(inMemory.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().equals("raft-log"))
        .singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  @Test
  void theSchedulerIsAStatefulSetOfThreePeersHaOrNot() {
    for (Map<String, String> settings : List.of(Map.<String, String>of(), Map.of("global.ha.enabled", "false"))) {
      List<HasMetadata> objects = render(settings);
      StatefulSet sts = get(objects, StatefulSet.class, "dapr-scheduler-server");
      assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
      assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
      assertThat(sts.getSpec().getServiceName()).isEqualTo("dapr-scheduler-server");
      assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("dapr.io/control-plane", "scheduler");
      PodSpec pod = sts.getSpec().getTemplate().getSpec();
      assertThat(pod.getServiceAccountName()).isEqualTo("dapr-scheduler");
      assertThat(pod.getContainers().get(0).getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(pod.getContainers().get(0).getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8080);
      List<String> a = args(objects, "dapr-scheduler-server");
      assertThat(a.get(0)).isEqualTo("scheduler");
      assertThat(flag(a, "--id")).isEqualTo("$(SCHEDULER_ID)");
      assertThat(flag(a, "--port")).isEqualTo("50006");
      assertThat(flag(a, "--mode")).isEqualTo("kubernetes");
      assertThat(flag(a, "--etcd-initial-cluster")).isEqualTo(
          "dapr-scheduler-server-0=http://dapr-scheduler-server-0.dapr-scheduler-server.dapr-system.svc.cluster.local:2380,"
              + "dapr-scheduler-server-1=http://dapr-scheduler-server-1.dapr-scheduler-server.dapr-system.svc.cluster.local:2380,"
              + "dapr-scheduler-server-2=http://dapr-scheduler-server-2.dapr-scheduler-server.dapr-system.svc.cluster.local:2380");
      assertThat(flag(a, "--override-broadcast-host-port")).isEqualTo("$(SCHEDULER_ID).dapr-scheduler-server.dapr-system.svc.cluster.local:50006");
      assertThat(flag(a, "--etcd-data-dir")).isEqualTo("/var/run/data/dapr-scheduler/dapr-system/$(SCHEDULER_ID)");
      assertThat(flag(a, "--sentry-address")).isEqualTo("dapr-sentry.dapr-system.svc.cluster.local:443");
      assertThat(a).contains("--tls-enabled");
    }
  }

  @Test
  void theSchedulerKeepsItsJobsOnAClaimPerReplicaOrInMemory() {
    StatefulSet byDefault = get(render(Map.of()), StatefulSet.class, "dapr-scheduler-server");
    assertThat(byDefault.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(c -> {
      assertThat(c.getMetadata().getName()).isEqualTo("dapr-scheduler-data-dir");
      assertThat(c.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("16Gi");
      assertThat(c.getSpec().getStorageClassName()).isNull();
    });
    StatefulSet sized = get(render(Map.of("dapr_scheduler.cluster.storageSize", "4Gi", "dapr_scheduler.cluster.storageClassName", "fast-ssd")),
        StatefulSet.class, "dapr-scheduler-server");
    assertThat(sized.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(c -> {
      assertThat(c.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("4Gi");
      assertThat(c.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
    });
    StatefulSet inMemory = get(render(Map.of("dapr_scheduler.cluster.inMemoryStorage", "true")), StatefulSet.class, "dapr-scheduler-server");
    assertThat(inMemory.getSpec().getVolumeClaimTemplates()).isEmpty();
    assertThat(inMemory.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().equals("dapr-scheduler-data-dir"))
        .singleElement().satisfies(v -> assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory"));
  }

  @Test
  void theSchedulersServicesListReplicasBeforeTheyAreReady() {
    List<HasMetadata> objects = render(Map.of());
    Service a = get(objects, Service.class, "dapr-scheduler-server-a");
    assertThat(a.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(a.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort() + "->" + p.getTargetPort().getIntVal())
        .isEqualTo("443->50006"));
    assertThat(a.getSpec().getPublishNotReadyAddresses()).isTrue();
    Service headless = get(objects, Service.class, "dapr-scheduler-server");
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(headless.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort()).containsExactly("api:50006", "etcd-peer:2380");
    // the other components' Services are as before
    assertThat(get(objects, Service.class, "dapr-sentry").getSpec().getPublishNotReadyAddresses()).isNull();
  }

  @Test
  void turningTheSchedulerOffRendersNoneOfItAndDeletesWhatAnEarlierInstallMade() {
    List<HasMetadata> off = render(Map.of("global.scheduler.enabled", "false"));
    assertThat(off).noneMatch(o -> o.getMetadata().getName().startsWith("dapr-scheduler"));
    // its sidecars would never become ready pointed at a scheduler that is not there
    assertThat(args(off, "dapr-sidecar-injector")).contains("--scheduler-enabled=false").doesNotContain("--sidecar-scheduler-address");
    assertThat(args(render(Map.of()), "dapr-sidecar-injector")).contains("--scheduler-enabled=true");
    ControlPlaneManifests.Step step = ControlPlaneManifests.steps(Fixtures.spec(Map.of("global.scheduler.enabled", "false")), CrdSource.none())
        .stream().filter(st -> st.name().equals("scheduler")).findFirst().orElseThrow();
    assertThat(step.objects()).isEmpty();
    assertThat(step.removed()).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).contains("StatefulSet/dapr-scheduler-server",
        "Service/dapr-scheduler-server-a", "Service/dapr-scheduler-server", "PodDisruptionBudget/dapr-scheduler-server",
        "ServiceAccount/dapr-scheduler", "ClusterRole/dapr-scheduler", "ClusterRoleBinding/dapr-scheduler");
    assertThat(ControlPlaneManifests.steps(Fixtures.spec(Map.of()), CrdSource.none())).allSatisfy(st -> assertThat(st.removed()).isEmpty());
  }

  @Test
  void servicesExposeUpstreamPorts() {
    List<HasMetadata> objects = render(Map.of());
    Map<String, String> expected = Map.of("dapr-sentry", "443->50001", "dapr-api", "443->6500", "dapr-webhook", "443->19443",
        "dapr-sidecar-injector", "443->4000", "dapr-dashboard", "8080->8080");
    expected.forEach((name, ports) -> {
      Service s = get(objects, Service.class, name);
      assertThat(s.getSpec().getPorts()).singleElement()
          .satisfies(p -> assertThat(p.getPort() + "->" + p.getTargetPort().getIntVal()).as(name).isEqualTo(ports));
    });
  }

  @Test
  void webhookSendsNewPodsToTheInjectorAndNeverBlocksThem() {
    MutatingWebhookConfiguration config = get(render(Map.of()), MutatingWebhookConfiguration.class, "dapr-sidecar-injector");
    MutatingWebhook hook = config.getWebhooks().get(0);
    assertThat(config.getWebhooks()).hasSize(1);
    assertThat(hook.getName()).isEqualTo("sidecar-injector.dapr.io");
    assertThat(hook.getRules()).singleElement().satisfies(r -> {
      assertThat(r.getApiGroups()).containsExactly("");
      assertThat(r.getApiVersions()).containsExactly("v1");
      assertThat(r.getResources()).containsExactly("pods");
      assertThat(r.getOperations()).containsExactly("CREATE");
    });
    assertThat(hook.getSideEffects()).isEqualTo("None");
    assertThat(hook.getReinvocationPolicy()).isEqualTo("IfNeeded");
    assertThat(hook.getFailurePolicy()).isEqualTo("Ignore");
    assertThat(hook.getAdmissionReviewVersions()).containsExactly("v1");
    assertThat(hook.getClientConfig().getService().getName()).isEqualTo("dapr-sidecar-injector");
    assertThat(hook.getClientConfig().getService().getNamespace()).isEqualTo("dapr-system");
    assertThat(hook.getClientConfig().getService().getPath()).isEqualTo("/mutate");
    // sentry makes the CA at start: the injector fills the caBundle in then
    assertThat(hook.getClientConfig().getCaBundle()).isNull();
  }

  @Test
  void webhookTrustsTheGivenAnchors() {
    List<HasMetadata> objects = ControlPlaneManifests.render(Fixtures.spec(Map.of(), Fixtures.BUNDLE), CrdSource.none());
    String caBundle = get(objects, MutatingWebhookConfiguration.class, "dapr-sidecar-injector").getWebhooks().get(0).getClientConfig().getCaBundle();
    assertThat(new String(java.util.Base64.getDecoder().decode(caBundle), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(Fixtures.ROOT_PEM);
  }

  @Test
  void everyComponentHasItsAccountAndRights() {
    List<HasMetadata> objects = render(Map.of());
    Map<String, String> clusterRoles = Map.of("dapr-sentry", "dapr-sentry", "dapr-operator", "dapr-operator-admin",
        "dapr-placement", "dapr-placement", "dapr-injector", "dapr-injector", "dapr-dashboard", "dapr-dashboard", "dapr-scheduler", "dapr-scheduler");
    clusterRoles.forEach((sa, role) -> {
      assertThat(find(objects, ServiceAccount.class, sa)).as(sa).isPresent();
      assertThat(find(objects, ClusterRole.class, role)).as(role).isPresent();
      ClusterRoleBinding b = get(objects, ClusterRoleBinding.class, role);
      assertThat(b.getRoleRef().getName()).isEqualTo(role);
      assertThat(b.getSubjects()).singleElement().satisfies(s -> {
        assertThat(s.getName()).isEqualTo(sa);
        assertThat(s.getNamespace()).isEqualTo("dapr-system");
      });
    });
    assertThat(rules(get(objects, ClusterRole.class, "dapr-sentry").getRules())).contains("authentication.k8s.io/tokenreviews:create");
    assertThat(rules(get(objects, Role.class, "dapr-sentry").getRules()))
        .contains("/secrets:get,update,patch@dapr-trust-bundle", "/configmaps:get,update,patch@dapr-trust-bundle");
    assertThat(rules(get(objects, ClusterRole.class, "dapr-operator-admin").getRules()))
        .contains("dapr.io/components,configurations,subscriptions,resiliencies,httpendpoints,mcpservers,workflowaccesspolicies:get,list,watch", "/secrets:get,list,watch");
    assertThat(rules(get(objects, Role.class, "dapr-operator").getRules()))
        .contains("coordination.k8s.io/leases:get,list,watch,update,patch,create@operator.dapr.io,webhooks.dapr.io");
    assertThat(rules(get(objects, ClusterRole.class, "dapr-injector").getRules()))
        .contains("/serviceaccounts:get,list,watch", "admissionregistration.k8s.io/mutatingwebhookconfigurations:get,patch@dapr-sidecar-injector");
    assertThat(get(objects, ClusterRole.class, "dapr-placement").getRules()).isEmpty();
    // when a namespace goes, the scheduler deletes its jobs and reminders
    assertThat(rules(get(objects, ClusterRole.class, "dapr-scheduler").getRules())).containsExactly("/namespaces:get,list,watch");
    // the pods run as these accounts
    Map<String, PodSpec> pods = podSpecs(objects);
    assertThat(pods.get("dapr-sidecar-injector").getServiceAccountName()).isEqualTo("dapr-injector");
    assertThat(pods.get("dapr-placement-server").getServiceAccountName()).isEqualTo("dapr-placement");
  }

  @Test
  void componentsThatAskSentryMountItsAnchorsAndATokenForIt() {
    Map<String, PodSpec> pods = podSpecs(render(Map.of()));
    for (String w : List.of("dapr-operator", "dapr-placement-server", "dapr-sidecar-injector")) {
      PodSpec p = pods.get(w);
      Volume token = p.getVolumes().stream().filter(v -> v.getName().equals("dapr-identity-token")).findFirst().orElseThrow();
      assertThat(token.getProjected().getSources().get(0).getServiceAccountToken().getAudience())
          .isEqualTo("spiffe://cluster.local/ns/dapr-system/dapr-sentry");
      assertThat(token.getProjected().getSources().get(0).getServiceAccountToken().getPath()).isEqualTo("token");
      assertThat(p.getVolumes()).anyMatch(v -> v.getConfigMap() != null && v.getConfigMap().getName().equals("dapr-trust-bundle"));
      assertThat(p.getContainers().get(0).getVolumeMounts()).extracting(m -> m.getMountPath())
          .contains("/var/run/secrets/dapr.io/tls", "/var/run/secrets/dapr.io/sentrytoken");
      assertThat(flag(p.getContainers().get(0).getArgs(), "--trust-anchors-file")).isEqualTo("/var/run/secrets/dapr.io/tls/ca.crt");
      assertThat(flag(p.getContainers().get(0).getArgs(), "--sentry-address")).isEqualTo("dapr-sentry.dapr-system.svc.cluster.local:443");
    }
    assertThat(pods.get("dapr-sentry").getVolumes()).noneMatch(v -> v.getName().equals("dapr-identity-token"));
    assertThat(pods.get("dapr-sentry").getContainers().get(0).getArgs()).doesNotContain("--sentry-address");
  }

  @Test
  void everyPodRunsLockedDownWithHealthProbes() {
    podSpecs(render(Map.of())).forEach((w, p) -> {
      var c = p.getContainers().get(0);
      var sc = c.getSecurityContext();
      assertThat(sc.getRunAsNonRoot()).as(w).isTrue();
      assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
      assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
      assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(c.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8080);
      assertThat(c.getEnv()).anySatisfy(e -> {
        assertThat(e.getName()).isEqualTo("NAMESPACE");
        assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
      });
      assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
      assertThat(c.getResources().getLimits()).containsKey("memory");
      assertThat(c.getArgs()).containsSequence("--mode", "kubernetes");
    });
  }

  @Test
  void labelsNameTheComponentAndVersionButSelectorsOnlyTheApp() {
    Deployment sentry = get(render(Map.of()), Deployment.class, "dapr-sentry");
    assertThat(sentry.getMetadata().getLabels()).containsEntry("app", "dapr-sentry")
        .containsEntry("app.kubernetes.io/name", "dapr-sentry").containsEntry("app.kubernetes.io/component", "sentry")
        .containsEntry("app.kubernetes.io/part-of", "dapr").containsEntry("app.kubernetes.io/managed-by", "daprx")
        .containsEntry("app.kubernetes.io/version", "0.3.1");
    // a selector cannot change after create: the version label must stay out of it or upgrades would fail
    assertThat(sentry.getSpec().getSelector().getMatchLabels()).containsExactlyEntriesOf(Map.of("app", "dapr-sentry"));
    assertThat(sentry.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("dapr.io/control-plane", "sentry");
  }

  @Test
  void settingsBecomeComponentFlags() {
    List<HasMetadata> objects = render(Map.of("global.mtls.workloadCertTTL", "12h", "global.mtls.allowedClockSkew", "1m",
        "global.logLevel", "debug", "global.logAsJson", "true"));
    List<String> sentry = args(objects, "dapr-sentry");
    // sentry reads them from the daprsystem Configuration, which a user may edit; flags would be a second source of truth
    assertThat(sentry).doesNotContain("--workload-cert-ttl", "--allowed-clock-skew");
    io.fabric8.kubernetes.api.model.GenericKubernetesResource config = objects.stream()
        .filter(o -> o.getKind().equals("Configuration") && o.getMetadata().getName().equals("daprsystem"))
        .map(io.fabric8.kubernetes.api.model.GenericKubernetesResource.class::cast).findFirst().orElseThrow();
    @SuppressWarnings("unchecked")
    Map<String, Object> mtls = (Map<String, Object>) ((Map<String, Object>) config.getAdditionalProperties().get("spec")).get("mtls");
    assertThat(mtls).containsEntry("workloadCertTTL", "12h0m0s").containsEntry("allowedClockSkew", "1m0s");
    for (String w : List.of("dapr-sentry", "dapr-operator", "dapr-placement-server", "dapr-sidecar-injector", "dapr-dashboard")) {
      assertThat(flag(args(objects, w), "--log-level")).as(w).isEqualTo("debug");
      assertThat(args(objects, w)).as(w).contains("--log-as-json");
    }
    assertThat(args(render(Map.of()), "dapr-operator")).doesNotContain("--log-as-json");
    assertThat(flag(args(objects, "dapr-operator"), "--port")).isEqualTo("6500");
    assertThat(flag(args(objects, "dapr-sidecar-injector"), "--port")).isEqualTo("4000");
  }

  @Test
  void anIncompleteBundleIsRefusedBeforeRendering() {
    assertThatThrownBy(() -> Fixtures.spec(Map.of(), new RawBundle(Fixtures.ROOT_PEM, null, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("issuer.key");
  }

  private static int replicas(List<HasMetadata> objects, String workload) {
    return find(objects, Deployment.class, workload).map(d -> d.getSpec().getReplicas())
        .orElseGet(() -> get(objects, StatefulSet.class, workload).getSpec().getReplicas());
  }

  /** Rules as {@code group/resources:verbs[@names]}, easy to compare with the chart. */
  private static List<String> rules(List<PolicyRule> rules) {
    List<String> out = new ArrayList<>();
    for (PolicyRule r : rules) {
      String names = r.getResourceNames() == null || r.getResourceNames().isEmpty() ? "" : "@" + String.join(",", r.getResourceNames());
      out.add(String.join(",", r.getApiGroups()) + "/" + String.join(",", r.getResources()) + ":" + String.join(",", r.getVerbs()) + names);
    }
    return out;
  }
}
