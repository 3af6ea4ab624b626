package io.daprx.manager.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.manager.deploy.Targets;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.JdbcStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One cluster's slow apply never stalls another cluster's resource requests. */
class ClusterResourceLocksTest {

  @TempDir
  Path dir;

  private JdbcStore store;
  private Clusters clusters;
  private ClusterResources resources;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeEach
  void setUp() {
    store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("daprx.db"), null, null, Clock.systemUTC());
    clusters = new Clusters(store, "00000000-0000-0000-0000-000000000000", dir.resolve("clusters"), 42000);
    clusters.putResourceGroup("rg", null);
    resources = new ClusterResources(store, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
    store.close();
  }

  private Doc clusterWithDapr(String name) {
    clusters.createManaged("rg", name, null);
    Doc cluster = clusters.clusterDoc("rg", "managedClusters", name);
    ObjectNode ext = Json.object();
    ext.put("name", "dapr");
    store.create(cluster.id() + "/providers/Microsoft.KubernetesConfiguration/extensions/dapr", Extensions.KIND, cluster.id(), ext);
    return cluster;
  }

  private static ArrayNode component(String name) throws Exception {
    ArrayNode a = Json.MAPPER.createArrayNode();
    a.add(ClusterResources.YAML.readTree("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: " + name
        + "}\nspec: {type: state.in-memory, version: v1}\n"));
    return a;
  }

  @Test
  void aSlowApplyOnOneClusterDoesNotStallAnotherClustersRequests() throws Exception {
    Doc slow = clusterWithDapr("slow");
    Doc other = clusterWithDapr("other");
    // the slow cluster's existing object is a pipe: reading it (as every apply does) blocks until the test writes to it
    Path resourcesDir = Targets.local(slow).resourcesDir();
    Files.createDirectories(resourcesDir);
    Path pipe = resourcesDir.resolve("components_default_store.yaml");
    assertThat(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor()).isZero();

    CompletableFuture<List<ClusterResources.Applied>> stalled = CompletableFuture.supplyAsync(() -> apply(slow, "store"), pool);
    try {
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !stalled.isDone());

      CompletableFuture<List<ClusterResources.Applied>> meanwhile = CompletableFuture.supplyAsync(() -> apply(other, "store"), pool);
      await().atMost(Duration.ofSeconds(10)).until(meanwhile::isDone);
      assertThat(meanwhile.join()).extracting(ClusterResources.Applied::result).containsExactly("created");
      CompletableFuture<Integer> listed = CompletableFuture.supplyAsync(() -> resources.list(other, ResourceKind.COMPONENT, null).size(), pool);
      await().atMost(Duration.ofSeconds(10)).until(listed::isDone);
      assertThat(listed.join()).isEqualTo(1);
    } finally {
      // let the slow apply read what it waits for; it then goes on as ever
      if (!stalled.isDone()) {
        Files.writeString(pipe, "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: store}\n"
          + "spec: {type: state.in-memory, version: v1}\n");
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(stalled::isDone);
    assertThat(stalled.join()).hasSize(1);
  }

  private List<ClusterResources.Applied> apply(Doc cluster, String name) {
    try {
      return resources.apply(cluster, component(name), null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
