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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health gate reads what the real Deployment and StatefulSet controllers report during a rollout that never
 * completes (new pods that never become ready, old ones still serving): an update to such a version fails its gate,
 * is rolled back, and the rollback itself completes through the same controllers.
 */
class RolloutGateKubeIT {

  static final String NS = "dapr-system";
  static final String VERSION_LABEL = "app.kubernetes.io/version";
  /** Short, so the failing gate gives up soon; a healthy install here takes under 10 s. */
  static final Duration RECONCILE_TIMEOUT = Duration.ofSeconds(30);
  static KubeApiServer kube;
  static PodKubelet kubelet;
  static ManagementServerDriver manager;
  static KubernetesClient client;

  @TempDir
  static Path home;

  @BeforeAll
  static void start() throws Exception {
    kube = KubeApiServer.start("rollout");
    client = kube.client();
    kubelet = new PodKubelet(client, KubeApiServer.NODE, Clock.systemUTC(), NS);
    kubelet.brokenTags.add("0.4.0-broken");
    Path catalog = Files.writeString(home.resolve("catalog.json"), """
        {"trains": {"stable": [
          {"version": "0.3.0", "imageTag": "0.3.0", "daprVersion": "1.17.1"},
          {"version": "0.4.0", "imageTag": "0.4.0-broken", "daprVersion": "1.18.0"}]}}""");
    manager = new ManagementServerDriver(home.resolve("server"), RECONCILE_TIMEOUT, catalog);
  }

  @AfterAll
  static void stop() {
    if (manager != null) {
      manager.close();
    }
    if (kubelet != null) {
      kubelet.close();
    }
    if (kube != null) {
      kube.close();
    }
  }

  @Test
  void anUpdateWhoseNewPodsNeverBecomeReadyFailsItsGateAndIsRolledBackThroughTheRealControllers() throws Exception {
    String extPath = manager.connect("real", kube.kubeconfig(), "kube-test") + "/providers/Microsoft.KubernetesConfiguration/extensions/dapr";
    ObjectNode create = ManagementServerDriver.extension("Microsoft.Dapr");
    ((ObjectNode) create.get("properties")).put("version", "0.3.0").put("autoUpgradeMinorVersion", false);
    assertThat(manager.call("PUT", extPath, create).status()).isEqualTo(201);
    JsonNode created = manager.awaitSettled(extPath, Duration.ofMinutes(2));
    assertThat(created.path("provisioningState").asText()).as(created.toString()).isEqualTo("Succeeded");

    ObjectNode update = JSON.createObjectNode();
    update.putObject("properties").put("version", "0.4.0");
    assertThat(manager.call("PATCH", extPath, update).status()).isEqualTo(202);
    JsonNode props = manager.awaitSettled(extPath, Duration.ofMinutes(3));

    assertThat(props.path("provisioningState").asText()).as(props.toString()).isEqualTo("Failed");
    assertThat(props.path("errorInfo").path("code").asText()).as(props.toString()).isEqualTo("UpdateRolledBack");
    assertThat(props.path("currentVersion").asText()).isEqualTo("0.3.0");
    assertThat(workloads()).hasSize(6).allSatisfy(w -> {
      assertThat(template(w).getMetadata().getLabels()).as(w.getMetadata().getName()).containsEntry(VERSION_LABEL, "0.3.0");
      assertThat(template(w).getSpec().getContainers().get(0).getImage()).endsWith(":0.3.0");
    });
    // the rolled-back pods run again, every one ready, none of the broken version left
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(client.pods().inNamespace(NS).list().getItems()).hasSize(16)
        .allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).endsWith(":0.3.0")));
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
