package io.daprx.manager.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.deploy.LocalTarget;
import io.daprx.manager.deploy.Targets;
import io.daprx.manager.local.Supervisor;
import io.daprx.manager.local.SupervisorSettings;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.JdbcStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each local cluster's files (CA key, resources, logs, raft state) live in a directory no other cluster maps onto, so
 * deleting one cluster never touches another's — whatever their names, and for clusters an earlier daprx created.
 */
class ClusterDirectoriesTest {

  @TempDir
  Path dir;

  private JdbcStore store;
  private Clusters clusters;
  private Supervisor supervisor;
  private LocalClusters local;

  @BeforeEach
  void setUp() {
    store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("daprx.db"), null, null, Clock.systemUTC());
    clusters = new Clusters(store, "00000000-0000-0000-0000-000000000000", dir.resolve("clusters"), 41000);
    supervisor = new Supervisor(dir.resolve("run"), Clock.systemUTC(), SupervisorSettings.defaults());
    LocalTarget target = new LocalTarget(supervisor, null, Clock.systemUTC(), null);
    // a cluster without extensions: deleting it touches only the target and the store
    local = new LocalClusters(store, clusters, null, null, target, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    supervisor.close();
    store.close();
  }

  private Doc create(String rg, String name) {
    clusters.putResourceGroup(rg, null);
    clusters.createManaged(rg, name, null);
    return clusters.clusterDoc(rg, "managedClusters", name);
  }

  /** What an install leaves in a cluster's directory: its CA key among them. */
  private static Path caKey(Doc cluster) throws Exception {
    Path key = Targets.local(cluster).trustBundleDir().resolve("ca.key");
    Files.createDirectories(key.getParent());
    Files.writeString(key, "the CA key of " + cluster.id());
    return key;
  }

  @Test
  void clustersWhoseJoinedNamesCollideGetTheirOwnDirectoriesAndDeletingOneKeepsTheOthersCa() throws Exception {
    Doc first = create("a_b", "c");
    Doc second = create("a", "b_c");
    Path firstDir = Targets.local(first).dir();
    Path secondDir = Targets.local(second).dir();
    assertThat(firstDir).isNotEqualTo(secondDir);
    assertThat(firstDir.startsWith(secondDir) || secondDir.startsWith(firstDir)).isFalse();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(firstDir))).isEqualTo("rwx------");
    Path firstKey = caKey(first);
    Path secondKey = caKey(second);

    local.deleteCluster(first);

    assertThat(firstKey).doesNotExist();
    assertThat(secondKey).hasContent("the CA key of " + second.id());
  }

  @Test
  void aClusterAnEarlierDaprxCreatedKeepsItsDirectoryAndNoNewClusterMapsOntoIt() throws Exception {
    Doc old = create("a_b", "c");
    Path legacy = dir.resolve("clusters").resolve("a_b_c");
    ObjectNode body = old.body().deepCopy();
    ((ObjectNode) body.get("_local")).put("dir", legacy.toString());
    store.update(old.id(), body, null);
    old = clusters.clusterDoc("a_b", "managedClusters", "c");
    Path oldKey = caKey(old);

    Doc fresh = create("a", "b_c");

    assertThat(Targets.local(old).dir()).isEqualTo(legacy);
    assertThat(Targets.local(fresh).dir()).isNotEqualTo(legacy);
    local.deleteCluster(fresh);
    assertThat(oldKey).hasContent("the CA key of " + old.id());
  }

  @Test
  void deletingAClusterThatSharesItsDirectoryWithAnotherLeavesTheSharedFilesAlone() throws Exception {
    // two clusters an earlier daprx mapped onto one directory: the survivor's CA must outlive the other's deletion
    Path legacy = dir.resolve("clusters").resolve("a_b_c");
    Doc first = create("a_b", "c");
    Doc second = create("a", "b_c");
    for (Doc d : new Doc[] {first, second}) {
      ObjectNode body = d.body().deepCopy();
      ((ObjectNode) body.get("_local")).put("dir", legacy.toString());
      store.update(d.id(), body, null);
    }
    first = clusters.clusterDoc("a_b", "managedClusters", "c");
    Path key = caKey(first);

    local.deleteCluster(first);

    assertThat(store.get(first.id())).isEmpty();
    assertThat(key).exists();
  }
}
