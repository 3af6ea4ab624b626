package io.daprx.manager.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.kube.ControlPlaneManifests;
import io.daprx.manager.kube.CrdSource;
import io.daprx.manager.kube.InstallSpec;
import io.daprx.manager.store.Doc;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Kubernetes target against the fabric8 CRUD API server ({@link CrudApiServer}); {@link FakeKubelet} rolls workloads out. */
class KubernetesTargetMockTest {

  static final String NS = "dapr-system";
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  static final Release RELEASE = Catalog.builtIn().defaultVersion("stable");

  KubernetesMockServer server;
  KubernetesClient client;

  static CrdSource crds;
  FakeKubelet kubelet;
  KubernetesTarget target;
  Doc cluster;

  @BeforeEach
  void setUp() throws Exception {
    server = CrudApiServer.start();
    client = server.createClient();
    if (crds == null) {
      URLClassLoader loader = new URLClassLoader(new URL[] {Path.of("..", "operator", "src", "main", "resources").toUri().toURL()}, null);
      crds = CrdSource.classpath(loader);
      assertThat(crds.crds()).extracting(c -> c.getMetadata().getName()).containsExactlyElementsOf(CrdSource.NAMES)
          .contains("mcpservers.dapr.io", "workflowaccesspolicies.dapr.io");
    }
    target = new KubernetesTarget(c -> new KubernetesClientBuilder().withConfig(client.getConfiguration()).build(), () -> RELEASE, crds,
        Clock.systemUTC());
    cluster = new Doc("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/k1", "cluster", "rg",
        new ObjectMapper().createObjectNode(), "1", Instant.now(), Instant.now());
    kubelet = new FakeKubelet(client);
  }

  @AfterEach
  void tearDown() {
    kubelet.close();
    client.close();
    server.destroy();
  }

  static DaprSettings settings(Map<String, String> raw) {
    return DaprSettings.parse(raw);
  }

  static List<HasMetadata> rendered() {
    return ControlPlaneManifests.render(new InstallSpec(NS, DaprSettings.defaults(), RELEASE, null), crds);
  }

  static String plural(HasMetadata o) {
    return o instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource ? o.getKind().toLowerCase() + "s" : HasMetadata.getPlural(o.getClass());
  }

