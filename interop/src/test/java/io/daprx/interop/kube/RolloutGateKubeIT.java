package io.daprx.interop.kube;

import static io.daprx.interop.kube.ManagementServerDriver.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.deploy.PodKubelet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health gate reads what the real Deployment and StatefulSet controllers report during a rollout that never
 * completes (new pods that never become ready, old ones still serving): an auto-upgrade to such a version, then a
 * user's update to it, fail their gate and are rolled back, and each rollback completes through the same controllers.
 * One extension through both, in order (an auto-upgrade needs a Succeeded install; a failed user update leaves it Failed).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutGateKubeIT {

  static final String NS = "dapr-system";
  static final String VERSION_LABEL = "app.kubernetes.io/version";
  /** Short, so the failing gate gives up soon; a healthy install here takes under 10 s. */
  static final Duration RECONCILE_TIMEOUT = Duration.ofSeconds(30);
  static KubeApiServer kube;
  static PodKubelet kubelet;
  static ManagementServerDriver manager;
  static KubernetesClient client;
  static Path catalog;
  static String extPath;
  static final String V030 = """
      {"version": "0.3.0", "imageTag": "0.3.0", "daprVersion": "1.17.1"}""";
  /** A newer minor whose pods never become ready ({@link PodKubelet#brokenTags}). */
  static final String V040_BROKEN = """
      {"version": "0.4.0", "imageTag": "0.4.0-broken", "daprVersion": "1.18.0"}""";

  @TempDir
  static Path home;

  @BeforeAll
  static void start() throws Exception {
    kube = KubeApiServer.start("rollout");
    client = kube.client();
    kubelet = new PodKubelet(client, KubeApiServer.NODE, Clock.systemUTC(), NS);
    kubelet.brokenTags.add("0.4.0-broken");
    catalog = home.resolve("catalog.json");
    publish(V030);
    manager = new ManagementServerDriver(home.resolve("server"), RECONCILE_TIMEOUT, catalog, Duration.ofSeconds(1));
    extPath = manager.connect("real", kube.kubeconfig(), "kube-test") + "/providers/Microsoft.KubernetesConfiguration/extensions/dapr";
  }

  @AfterAll
  static void stop() {
    Teardown.close(manager, kubelet, kube);
  }

  @Test
  @Order(1)
  void anAutoUpgradeToAVersionWhoseNewPodsNeverBecomeReadyIsRolledBackThroughTheRealControllers() throws Exception {
    ObjectNode create = ManagementServerDriver.extension("Microsoft.Dapr");
    ((ObjectNode) create.get("properties")).put("autoUpgradeMinorVersion", true);
    assertThat(manager.call("PUT", extPath, create).status()).isEqualTo(201);
    JsonNode created = manager.awaitSettled(extPath, Duration.ofMinutes(2));
    assertThat(created.path("provisioningState").asText()).as(created.toString()).isEqualTo("Succeeded");
    assertThat(created.path("currentVersion").asText()).as("the newest stable then").isEqualTo("0.3.0");

    // a release pipeline publishes 0.4.0; the auto-upgrader finds it at a tick, the new pods never get ready
    publish(V030 + ",\n" + V040_BROKEN);
    await("the auto-upgrade to 0.4.0 ends").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> manager.operations(extPath).stream().anyMatch(o -> o.path("properties").path("operation").asText().equals("upgrade")
            && !o.path("status").asText().equals("InProgress")));
    JsonNode upgrade = manager.operations(extPath).get(0);
    assertThat(upgrade.path("status").asText()).as(upgrade.toString()).isEqualTo("Failed");
    assertThat(upgrade.path("properties").path("toVersion").asText()).isEqualTo("0.4.0");
    assertThat(upgrade.path("properties").path("rolledBackTo").asText()).isEqualTo("0.3.0");
    assertThat(upgrade.path("error").path("code").asText()).isEqualTo("AutoUpgradeRolledBack");

    JsonNode props = manager.awaitSettled(extPath, Duration.ofMinutes(2));
    // the install itself is fine (the old version serves): k8s-extension show says what happened in its statuses
    assertThat(props.path("provisioningState").asText()).as(props.toString()).isEqualTo("Succeeded");
    assertThat(props.path("currentVersion").asText()).isEqualTo("0.3.0");
    List<JsonNode> rolledBack = new ArrayList<>();
    props.path("statuses").forEach(st -> {
      if (st.path("code").asText().equals("AutoUpgradeRolledBack")) {
        rolledBack.add(st);
      }
    });
    assertThat(rolledBack).as(props.path("statuses").toString()).singleElement()
        .satisfies(st -> assertThat(st.path("message").asText()).contains("auto-upgrade to 0.4.0").contains("rolled back to 0.3.0"));
    assertRunsReady("0.3.0");
  }

  @Test
  @Order(2)
  void anUpdateWhoseNewPodsNeverBecomeReadyFailsItsGateAndIsRolledBackThroughTheRealControllers() throws Exception {
    ObjectNode update = JSON.createObjectNode();
    update.putObject("properties").put("version", "0.4.0").put("autoUpgradeMinorVersion", false);
    assertThat(manager.call("PATCH", extPath, update).status()).isEqualTo(202);
    JsonNode props = manager.awaitSettled(extPath, Duration.ofMinutes(3));

    assertThat(props.path("provisioningState").asText()).as(props.toString()).isEqualTo("Failed");
    assertThat(props.path("errorInfo").path("code").asText()).as(props.toString()).isEqualTo("UpdateRolledBack");
    assertThat(props.path("currentVersion").asText()).isEqualTo("0.3.0");
    assertRunsReady("0.3.0");
  }

  /** Every workload's template at this version, and its pods (all 16 of the HA install) running it, every one ready. */
  private static void assertRunsReady(String version) {
    assertThat(workloads()).hasSize(6).allSatisfy(w -> {
      assertThat(template(w).getMetadata().getLabels()).as(w.getMetadata().getName()).containsEntry(VERSION_LABEL, version);
      assertThat(template(w).getSpec().getContainers().get(0).getImage()).endsWith(":" + version);
    });
    // the rolled-back pods run again, every one ready, none of the broken version left
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(client.pods().inNamespace(NS).list().getItems()).hasSize(16)
        .allSatisfy(p -> {
          assertThat(p.getSpec().getContainers().get(0).getImage()).endsWith(":" + version);
          assertThat(p.getStatus().getConditions()).as(p.getMetadata().getName())
              .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"));
        }));
  }

  /** Publishes the catalog the way a release pipeline would: the whole file replaced at once. */
  private static void publish(String stable) throws Exception {
    Path tmp = Files.createTempFile(home, "catalog", ".tmp");
    Files.writeString(tmp, "{\"trains\": {\"stable\": [" + stable + "]}}");
    Files.move(tmp, catalog, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static List<HasMetadata> workloads() {
    List<HasMetadata> out = new ArrayList<>(client.apps().deployments().inNamespace(NS).list().getItems());
    out.addAll(client.apps().statefulSets().inNamespace(NS).list().getItems());
    return out;
  }

  private static PodTemplateSpec template(HasMetadata w) {
    return w instanceof Deployment d ? d.getSpec().getTemplate() : ((StatefulSet) w).getSpec().getTemplate();
  }
}
