package io.daprx.manager;

import static io.daprx.manager.MockClusterManager.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.MockClusterManager.Reply;
import io.daprx.manager.deploy.KubeApply;
import io.daprx.manager.kube.CrdSource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions on a connected cluster through the management server's HTTP API, from a catalog file: pinning, moving to
 * the newest minor, downgrades that keep the newer CRDs, and the rollback of a version whose health gate fails, by
 * the user's update and by the auto-upgrader's own scheduler.
 */
class ConnectedClusterUpgradeMockTest {

  static final String NS = "dapr-system";
  static final String VERSION_LABEL = "app.kubernetes.io/version";
  /** Short, so a version that never becomes healthy is given up on quickly; a healthy install on the mock takes about a second. */
  static final Duration RECONCILE_TIMEOUT = Duration.ofSeconds(8);
  static final Duration TICK = Duration.ofSeconds(1);
  static final Duration SETTLE = Duration.ofSeconds(60);
  static final String STABLE = """
      {"version": "0.0.9", "imageTag": "0.0.9", "daprVersion": "1.16.0"},
      {"version": "0.1.0", "imageTag": "0.1.0", "daprVersion": "1.16.1"},
      {"version": "0.2.0", "imageTag": "0.2.0", "daprVersion": "1.17.0"},
      {"version": "0.3.0", "imageTag": "0.3.0", "daprVersion": "1.17.1"}""";
  static final String DEV = """
      {"version": "0.3.0", "imageTag": "0.3.0", "daprVersion": "1.17.1"},
      {"version": "1.0.0-rc.1", "imageTag": "1.0.0-rc.1", "daprVersion": "1.18.0"}""";
  /** A newer stable version whose pods never become ready ({@link io.daprx.manager.deploy.FakeKubelet#brokenTags}). */
  static final String BROKEN = """
      {"version": "0.4.0", "imageTag": "0.4.0-broken", "daprVersion": "1.18.0"}""";

  @TempDir
  Path home;
  Path catalog;
  MockClusterManager m;
  KubernetesClient client;
  String extPath;

  @BeforeEach
  void setUp() throws Exception {
    catalog = home.resolve("catalog.json");
    writeCatalog(STABLE);
    m = MockClusterManager.start(MockClusterManager.options(home.resolve("server"), catalog, RECONCILE_TIMEOUT, TICK));
    client = m.client;
    extPath = m.connect("k1") + "/providers/Microsoft.KubernetesConfiguration/extensions/dapr";
  }

  @AfterEach
  void tearDown() {
    m.close();
  }