  List<RecordedRequest> drainRequests() throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    for (RecordedRequest r = server.takeRequest(200, TimeUnit.MILLISECONDS); r != null; r = server.takeRequest(200, TimeUnit.MILLISECONDS)) {
      out.add(r);
    }
    return out;
  }

  @Test
  void applyCreatesEveryObjectInRenderOrderEveryComponentOnlyOnceSentryIsRolledOut() throws Exception {
    drainRequests();
    List<Target.ComponentStatus> statuses = target.apply(cluster, install(DaprSettings.defaults()), TIMEOUT);

    assertThat(statuses).extracting(Target.ComponentStatus::workload)
        .containsExactly("dapr-sentry", "dapr-operator", "dapr-placement-server", "dapr-scheduler-server", "dapr-sidecar-injector", "dapr-dashboard");
    assertThat(statuses).allSatisfy(s -> assertThat(s.ready()).isEqualTo(s.desired()));
    assertThat(statuses.get(0).desired()).isEqualTo(3);

    // the recorded request bodies are consumed by the CRUD dispatcher, so the order is checked by collection (kind)
    List<String> created = drainRequests().stream().filter(r -> "POST".equals(r.getMethod()))
        .map(r -> r.getPath().substring(r.getPath().lastIndexOf('/') + 1)).toList();
    assertThat(created).containsExactlyElementsOf(rendered().stream().map(KubernetesTargetMockTest::plural).toList());
    for (HasMetadata o : rendered()) {
      HasMetadata live = client.resource(o).get();
      assertThat(live).as(o.getKind() + " " + o.getMetadata().getName()).isNotNull();
      assertThat(live.getMetadata().getLabels()).containsEntry(KubernetesTarget.MANAGED_BY, "daprx").containsEntry(KubernetesTarget.INSTALL_LABEL, NS);
    }
    // every component appeared only once sentry was rolled out: they ask it for their identities
    List<String> order = kubelet.appeared.stream().map(Map.Entry::getKey).toList();
    assertThat(order).containsExactly("dapr-sentry", "dapr-operator", "dapr-placement-server", "dapr-scheduler-server", "dapr-sidecar-injector", "dapr-dashboard");
    for (int i = 1; i < kubelet.appeared.size(); i++) {
      assertThat(kubelet.appeared.get(i).getValue()).as(order.get(i) + " appeared after").contains("dapr-sentry");
    }
  }

  @Test
  void theComponentsAfterSentryRollOutSideBySideAndOneThatStallsFailsTheInstallByName() {
    kubelet.stuck.add("dapr-operator");

    assertThatThrownBy(() -> target.apply(cluster, install(DaprSettings.defaults()), Duration.ofSeconds(4)))
        .isInstanceOf(ReconcileException.class).hasMessageContaining("Deployment(dapr-system/dapr-operator) 3/3 updated, 0/3 ready")
        .hasMessageContaining("kubectl -n dapr-system rollout status deployment/dapr-operator")
        .hasMessageNotContaining("dapr-sentry").hasMessageNotContaining("dapr-placement-server");
    // the operator's stall held nothing back: the components after it were applied without waiting for it
    assertThat(kubelet.appeared).extracting(Map.Entry::getKey)
        .containsExactly("dapr-sentry", "dapr-operator", "dapr-placement-server", "dapr-scheduler-server", "dapr-sidecar-injector", "dapr-dashboard");
    assertThat(kubelet.appeared.get(kubelet.appeared.size() - 1).getValue()).doesNotContain("dapr-operator");
  }

  @Test
  void secondApplyOfTheSameSettingsWritesNothing() throws Exception {
    target.apply(cluster, install(DaprSettings.defaults()), TIMEOUT);
    drainRequests();

    List<Target.ComponentStatus> again = target.apply(cluster, install(DaprSettings.defaults()), TIMEOUT);

    assertThat(again).hasSize(6).allSatisfy(s -> assertThat(s.ready()).isEqualTo(s.desired()));
    assertThat(drainRequests()).extracting(r -> r.getMethod() + " " + r.getPath()).filteredOn(s -> !s.startsWith("GET")).isEmpty();
  }

  @Test
  void changedSettingsPatchOnlyWhatChanged() throws Exception {
    target.apply(cluster, install(DaprSettings.defaults()), TIMEOUT);
    drainRequests();

    target.apply(cluster, install(settings(Map.of("dapr_operator.replicaCount", "2", "global.ha.enabled", "false"))), TIMEOUT);

    List<String> writes = drainRequests().stream().filter(r -> !"GET".equals(r.getMethod()) && !r.getPath().endsWith("/status"))
        .map(r -> r.getMethod() + " " + r.getPath()).toList();
    assertThat(writes).isNotEmpty().allSatisfy(w -> assertThat(w).startsWith("PATCH"));
    assertThat(writes).anySatisfy(w -> assertThat(w).contains("/deployments/dapr-operator"));
    assertThat(client.apps().deployments().inNamespace(NS).withName("dapr-operator").get().getSpec().getReplicas()).isEqualTo(2);
    assertThat(client.apps().deployments().inNamespace(NS).withName("dapr-operator").get().getSpec().getTemplate().getSpec().getContainers())
        .as("a merge patch replaces the list").hasSize(1);
  }

  @Test
  void anUpdateThatTurnsTheSchedulerOffDeletesItsObjectsAndPointsNoSidecarAtIt() throws Exception {
    target.apply(cluster, install(DaprSettings.defaults()), TIMEOUT);
    assertThat(client.apps().statefulSets().inNamespace(NS).withName("dapr-scheduler-server").get()).isNotNull();
    List<Target.ComponentStatus> off = target.apply(cluster, install(settings(Map.of("global.scheduler.enabled", "false"))), TIMEOUT);
    assertThat(off).extracting(Target.ComponentStatus::workload).doesNotContain("dapr-scheduler-server");
    assertThat(client.apps().statefulSets().inNamespace(NS).withName("dapr-scheduler-server").get()).isNull();
    assertThat(client.services().inNamespace(NS).withName("dapr-scheduler-server-a").get()).isNull();
    assertThat(client.services().inNamespace(NS).withName("dapr-scheduler-server").get()).isNull();
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("dapr-scheduler-server").get()).isNull();
    assertThat(client.serviceAccounts().inNamespace(NS).withName("dapr-scheduler").get()).isNull();
    assertThat(client.rbac().clusterRoles().withName("dapr-scheduler").get()).isNull();
    assertThat(client.apps().deployments().inNamespace(NS).withName("dapr-sidecar-injector").get().getSpec().getTemplate().getSpec()
        .getContainers().get(0).getArgs()).contains("--scheduler-enabled=false");
    // and on again
    target.apply(cluster, install(DaprSettings.defaults()), TIMEOUT);
    assertThat(client.apps().statefulSets().inNamespace(NS).withName("dapr-scheduler-server").get().getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void aSentryThatNeverBecomesReadyFailsTheApplyNamingItBeforeAnythingElseStarts() {
    kubelet.stuck.add("dapr-sentry");

    assertThatThrownBy(() -> target.apply(cluster, install(DaprSettings.defaults()), Duration.ofSeconds(3)))
        .isInstanceOf(ReconcileException.class).hasMessageContaining("Deployment(dapr-system/dapr-sentry) 3/3 updated, 0/3 ready")
        .hasMessageContaining("kubectl -n dapr-system rollout status deployment/dapr-sentry").hasMessageNotContaining("dapr-operator");
    assertThat(client.apps().deployments().inNamespace(NS).withName("dapr-operator").get())
        .as("nothing asks a sentry that is not there: no component after it is applied").isNull();
    assertThat(client.apps().statefulSets().inNamespace(NS).withName("dapr-placement-server").get()).isNull();
  }

  @Test
  void anUpgradeWhoseNewPodsNeverBecomeReadyFailsItsGateAlthoughTheOldPodsAreAllReady() throws Exception {
    target.apply(cluster, install(DaprSettings.defaults()), TIMEOUT);
    Release broken = new Release(Semver.parse("9.9.9"), "9.9.9-broken", RELEASE.daprVersion());
    kubelet.brokenTags.add(broken.imageTag());

    assertThatThrownBy(() -> target.apply(cluster, new Install(NS, DaprSettings.defaults(), broken, true), Duration.ofSeconds(3)))
        .isInstanceOf(ReconcileException.class)
        .hasMessageContaining("Deployment(dapr-system/dapr-sentry) 1/3 updated, 3/3 ready, 3/3 available, 3 old pending termination")
        .hasMessageContaining("kubectl -n dapr-system rollout status deployment/dapr-sentry");
    // the chain stopped at the first gate: the next component still runs the old version
    assertThat(client.apps().deployments().inNamespace(NS).withName("dapr-operator").get().getSpec().getTemplate().getSpec().getContainers().get(0)
        .getImage()).endsWith(":" + RELEASE.imageTag());

    // going back is a new spec, and rolls out again
    assertThat(target.apply(cluster, install(DaprSettings.defaults()), TIMEOUT)).hasSize(6).allSatisfy(s -> assertThat(s.ready()).isEqualTo(s.desired()));
  }

  @Test
  void publishedExtensionStateIsAConfigMapOfTheInstallThatRemoveDeletes() throws Exception {
    target.apply(cluster, install(DaprSettings.defaults()), TIMEOUT);
    ObjectMapper json = new ObjectMapper();
    ObjectNode extension = json.createObjectNode().put("name", "dapr");
    extension.putObject("properties").put("currentVersion", "0.1.0");
    ArrayNode operations = json.createArrayNode();
    operations.addObject().put("status", "Succeeded").putObject("properties").put("operation", "create");

    target.publish(cluster, NS, extension, operations);

    ConfigMap cm = client.configMaps().inNamespace(NS).withName(KubernetesTarget.EXTENSION_CONFIG_MAP).get();
    assertThat(cm.getMetadata().getLabels()).containsEntry(KubernetesTarget.MANAGED_BY, "daprx").containsEntry(KubernetesTarget.INSTALL_LABEL, NS);
    assertThat(json.readTree(cm.getData().get("extension.json"))).isEqualTo(extension);
    assertThat(cm.getData().get("extension.json")).contains("\n  ");
    assertThat(json.readTree(cm.getData().get("operations.json"))).isEqualTo(operations);

    extension.with("properties").put("currentVersion", "0.2.0");
    target.publish(cluster, NS, extension, operations);
    assertThat(json.readTree(client.configMaps().inNamespace(NS).withName(KubernetesTarget.EXTENSION_CONFIG_MAP).get().getData().get("extension.json"))
        .path("properties").path("currentVersion").asText()).isEqualTo("0.2.0");

    target.remove(cluster, NS);
    assertThat(client.configMaps().inNamespace(NS).withName(KubernetesTarget.EXTENSION_CONFIG_MAP).get()).isNull();
  }

  @Test
  void nothingIsPublishedWhereTheInstallNeverCreatedItsNamespace() {
    target.publish(cluster, "never-installed", new ObjectMapper().createObjectNode(), new ObjectMapper().createArrayNode());

    assertThat(client.namespaces().withName("never-installed").get()).isNull();
    assertThat(client.configMaps().inAnyNamespace().withField("metadata.name", KubernetesTarget.EXTENSION_CONFIG_MAP).list().getItems()).isEmpty();
  }

  private void helmDapr(String namespace) {
    client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder().withNewMetadata().withName("dapr-operator")
        .withNamespace(namespace).addToLabels(KubernetesTarget.MANAGED_BY, "Helm").addToLabels("app", "dapr-operator")
        .addToAnnotations(KubernetesTarget.HELM_RELEASE, "dapr").endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "dapr-operator").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "dapr-operator").endMetadata().withNewSpec().addNewContainer()
        .withName("dapr-operator").withImage("daprio/operator:1.14.4").endContainer().endSpec().endTemplate().endSpec().build()).create();
  }

  @Test
  void anExistingDaprNotInstalledByDaprxIsRefusedWithTheWaysOut() {
    helmDapr(NS);

    assertThatThrownBy(() -> target.apply(cluster, install(DaprSettings.defaults()), TIMEOUT)).isInstanceOf(ReconcileException.class)
        .hasMessageContaining("Deployment(dapr-system/dapr-operator)").hasMessageContaining("skipExistingDaprCheck=true")
        .hasMessageContaining("existingDaprReleaseName").hasMessageContaining("existingDaprReleaseNamespace");
    assertThat(client.apps().deployments().inNamespace(NS).withName("dapr-sentry").get()).as("nothing written").isNull();
  }

  @Test
  void skipExistingDaprCheckInstallsBesideIt() throws Exception {
    helmDapr("dapr-old");

    assertThat(target.apply(cluster, install(settings(Map.of("skipExistingDaprCheck", "true"))), TIMEOUT)).hasSize(6);
    assertThat(client.apps().deployments().inNamespace("dapr-old").withName("dapr-operator").get().getMetadata().getLabels())
        .containsEntry(KubernetesTarget.MANAGED_BY, "Helm");
  }

  @Test
  void anAdoptedInstallIsTakenOverAndRelabelled() throws Exception {
    helmDapr(NS);

    target.apply(cluster, install(settings(Map.of("existingDaprReleaseName", "dapr", "existingDaprReleaseNamespace", NS))), TIMEOUT);

    Deployment operator = client.apps().deployments().inNamespace(NS).withName("dapr-operator").get();
    assertThat(operator.getMetadata().getLabels()).containsEntry(KubernetesTarget.MANAGED_BY, "daprx").containsEntry(KubernetesTarget.INSTALL_LABEL, NS);
    assertThat(operator.getSpec().getReplicas()).isEqualTo(3);
    // adopted now: the next apply no longer sees a foreign install
    assertThat(target.apply(cluster, install(DaprSettings.defaults()), TIMEOUT)).hasSize(6);
  }

  @Test
  void adoptingFromAnotherHelmReleaseIsRefused() {
    helmDapr(NS);

    assertThatThrownBy(() -> target.apply(cluster, install(settings(Map.of("existingDaprReleaseName", "other", "existingDaprReleaseNamespace", NS))), TIMEOUT))
        .isInstanceOf(ReconcileException.class).hasMessageContaining("Helm release 'dapr'");
  }

  @Test
  void removeDeletesTheInstallButLeavesTheCrdsAndTheNamespace() throws Exception {
    target.apply(cluster, install(DaprSettings.defaults()), TIMEOUT);

    target.remove(cluster, NS);

    for (HasMetadata o : rendered()) {
      HasMetadata live = client.resource(o).get();
      if (o instanceof io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition
          || o instanceof io.fabric8.kubernetes.api.model.Namespace) {
        assertThat(live).as("kept: " + o.getKind() + " " + o.getMetadata().getName()).isNotNull();
      } else {
        assertThat(live).as("removed: " + o.getKind() + " " + o.getMetadata().getName()).isNull();
      }
    }
  }

  private static Install install(DaprSettings settings) {
    return new Install(NS, settings, RELEASE, true);
  }
}
