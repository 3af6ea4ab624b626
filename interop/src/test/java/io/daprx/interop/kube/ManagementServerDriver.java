package io.daprx.interop.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.ManagerServer;
import io.daprx.manager.ServerOptions;
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

/** A real management server in this JVM, driven through its HTTP API as the CLI drives it (the seed's az flow). */
final class ManagementServerDriver implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> BUSY = Set.of("Creating", "Updating", "Deleting");

  record Reply(int status, JsonNode body) {}

  private final ManagerServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String bearer;
  private final String sub;

  ManagementServerDriver(Path home, Duration reconcileTimeout) throws Exception {
    this(home, reconcileTimeout, null);
  }

  /** @param catalog a release catalog file; null: the built-in one */
  ManagementServerDriver(Path home, Duration reconcileTimeout, Path catalog) throws Exception {
    this(home, reconcileTimeout, catalog, ServerOptions.DEFAULT_AUTO_UPGRADE_INTERVAL);
  }

  /** @param autoUpgradeInterval how often the auto-upgrader reads the catalog (a failed version waits an hour) */
  ManagementServerDriver(Path home, Duration reconcileTimeout, Path catalog, Duration autoUpgradeInterval) throws Exception {
    ServerOptions options = new ServerOptions(home, "127.0.0.1", 0, null, null, null, Duration.ZERO, Duration.ZERO, 47000, reconcileTimeout,
        List.of("true"), catalog == null ? null : catalog.toString(), autoUpgradeInterval, Duration.ofHours(1));
    server = new ManagerServer(options, Clock.systemUTC()).start();
    bearer = Files.readString(options.tokenFile()).trim();
    sub = call("GET", "/subscriptions", null).body().path("value").path(0).path("subscriptionId").asText();
    for (String f : List.of("AKS-ExtensionManager", "AKS-Dapr")) {
      call("POST", "/subscriptions/" + sub + "/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/" + f + "/register", null);
    }
    for (String ns : List.of("Microsoft.KubernetesConfiguration", "Microsoft.ContainerService")) {
      call("POST", "/subscriptions/" + sub + "/providers/" + ns + "/register", null);
    }
    call("PUT", "/subscriptions/" + sub + "/resourcegroups/rg", JSON.createObjectNode().put("location", "local"));
  }

  Reply call(String method, String path, JsonNode body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).header("Authorization", "Bearer " + bearer)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body()));
  }

  /** {@code az connectedk8s connect}: the cluster {@code name} reached with {@code kubeconfig}; returns its path. */
  String connect(String name, String kubeconfig, String context) throws Exception {
    String path = "/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/" + name;
    Reply r = call("PUT", path, JSON.createObjectNode().put("kubeconfig", kubeconfig).put("context", context));
    assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
    return path;
  }

  /** The extension's properties once no operation runs on it any more. */
  JsonNode awaitSettled(String extPath, Duration atMost) throws Exception {
    await().atMost(atMost).pollInterval(Duration.ofMillis(250))
        .until(() -> !BUSY.contains(call("GET", extPath, null).body().path("properties").path("provisioningState").asText()));
    return call("GET", extPath, null).body().path("properties");
  }

  /** The extension's operations, newest first ({@code k8s-extension operation list}). */
  List<JsonNode> operations(String extPath) throws Exception {
    List<JsonNode> out = new java.util.ArrayList<>();
    call("GET", extPath + "/operations", null).body().path("value").forEach(out::add);
    return out;
  }

  static ObjectNode extension(String extensionType) {
    ObjectNode ext = JSON.createObjectNode();
    ext.putObject("properties").put("extensionType", extensionType);
    return ext;
  }

  @Override
  public void close() {
    server.close();
  }
}
