package io.daprx.manager;

import static io.daprx.manager.MockClusterManager.JSON;
import static io.daprx.manager.MockClusterManager.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.MockClusterManager.Reply;
import io.daprx.manager.kube.CrdSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed flow on a connected cluster, through the management server's HTTP API: connect the cluster with a
 * kubeconfig, create the Dapr extension, see it Succeeded with each component's rollout, delete it.
 */
class ConnectedClusterExtensionMockTest {

  @TempDir
  Path home;
  MockClusterManager m;
  KubernetesClient client;

  @BeforeEach
  void setUp() throws Exception {
    m = MockClusterManager.start(MockClusterManager.options(home, null, Duration.ofSeconds(30), ServerOptions.DEFAULT_AUTO_UPGRADE_INTERVAL));
    client = m.client;
  }

  @AfterEach
  void tearDown() {
    m.close();
  }

  @Test
  void daprExtensionOnAConnectedClusterReachesSucceededWithEachComponentReadyAndIsRemovedKeepingTheCrds() throws Exception {
    m.register();
    String clusterPath = m.clusterPath("k1");
    ObjectNode connect = JSON.createObjectNode().put("kubeconfig", m.kubeconfig()).put("context", "ctx");

    Reply connected = m.call("PUT", clusterPath, connect);
    assertThat(connected.status()).isEqualTo(201);
    assertThat(connected.body().path("properties").path("connectivityStatus").asText()).isEqualTo("Connected");
    assertThat(connected.body().toString()).doesNotContain(TOKEN);
    assertThat(m.call("GET", clusterPath, null).body().toString()).doesNotContain(TOKEN);
    Reply bad = m.call("PUT", clusterPath, JSON.createObjectNode().put("kubeconfig", m.kubeconfig()).put("context", "nope"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("error").path("message").asText()).contains("no context 'nope'");

    String extPath = clusterPath + "/providers/Microsoft.KubernetesConfiguration/extensions/dapr";
    assertThat(m.call("PUT", extPath, MockClusterManager.extension("Microsoft.Dapr")).status()).isEqualTo(201);

    JsonNode props = m.awaitSettled(extPath, Duration.ofSeconds(60));
    assertThat(props.path("provisioningState").asText()).as(props.toString()).isEqualTo("Succeeded");
    assertThat(props.path("statuses")).extracting(s -> s.path("displayStatus").asText()).containsExactly("dapr-sentry 3/3 ready",
        "dapr-operator 3/3 ready", "dapr-placement-server 3/3 ready", "dapr-scheduler-server 3/3 ready", "dapr-sidecar-injector 3/3 ready",
        "dapr-dashboard 1/1 ready");
    assertThat(client.apps().deployments().inNamespace("dapr-system").list().getItems()).hasSize(4);
    assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems()).as("installed with the control plane").hasSize(CrdSource.NAMES.size());

    m.call("DELETE", extPath, null);
    await().atMost(Duration.ofSeconds(30)).until(() -> m.call("GET", extPath, null).status() == 404);
    assertThat(client.apps().deployments().inNamespace("dapr-system").list().getItems()).isEmpty();
    assertThat(client.apps().statefulSets().inNamespace("dapr-system").list().getItems()).isEmpty();
    assertThat(client.configMaps().inNamespace("dapr-system").list().getItems()).extracting(c -> c.getMetadata().getName())
        .doesNotContain("daprx-extension");
    assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems()).hasSize(CrdSource.NAMES.size());
  }
}