  /** Publishes a catalog the way a release pipeline would: the whole file replaced at once. */
  void writeCatalog(String stable) throws Exception {
    Path tmp = Files.createTempFile(home, "catalog", ".tmp");
    Files.writeString(tmp, "{\"trains\": {\"stable\": [" + stable + "], \"dev\": [" + DEV + "]}}");
    Files.move(tmp, catalog, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  JsonNode create(ObjectNode properties) throws Exception {
    ObjectNode ext = MockClusterManager.extension("Microsoft.Dapr");
    ((ObjectNode) ext.get("properties")).setAll(properties);
    Reply r = m.call("PUT", extPath, ext);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
    JsonNode props = m.awaitSettled(extPath, SETTLE);
    assertThat(props.path("provisioningState").asText()).as(props.toString()).isEqualTo("Succeeded");
    return props;
  }

  JsonNode update(ObjectNode properties) throws Exception {
    ObjectNode patch = JSON.createObjectNode();
    patch.set("properties", properties);
    Reply r = m.call("PATCH", extPath, patch);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(202);
    return m.awaitSettled(extPath, SETTLE);
  }

  static ObjectNode pinned(String version) {
    return JSON.createObjectNode().put("version", version).put("autoUpgradeMinorVersion", false);
  }

  List<HasMetadata> workloads() {
    List<HasMetadata> out = new ArrayList<>(client.apps().deployments().inNamespace(NS).list().getItems());
    out.addAll(client.apps().statefulSets().inNamespace(NS).list().getItems());
    return out;
  }

  static PodTemplateSpec template(HasMetadata w) {
    return w instanceof Deployment d ? d.getSpec().getTemplate() : ((StatefulSet) w).getSpec().getTemplate();
  }

  /** Every workload (and its pods) runs the daprx image of {@code tag} and is labelled with {@code version}. */
  void assertEveryWorkloadRuns(String version, String tag) {
    List<HasMetadata> workloads = workloads();
    assertThat(workloads).hasSize(6).allSatisfy(w -> {
      assertThat(w.getMetadata().getLabels()).as(w.getMetadata().getName()).containsEntry(VERSION_LABEL, version);
      assertThat(template(w).getMetadata().getLabels()).as(w.getMetadata().getName() + " pods").containsEntry(VERSION_LABEL, version);
      assertThat(template(w).getSpec().getContainers()).as(w.getMetadata().getName()).singleElement()
          .satisfies(c -> assertThat(c.getImage()).endsWith("/daprx:" + tag));
    });
  }

  CustomResourceDefinition componentsCrd() {
    return client.apiextensions().v1().customResourceDefinitions().withName("components.dapr.io").get();
  }

  /** Makes the Components CRD look like another version's: another hash, and a category only that version has. */
  void crdOfAnotherVersion() {
    CustomResourceDefinition crd = componentsCrd();
    crd.getMetadata().getAnnotations().put(KubeApply.HASH_ANNOTATION, "another-version");
    crd.getSpec().getNames().setCategories(List.of("dapr", "from-another-version"));
    crd.getMetadata().setManagedFields(null);
    client.resource(crd).update();
  }

  boolean crdReapplied() {
    return componentsCrd().getSpec().getNames().getCategories().equals(List.of("dapr"));
  }

  List<JsonNode> operations() throws Exception {
    return StreamSupport.stream(m.call("GET", extPath + "/operations", null).body().path("value").spliterator(), false).toList();
  }

  static List<String> codes(JsonNode props) {
    return StreamSupport.stream(props.path("statuses").spliterator(), false).map(s -> s.path("code").asText()).toList();
  }

  static JsonNode status(JsonNode props, String code) {
    return StreamSupport.stream(props.path("statuses").spliterator(), false).filter(s -> code.equals(s.path("code").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("no status " + code + " in " + props.path("statuses")));
  }

  /** What {@code k8s-extension show} reads now. */
  JsonNode shown() throws Exception {
    return m.call("GET", extPath, null).body().path("properties");
  }

  static JsonNode statusOf(JsonNode props, String workload) {
    return StreamSupport.stream(props.path("statuses").spliterator(), false)
        .filter(s -> s.path("displayStatus").asText().startsWith(workload + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no status of " + workload + " in " + props.path("statuses")));
  }

  @Test
  void showReadsTheWorkloadsNowAWorkloadThatLostReplicasOrWasDeletedIsDegradedUntilItRecovers() throws Exception {
    JsonNode created = create(pinned("0.1.0"));
    assertThat(codes(created)).isNotEmpty().allMatch("Ready"::equals);
    assertThat(shown().path("statuses")).as("a healthy install reads as it was stored").isEqualTo(created.path("statuses"));

    // two of sentry's three pods stop being ready, and nothing brings them back
    m.kubelet.stuck.add("dapr-sentry");
    client.apps().deployments().inNamespace(NS).withName("dapr-sentry").editStatus(d -> {
      d.getStatus().setReadyReplicas(1);
      d.getStatus().setAvailableReplicas(1);
      return d;
    });
    JsonNode props = shown();
    assertThat(props.path("provisioningState").asText()).as("az's meaning: how the last operation ended").isEqualTo("Succeeded");
    JsonNode sentry = statusOf(props, "dapr-sentry");
    assertThat(sentry.path("code").asText()).isEqualTo("Degraded");
    assertThat(sentry.path("level").asText()).as("one replica still serves").isEqualTo("Warning");
    assertThat(sentry.path("displayStatus").asText()).isEqualTo("dapr-sentry 1/3 ready");
    assertThat(sentry.path("message").asText()).contains("kubectl -n dapr-system rollout status deployment/dapr-sentry");
    assertThat(statusOf(props, "dapr-operator").path("code").asText()).isEqualTo("Ready");

    client.apps().deployments().inNamespace(NS).withName("dapr-dashboard").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> "Degraded".equals(statusOf(shown(), "dapr-dashboard").path("code").asText()));
    JsonNode dashboard = statusOf(shown(), "dapr-dashboard");
    assertThat(dashboard.path("level").asText()).isEqualTo("Error");
    assertThat(dashboard.path("message").asText()).contains("was deleted").contains("k8s-extension update");

    m.kubelet.stuck.remove("dapr-sentry");
    client.apps().deployments().inNamespace(NS).withName("dapr-sentry").editStatus(d -> {
      d.getStatus().setReadyReplicas(3);
      d.getStatus().setAvailableReplicas(3);
      return d;
    });
    assertThat(statusOf(shown(), "dapr-sentry").path("code").asText()).isEqualTo("Ready");
  }

  @Test
  void aPinnedVersionRunsItsImageAndIsPublishedInTheClusterWithoutProtectedValues() throws Exception {
    ObjectNode props = pinned("0.1.0");
    props.putObject("configurationProtectedSettings").put("global.registry", "registry.example.com/team-7f3a");

    JsonNode created = create(props);

    assertThat(created.path("currentVersion").asText()).isEqualTo("0.1.0");
    assertThat(created.path("version").asText()).isEqualTo("0.1.0");
    assertEveryWorkloadRuns("0.1.0", "0.1.0");
    assertThat(client.apps().deployments().inNamespace(NS).withName("dapr-sentry").get().getSpec().getTemplate().getSpec().getContainers()
        .get(0).getImage()).as("the protected setting is used").isEqualTo("registry.example.com/team-7f3a/daprx:0.1.0");
    assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems()).hasSize(CrdSource.NAMES.size());

    await().atMost(Duration.ofSeconds(10)).until(() -> {
      ConfigMap cm = client.configMaps().inNamespace(NS).withName("daprx-extension").get();
      return cm != null && JSON.readTree(cm.getData().get("extension.json")).path("properties").path("provisioningState").asText().equals("Succeeded");
    });
    ConfigMap cm = client.configMaps().inNamespace(NS).withName("daprx-extension").get();
    assertThat(cm.getMetadata().getLabels()).containsEntry("daprx.io/install", NS);
    JsonNode published = JSON.readTree(cm.getData().get("extension.json"));
    assertThat(published).isEqualTo(m.call("GET", extPath, null).body());
    assertThat(published.path("properties").path("configurationProtectedSettings").has("global.registry")).isTrue();
    assertThat(cm.getData().values()).noneSatisfy(v -> assertThat(v).contains("team-7f3a"));
    assertThat(published.toString()).doesNotContain("\"_");
    JsonNode ops = JSON.readTree(cm.getData().get("operations.json"));
    assertThat(ops).hasSize(1);
    assertThat(ops.get(0).path("properties").path("operation").asText()).isEqualTo("create");
    assertThat(ops.get(0).path("properties").path("toVersion").asText()).isEqualTo("0.1.0");
    assertThat(ops.get(0).path("status").asText()).isEqualTo("Succeeded");
  }

  @Test
  void turningAutoUpgradeOnMovesEveryWorkloadToTheNewestMinorAndAppliesTheCrds() throws Exception {
    create(pinned("0.1.0"));
    crdOfAnotherVersion();

    JsonNode props = update(JSON.createObjectNode().put("autoUpgradeMinorVersion", true));

    assertThat(props.path("provisioningState").asText()).as(props.toString()).isEqualTo("Succeeded");
    assertThat(props.path("currentVersion").asText()).isEqualTo("0.3.0");
    assertThat(props.path("version").isNull()).as("unpinned").isTrue();
    assertEveryWorkloadRuns("0.3.0", "0.3.0");
    assertThat(client.apps().deployments().inNamespace(NS).withName("dapr-sidecar-injector").get().getSpec().getTemplate().getSpec()
        .getContainers().get(0).getArgs()).as("the daprd it injects").contains("ghcr.io/daprx/daprd:1.17.1");
    assertThat(crdReapplied()).as("CRDs are applied on an upgrade").isTrue();
    assertThat(status(props, "VersionChanged").path("message").asText()).contains("from 0.1.0 to 0.3.0").contains("not restarted");
    assertThat(codes(props)).containsExactly("VersionChanged", "Ready", "Ready", "Ready", "Ready", "Ready", "Ready");

    List<JsonNode> ops = operations();
    assertThat(ops).extracting(o -> o.path("properties").path("operation").asText()).containsExactly("update", "create");
    assertThat(ops.get(0).path("properties").path("fromVersion").asText()).isEqualTo("0.1.0");
    assertThat(ops.get(0).path("properties").path("toVersion").asText()).isEqualTo("0.3.0");
  }

  @Test
  void aPinnedDowngradeKeepsTheNewerCrdsUnlessHooksApplyCrdsSaysOtherwise() throws Exception {
    assertThat(create(JSON.createObjectNode()).path("currentVersion").asText()).as("the newest stable by default").isEqualTo("0.3.0");
    crdOfAnotherVersion();

    JsonNode down = update(pinned("0.2.0"));

    assertThat(down.path("provisioningState").asText()).as(down.toString()).isEqualTo("Succeeded");
    assertThat(down.path("currentVersion").asText()).isEqualTo("0.2.0");
    assertEveryWorkloadRuns("0.2.0", "0.2.0");
    assertThat(crdReapplied()).as("a downgrade leaves the CRDs as they are").isFalse();
    assertThat(componentsCrd().getMetadata().getAnnotations()).containsEntry(KubeApply.HASH_ANNOTATION, "another-version");

    ObjectNode forced = pinned("0.1.0");
    forced.putObject("configurationSettings").put("hooks.applyCrds", "true");
    JsonNode further = update(forced);

    assertThat(further.path("provisioningState").asText()).as(further.toString()).isEqualTo("Succeeded");
    assertThat(further.path("currentVersion").asText()).isEqualTo("0.1.0");
    assertEveryWorkloadRuns("0.1.0", "0.1.0");
    assertThat(crdReapplied()).as("hooks.applyCrds=true applies them on a downgrade too").isTrue();
  }

  @Test
  void anAutoUpgradeWhoseHealthGateFailsIsRolledBackAndNotRetriedWithinTheRetryWindow() throws Exception {
    assertThat(create(JSON.createObjectNode()).path("currentVersion").asText()).isEqualTo("0.3.0");
    m.kubelet.brokenTags.add("0.4.0-broken");

    writeCatalog(STABLE + ",\n" + BROKEN);

    // the scheduler finds 0.4.0 at a tick, the sentry rollout never finishes, the runner puts 0.3.0 back
    await().atMost(Duration.ofSeconds(60)).until(() -> operations().stream().anyMatch(o -> o.path("properties").path("operation").asText()
        .equals("upgrade") && !o.path("status").asText().equals("InProgress")));
    JsonNode upgrade = operations().get(0);
    assertThat(upgrade.path("status").asText()).as(upgrade.toString()).isEqualTo("Failed");
    assertThat(upgrade.path("properties").path("fromVersion").asText()).isEqualTo("0.3.0");
    assertThat(upgrade.path("properties").path("toVersion").asText()).isEqualTo("0.4.0");
    assertThat(upgrade.path("properties").path("rolledBackTo").asText()).isEqualTo("0.3.0");
    assertThat(upgrade.path("error").path("code").asText()).isEqualTo("AutoUpgradeRolledBack");
    assertThat(upgrade.path("error").path("message").asText()).contains("rollout status deployment/dapr-sentry");

    JsonNode props = m.awaitSettled(extPath, SETTLE);
    assertThat(props.path("provisioningState").asText()).as(props.toString()).isEqualTo("Succeeded");
    assertThat(props.path("currentVersion").asText()).isEqualTo("0.3.0");
    assertThat(props.path("errorInfo").isNull()).isTrue();
    JsonNode rolledBack = status(props, "AutoUpgradeRolledBack");
    assertThat(rolledBack.path("level").asText()).isEqualTo("Error");
    assertThat(rolledBack.path("message").asText()).contains("auto-upgrade to 0.4.0").contains("rolled back to 0.3.0");
    assertEveryWorkloadRuns("0.3.0", "0.3.0");
    for (Class<? extends HasMetadata> kind : List.of(Deployment.class, StatefulSet.class, io.fabric8.kubernetes.api.model.Service.class,
        io.fabric8.kubernetes.api.model.ServiceAccount.class, ConfigMap.class, io.fabric8.kubernetes.api.model.Secret.class,
        io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class)) {
      assertThat(client.resources(kind).inNamespace(NS).withLabel(VERSION_LABEL, "0.4.0").list().getItems()).as("left at 0.4.0: " + kind.getSimpleName())
          .isEmpty();
    }
    assertThat(client.rbac().clusterRoles().withLabel(VERSION_LABEL, "0.4.0").list().getItems()).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> JSON.readTree(client.configMaps().inNamespace(NS).withName("daprx-extension").get()
        .getData().get("operations.json")).path(0).path("properties").path("rolledBackTo").asText().equals("0.3.0"));

    // the next ticks leave 0.4.0 alone: it failed, and the retry window (an hour) has not passed
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8)).until(() -> operations().stream()
        .filter(o -> o.path("properties").path("operation").asText().equals("upgrade")).count() == 1);
    assertThat(m.call("GET", extPath, null).body().path("properties").path("currentVersion").asText()).isEqualTo("0.3.0");

    // nor does a change of settings meanwhile: it is applied to the version that runs
    ObjectNode debug = JSON.createObjectNode();
    debug.putObject("configurationSettings").put("global.logLevel", "debug");
    JsonNode changed = update(debug);
    assertThat(changed.path("provisioningState").asText()).as(changed.toString()).isEqualTo("Succeeded");
    assertThat(changed.path("currentVersion").asText()).isEqualTo("0.3.0");
    assertEveryWorkloadRuns("0.3.0", "0.3.0");
    assertThat(client.apps().deployments().inNamespace(NS).withName("dapr-sentry").get().getSpec().getTemplate().getSpec().getContainers().get(0)
        .getArgs()).containsSequence("--log-level", "debug");
  }

