package io.daprx.manager.engine;

import io.daprx.common.testing.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.catalog.CatalogSource;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.security.SecretBox;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.JdbcStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The extension engine in-process as the server wires it (SQLite store, registrations, sealed settings, the real
 * {@link Extensions} and {@link OperationRunner}) around a {@link FakeTarget}. Operations are run by the test, one
 * after the other on its own thread, so every decision can be checked right after it is made.
 */
final class EngineHarness implements AutoCloseable {

  static final String RG = "rg";
  static final String LOCAL = "local1";
  static final String KUBE = "kube1";
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  final TestClock clock = new TestClock(Instant.parse("2026-03-02T10:00:00Z"));
  final FakeTarget target = new FakeTarget();
  final JdbcStore store;
  final Clusters clusters;
  final Extensions extensions;
  final OperationRunner runner;
  private final Deque<String> submitted = new ArrayDeque<>();
  private final Path dir;

  /** @param catalog made from the harness's clock: {@code clock -> CatalogSource.of(...)} */
  EngineHarness(Path dir, Function<TestClock, CatalogSource> catalog, Semver build) {
    this.dir = dir;
    store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("daprx.db"), null, null, clock);
    Registrations registrations = new Registrations(store, clock, Duration.ZERO, Duration.ZERO, "sub1");
    registrations.registerFeature("Microsoft.ContainerService", "AKS-ExtensionManager", true);
    registrations.registerFeature("Microsoft.ContainerService", "AKS-Dapr", true);
    registrations.registerProvider("Microsoft.KubernetesConfiguration", true);
    registrations.registerProvider("Microsoft.ContainerService", true);
    clusters = new Clusters(store, "sub1", dir.resolve("clusters"), 21000);
    clusters.putResourceGroup(RG, "local");
    clusters.createManaged(RG, LOCAL, null);
    extensions = new Extensions(store, registrations, SecretBox.open(dir.resolve("secret.key")), submitted::add, catalog.apply(clock), build, clock);
    runner = new OperationRunner(store, extensions, target, clock, TIMEOUT);
  }

  /** A connected (Kubernetes) cluster; its API server is never reached, the fake target stands in for it. */
  Doc connectKube() {
    ConnectedClusters connected = new ConnectedClusters(store, clusters, "sub1", SecretBox.open(dir.resolve("secret.key")), clock,
        Duration.ofSeconds(2));
    connected.connect(RG, KUBE, TestKubeconfig.of("https://127.0.0.1:1", "ctx", "token-1"), null, null);
    return kube();
  }

  Doc local() {
    return clusters.clusterDoc(RG, "managedClusters", LOCAL);
  }

  Doc kube() {
    return clusters.clusterDoc(RG, "connectedClusters", KUBE);
  }

  Doc ext(Doc cluster, String name) {
    return extensions.doc(cluster, name);
  }

  /** The extension as the API shows it. */
  ObjectNode shown(Doc cluster, String name) {
    return Json.external(ext(cluster, name).body());
  }

  JsonNode props(Doc cluster, String name) {
    return shown(cluster, name).path("properties");
  }

  /** The newest operation of the extension, as the API shows it. */
  JsonNode lastOperation(Doc cluster, String name) {
    return extensions.operations(cluster, name).get(0);
  }

  /** {@code {"properties": {...}}} with the given properties. */
  static ObjectNode request(Map<String, ?> properties) {
    ObjectNode r = Json.object();
    r.set("properties", Json.MAPPER.valueToTree(properties));
    return r;
  }

  Extensions.Accepted create(Doc cluster, String name, Map<String, ?> properties) {
    return extensions.create(cluster, name, ExtensionRequest.parse(request(properties)), true);
  }

  Extensions.Accepted update(Doc cluster, String name, Map<String, ?> properties) {
    return extensions.update(cluster, name, ExtensionRequest.parse(request(properties)), null);
  }

  /** Operations accepted but not run yet. */
  List<String> pending() {
    return List.copyOf(submitted);
  }

  /** Runs every accepted operation, oldest first, as the runner's threads would; then moves the clock a second on. */
  void runOperations() {
    runOperations(Duration.ofSeconds(1));
  }

  void runOperations(Duration thenAdvance) {
    while (!submitted.isEmpty()) {
      runner.run(submitted.poll());
    }
    clock.advance(thenAdvance);
  }

  /** A one-train catalog ({@code stable}) from release entries made by {@link #release}. */
  static String catalog(String... releases) {
    return "{\"trains\": {\"stable\": [" + String.join(",", releases) + "]}}";
  }

  /** A release whose Dapr version is derived from it; {@code local} gives it a jar a local cluster can run. */
  static String release(String version, boolean local) {
    String dist = local ? ", \"distribution\": {\"url\": \"file:/opt/daprx/" + version + "/daprx.jar\", \"sha256\": \""
        + "ab".repeat(32) + "\"}" : "";
    return "{\"version\": \"" + version + "\", \"imageTag\": \"" + version + "\", \"daprVersion\": \"1.17." + version.replace(".", "")
        + "\"" + dist + "}";
  }

  @Override
  public void close() {
    runner.close();
    store.close();
  }
}
