package io.daprx.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.target.FakeKubelet;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed flow on a connected cluster, through the management server's HTTP API: connect the cluster with a
 * kubeconfig, create the Dapr extension, see it Succeeded with each component's rollout, delete it.
 */
@EnableKubernetesMockClient(crud = true)
class ConnectedClusterExtensionMockTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN = "kube-token-7d1e0b-never-shown";

  KubernetesMockServer server;
  KubernetesClient client;

  @TempDir
  Path home;
  ManagerServer manager;
  FakeKubelet kubelet;
  HttpClient http = HttpClient.newHttpClient();
  String bearer;
  String sub;

  @BeforeEach
  void setUp() throws Exception {
    server.setVersionInfo(new VersionInfo.Builder().withGitVersion("v1.31.2").withMajor("1").withMinor("31").build());
    // the packaged server carries the operator's CRDs; this module's class path does not, so the cluster has them already
    for (String name : List.of("components", "configurations", "subscriptions", "resiliencies", "httpendpoints")) {
      try (InputStream in = Files.newInputStream(Path.of("..", "operator", "src", "main", "resources", "io", "daprx", "operator", "crds",
          name + ".dapr.io.yaml"))) {
        client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
      }
    }
    kubelet = new FakeKubelet(client);
    ServerOptions options = new ServerOptions(home, "127.0.0.1", 0, null, null, null, Duration.ZERO, Duration.ZERO, 47000,
        Duration.ofSeconds(30), List.of("true"), null, ServerOptions.DEFAULT_AUTO_UPGRADE_INTERVAL, ServerOptions.DEFAULT_AUTO_UPGRADE_RETRY);
    manager = new ManagerServer(options, Clock.systemUTC()).start();
    bearer = Files.readString(options.tokenFile()).trim();
    sub = call("GET", "/subscriptions", null).body().path("value").path(0).path("subscriptionId").asText();
  }

  @AfterEach
  void tearDown() {
    kubelet.close();
    manager.close();
  }

  record Reply(int status, JsonNode body) {}

  Reply call(String method, String path, JsonNode body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(manager.url() + path)).header("Authorization", "Bearer " + bearer)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body()));
  }

  String kubeconfig() {
    return io.daprx.manager.engine.TestKubeconfig.of(server.url("/"), "ctx", TOKEN);
  }

  @Test
  void daprExtensionOnAConnectedClusterReachesSucceededWithEachComponentReadyAndIsRemovedKeepingTheCrds() throws Exception {
    for (String f : List.of("AKS-ExtensionManager", "AKS-Dapr")) {
      call("POST", "/subscriptions/" + sub + "/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/" + f + "/register", null);
    }
    for (String ns : List.of("Microsoft.KubernetesConfiguration", "Microsoft.ContainerService")) {
      call("POST", "/subscriptions/" + sub + "/providers/" + ns + "/register", null);
    }
    call("PUT", "/subscriptions/" + sub + "/resourcegroups/rg", JSON.createObjectNode().put("location", "local"));
    String clusterPath = "/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/k1";
    ObjectNode connect = JSON.createObjectNode().put("kubeconfig", kubeconfig()).put("context", "ctx");

    Reply connected = call("PUT", clusterPath, connect);
    assertThat(connected.status()).isEqualTo(201);
    assertThat(connected.body().path("properties").path("connectivityStatus").asText()).isEqualTo("Connected");
    assertThat(connected.body().toString()).doesNotContain(TOKEN);
    assertThat(call("GET", clusterPath, null).body().toString()).doesNotContain(TOKEN);
    Reply bad = call("PUT", clusterPath, JSON.createObjectNode().put("kubeconfig", kubeconfig()).put("context", "nope"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("error").path("message").asText()).contains("no context 'nope'");

    String extPath = clusterPath + "/providers/Microsoft.KubernetesConfiguration/extensions/dapr";
    ObjectNode ext = JSON.createObjectNode();
    ext.putObject("properties").put("extensionType", "Microsoft.Dapr");
    assertThat(call("PUT", extPath, ext).status()).isEqualTo(201);

    await().atMost(Duration.ofSeconds(60)).until(() -> !"Creating".equals(call("GET", extPath, null).body().path("properties")
        .path("provisioningState").asText()));
    JsonNode props = call("GET", extPath, null).body().path("properties");
    assertThat(props.path("provisioningState").asText()).as(props.toString()).isEqualTo("Succeeded");
    assertThat(props.path("statuses")).extracting(s -> s.path("displayStatus").asText()).containsExactly("dapr-sentry 3/3 ready",
        "dapr-operator 3/3 ready", "dapr-placement-server 3/3 ready", "dapr-sidecar-injector 3/3 ready", "dapr-dashboard 1/1 ready");
    assertThat(client.apps().deployments().inNamespace("dapr-system").list().getItems()).hasSize(4);

    call("DELETE", extPath, null);
    await().atMost(Duration.ofSeconds(30)).until(() -> call("GET", extPath, null).status() == 404);
    assertThat(client.apps().deployments().inNamespace("dapr-system").list().getItems()).isEmpty();
    assertThat(client.apps().statefulSets().inNamespace("dapr-system").list().getItems()).isEmpty();
    assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems()).hasSize(5);
  }
}