  @Test
  void aUserUpdateToAVersionThatFailsItsHealthGateIsRolledBackAndTheExtensionFailed() throws Exception {
    create(pinned("0.3.0"));
    m.kubelet.brokenTags.add("0.4.0-broken");
    writeCatalog(STABLE + ",\n" + BROKEN);
    await().atMost(Duration.ofSeconds(10)).until(() -> versionNames("").contains("0.4.0"));

    JsonNode props = update(pinned("0.4.0"));

    assertThat(props.path("provisioningState").asText()).as(props.toString()).isEqualTo("Failed");
    assertThat(props.path("errorInfo").path("code").asText()).isEqualTo("UpdateRolledBack");
    assertThat(props.path("errorInfo").path("message").asText()).contains("update to 0.4.0").contains("rolled back to 0.3.0")
        .contains("kubectl -n dapr-system rollout status deployment/dapr-sentry");
    assertThat(props.path("currentVersion").asText()).isEqualTo("0.3.0");
    assertThat(codes(props)).first().isEqualTo("UpdateRolledBack");
    assertEveryWorkloadRuns("0.3.0", "0.3.0");
    JsonNode update = operations().get(0);
    assertThat(update.path("properties").path("operation").asText()).isEqualTo("update");
    assertThat(update.path("status").asText()).isEqualTo("Failed");
    assertThat(update.path("properties").path("rolledBackTo").asText()).isEqualTo("0.3.0");
    assertThat(update.path("error").path("code").asText()).isEqualTo("UpdateRolledBack");
  }

