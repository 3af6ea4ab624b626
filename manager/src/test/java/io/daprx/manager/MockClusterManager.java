package io.daprx.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.engine.TestKubeconfig;
import io.daprx.manager.deploy.CrudApiServer;
import io.daprx.manager.deploy.FakeKubelet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A management server whose connected cluster is the fabric8 CRUD API server ({@link CrudApiServer}), with
 * {@link FakeKubelet} rolling workloads out, driven through its HTTP API as the CLI drives it.
 */
final class MockClusterManager implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN = "kube-token-7d1e0b-never-shown";
  static final Set<String> BUSY = Set.of("Creating", "Updating", "Deleting");

  final KubernetesMockServer server;
  final KubernetesClient client;
  final FakeKubelet kubelet;
  final ManagerServer manager;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String bearer;
  final String sub;

  record Reply(int status, JsonNode body) {}

  private MockClusterManager(ServerOptions options) throws Exception {
    server = CrudApiServer.start();
    server.setVersionInfo(new VersionInfo.Builder().withGitVersion("v1.31.2").withMajor("1").withMinor("31").build());
    client = server.createClient();
    kubelet = new FakeKubelet(client);
    manager = new ManagerServer(options, Clock.systemUTC()).start();
    bearer = Files.readString(options.tokenFile()).trim();
    sub = call("GET", "/subscriptions", null).body().path("value").path(0).path("subscriptionId").asText();
  }

  /** Options for these tests: no registration delays, the given catalog (null: built in), reconcile timeout and auto-upgrade tick. */
  static ServerOptions options(Path home, Path catalog, Duration reconcileTimeout, Duration autoUpgradeInterval) {
    return new ServerOptions(home, "127.0.0.1", 0, null, null, null, Duration.ZERO, Duration.ZERO, 47000, reconcileTimeout, List.of("true"),
        catalog == null ? null : catalog.toString(), autoUpgradeInterval, Duration.ofHours(1));
  }

  static MockClusterManager start(ServerOptions options) throws Exception {
    return new MockClusterManager(options);
  }

  Reply call(String method, String path, JsonNode body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(manager.url() + path)).header("Authorization", "Bearer " + bearer)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body()));
  }

  String kubeconfig() {
    return TestKubeconfig.of(server.url("/"), "ctx", TOKEN);
  }

  /** The seed's registrations (features, providers) and a resource group {@code rg}. */
  void register() throws Exception {
    for (String f : List.of("AKS-ExtensionManager", "AKS-Dapr")) {
      call("POST", "/subscriptions/" + sub + "/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/" + f + "/register", null);
    }
    for (String ns : List.of("Microsoft.KubernetesConfiguration", "Microsoft.ContainerService")) {
      call("POST", "/subscriptions/" + sub + "/providers/" + ns + "/register", null);
    }
    call("PUT", "/subscriptions/" + sub + "/resourcegroups/rg", JSON.createObjectNode().put("location", "local"));
  }

  String clusterPath(String name) {
    return "/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/" + name;
  }

  /** Registers, then connects the mock API server as cluster {@code name}; returns the cluster's path. */
  String connect(String name) throws Exception {
    register();
    Reply connected = call("PUT", clusterPath(name), JSON.createObjectNode().put("kubeconfig", kubeconfig()).put("context", "ctx"));
    assertThat(connected.status()).as(connected.body().toString()).isEqualTo(201);
    return clusterPath(name);
  }

  /** The extension's properties once no operation runs on it any more. */
  JsonNode awaitSettled(String extPath, Duration atMost) {
    await().atMost(atMost).until(() -> !BUSY.contains(call("GET", extPath, null).body().path("properties").path("provisioningState").asText()));
    try {
      return call("GET", extPath, null).body().path("properties");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static ObjectNode extension(String extensionType) {
    ObjectNode ext = JSON.createObjectNode();
    ext.putObject("properties").put("extensionType", extensionType);
    return ext;
  }

  @Override
  public void close() {
    kubelet.close();
    manager.close();
    client.close();
    server.destroy();
  }
}
