package io.daprx.interop.kube;

import static io.daprx.interop.kube.ManagementServerDriver.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.manager.deploy.KubeApply;
import io.daprx.manager.deploy.PodKubelet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed flow on a connected cluster that is a real kube-apiserver (with its real workload controllers and
 * {@link PodKubelet} as the node): {@code connectedk8s connect}, {@code k8s-extension create} of the HA control plane
 * through real server-side apply, real CRD schema validation and real RBAC validation, rollouts gated on the
 * controllers' status; a re-apply that writes nothing; an update that rolls; a delete that keeps the CRDs.
 */
class ConnectedClusterKubeIT {

  static final String NS = "dapr-system";
  static KubeApiServer kube;
  static PodKubelet kubelet;
  static ManagementServerDriver manager;
  static KubernetesClient client;

  @TempDir
  static Path home;

  @BeforeAll
  static void start() throws Exception {
    kube = KubeApiServer.start("connected");
    client = kube.client();
    kubelet = new PodKubelet(client, KubeApiServer.NODE, Clock.systemUTC(), NS);
    manager = new ManagementServerDriver(home, Duration.ofMinutes(3));
  }

  @AfterAll
  static void stop() {
    Teardown.close(manager, kubelet, kube);
  }

  @Test
  void theHaControlPlaneIsServerSideAppliedRolledOutReappliedAsANoOpUpdatedAndDeletedKeepingTheCrds() throws Exception {
    String extPath = manager.connect("real", kube.kubeconfig(), "kube-test") + "/providers/Microsoft.KubernetesConfiguration/extensions/dapr";
    ObjectNode create = ManagementServerDriver.extension("Microsoft.Dapr");
    ((ObjectNode) create.get("properties")).putObject("configurationSettings").put("global.nodeSelector.disktype", "ssd");
    assertThat(manager.call("PUT", extPath, create).status()).isEqualTo(201);
    JsonNode props = manager.awaitSettled(extPath, Duration.ofMinutes(4));
    assertThat(props.path("provisioningState").asText()).as(props.toString()).isEqualTo("Succeeded");
    assertThat(props.path("statuses")).extracting(s -> s.path("displayStatus").asText()).containsExactly("dapr-sentry 3/3 ready",
        "dapr-operator 3/3 ready", "dapr-placement-server 3/3 ready", "dapr-scheduler-server 3/3 ready", "dapr-sidecar-injector 3/3 ready",
        "dapr-dashboard 1/1 ready");
    // the real controllers made the pods: 3 per HA component and the dashboard's one
    assertThat(client.pods().inNamespace(NS).list().getItems()).hasSize(16);

    // CRDs passed the real structural-schema validation and are served
    List<CustomResourceDefinition> crds = client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
        .filter(c -> c.getSpec().getGroup().equals("dapr.io")).toList();
    assertThat(crds).hasSize(ResourceKind.values().length);
    assertThat(crds).allSatisfy(c -> assertThat(c.getStatus().getConditions())
        .anyMatch(k -> k.getType().equals("Established") && k.getStatus().equals("True")));

    assertThat(client.apps().deployments().inNamespace(NS).withName("dapr-sentry").get().getSpec().getTemplate().getSpec().getNodeSelector())
        .containsEntry("disktype", "ssd");

    // every object we wrote is owned by our field manager
    Map<String, String> versions = resourceVersions();
    assertThat(versions).isNotEmpty();
    for (HasMetadata o : ours()) {
      assertThat(o.getMetadata().getManagedFields()).as(describe(o)).filteredOn(f -> "Apply".equals(f.getOperation()))
          .extracting(ManagedFieldsEntry::getManager).containsExactly(KubeApply.FIELD_MANAGER);
    }

    // re-asserting the same extension changes nothing
    ObjectNode same = JSON.createObjectNode();
    same.putObject("properties").putObject("configurationSettings");
    assertThat(manager.call("PATCH", extPath, same).status()).isEqualTo(202);
    assertThat(manager.awaitSettled(extPath, Duration.ofMinutes(2)).path("provisioningState").asText()).isEqualTo("Succeeded");
    assertThat(resourceVersions()).isEqualTo(versions);

    // an update rolls every component through the real controllers; a field dropped from the desired state (the node
    // selector) is dropped from the live objects, as server-side apply removes what its field manager no longer applies
    ObjectNode debug = JSON.createObjectNode();
    debug.putObject("properties").putObject("configurationSettings").put("global.logLevel", "debug").putNull("global.nodeSelector.disktype");
    assertThat(manager.call("PATCH", extPath, debug).status()).isEqualTo(202);
    JsonNode changed = manager.awaitSettled(extPath, Duration.ofMinutes(4));
    assertThat(changed.path("provisioningState").asText()).as(changed.toString()).isEqualTo("Succeeded");
    assertThat(client.apps().deployments().inNamespace(NS).withName("dapr-sentry").get().getSpec().getTemplate().getSpec().getContainers().get(0)
        .getArgs()).containsSequence("--log-level", "debug");
    for (HasMetadata w : workloads()) {
      io.fabric8.kubernetes.api.model.PodTemplateSpec t = w instanceof io.fabric8.kubernetes.api.model.apps.Deployment d ? d.getSpec().getTemplate()
          : ((io.fabric8.kubernetes.api.model.apps.StatefulSet) w).getSpec().getTemplate();
      assertThat(t.getSpec().getNodeSelector()).as(describe(w)).doesNotContainKey("disktype");
    }
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(client.pods().inNamespace(NS).list().getItems())
        .allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getArgs()).containsSequence("--log-level", "debug")));

    // delete: the workloads go, the CRDs (and the users' resources in them) stay
    manager.call("DELETE", extPath, null);
    await().atMost(Duration.ofMinutes(2)).until(() -> manager.call("GET", extPath, null).status() == 404);
    assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).isEmpty();
    assertThat(client.apps().statefulSets().inNamespace(NS).list().getItems()).isEmpty();
    assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems()).filteredOn(c -> c.getSpec().getGroup().equals("dapr.io"))
        .hasSize(ResourceKind.values().length);
  }

  private List<HasMetadata> workloads() {
    List<HasMetadata> all = new ArrayList<>(client.apps().deployments().inNamespace(NS).list().getItems());
    all.addAll(client.apps().statefulSets().inNamespace(NS).list().getItems());
    return all;
  }

  private List<HasMetadata> ours() {
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(client.apps().deployments().inNamespace(NS).list().getItems());
    all.addAll(client.apps().statefulSets().inNamespace(NS).list().getItems());
    all.addAll(client.services().inNamespace(NS).list().getItems());
    all.addAll(client.serviceAccounts().inNamespace(NS).list().getItems().stream().filter(s -> !s.getMetadata().getName().equals("default")).toList());
    all.addAll(client.rbac().roles().inNamespace(NS).list().getItems());
    all.addAll(client.rbac().roleBindings().inNamespace(NS).list().getItems());
    all.addAll(client.rbac().clusterRoles().list().getItems().stream().filter(r -> r.getMetadata().getName().startsWith("dapr")).toList());
    all.addAll(client.rbac().clusterRoleBindings().list().getItems().stream().filter(r -> r.getMetadata().getName().startsWith("dapr")).toList());
    all.addAll(client.policy().v1().podDisruptionBudget().inNamespace(NS).list().getItems());
    all.addAll(client.admissionRegistration().v1().mutatingWebhookConfigurations().list().getItems());
    return all;
  }

  private Map<String, String> resourceVersions() {
    Map<String, String> m = new TreeMap<>();
    ours().forEach(o -> m.put(describe(o), o.getMetadata().getResourceVersion()));
    return m;
  }

  private static String describe(HasMetadata o) {
    return o.getKind() + "(" + (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace() + "/") + o.getMetadata().getName() + ")";
  }
}