  List<String> versionNames(String query) throws Exception {
    Reply r = m.call("GET", m.clusterPath("k1") + "/providers/Microsoft.KubernetesConfiguration/extensionTypes/microsoft.dapr/versions" + query, null);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return StreamSupport.stream(r.body().path("value").spliterator(), false).map(v -> v.path("name").asText()).toList();
  }

  @Test
  void theVersionsOfTheDaprExtensionTypeOnAConnectedClusterAreTheSupportedWindowOfTheTrain() throws Exception {
    String base = m.clusterPath("k1") + "/providers/Microsoft.KubernetesConfiguration/extensionTypes/";

    assertThat(versionNames("")).as("the latest patch of the newest three minors").containsExactly("0.1.0", "0.2.0", "0.3.0");
    JsonNode newest = m.call("GET", base + "Microsoft.Dapr/versions?showLatest=true", null).body().path("value");
    assertThat(newest).hasSize(1);
    assertThat(newest.get(0).path("properties").path("version").asText()).isEqualTo("0.3.0");
    assertThat(newest.get(0).path("properties").path("releaseTrain").asText()).isEqualTo("Stable");
    assertThat(newest.get(0).path("properties").path("daprVersion").asText()).isEqualTo("1.17.1");
    assertThat(newest.get(0).path("properties").path("supportedClusterTypes")).extracting(JsonNode::asText).contains("connectedClusters");
    assertThat(versionNames("?releaseTrain=dev")).containsExactly("0.3.0", "1.0.0-rc.1");
    assertThat(versionNames("?releaseTrain=Dev&majorVersion=1")).containsExactly("1.0.0-rc.1");
    assertThat(versionNames("?majorVersion=0")).containsExactly("0.1.0", "0.2.0", "0.3.0");
    assertThat(versionNames("?majorVersion=2")).isEmpty();

    Reply unknownTrain = m.call("GET", base + "microsoft.dapr/versions?releaseTrain=nightly", null);
    assertThat(unknownTrain.status()).isEqualTo(400);
    assertThat(unknownTrain.body().path("error").path("message").asText()).contains("nightly").contains("stable");
    Reply unknownType = m.call("GET", base + "Microsoft.Flux/versions", null);
    assertThat(unknownType.status()).isEqualTo(404);
    assertThat(unknownType.body().path("error").path("code").asText()).isEqualTo("ExtensionTypeNotFound");

    writeCatalog(STABLE + ",\n" + BROKEN);
    await().atMost(Duration.ofSeconds(10)).until(() -> versionNames("").equals(List.of("0.2.0", "0.3.0", "0.4.0")));
  }
}
