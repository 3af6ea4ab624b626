package io.daprx.manager.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.manager.store.JdbcStore;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where local clusters' ports come from. */
class ClusterPortsTest {

  @TempDir
  Path dir;

  @Test
  void aNewClustersBlockNeverOverlapsTheSmallerBlocksOfClustersMadeByAnEarlierDaprx() {
    int start = 20000;
    try (JdbcStore store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("daprx.db"), null, null, Clock.systemUTC())) {
      Clusters clusters = new Clusters(store, "00000000-0000-0000-0000-000000000000", dir.resolve("clusters"), start);
      clusters.putResourceGroup("rg", null);
      // as an earlier daprx stored them: 192 ports each, one after the other, no block size recorded
      for (int i = 0; i < 2; i++) {
        clusters.createManaged("rg", "old" + i, null);
        io.daprx.manager.store.Doc d = clusters.clusterDoc("rg", "managedclusters", "old" + i);
        com.fasterxml.jackson.databind.node.ObjectNode body = d.body().deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode local = (com.fasterxml.jackson.databind.node.ObjectNode) body.get("_local");
        local.put("portBase", start + i * 192);
        local.remove("portBlock");
        store.update(d.id(), body, null);
      }
      io.daprx.manager.install.LocalCluster old1 = io.daprx.manager.deploy.Targets.local(clusters.clusterDoc("rg", "managedclusters", "old1"));
      assertThat(old1.portBlock()).isEqualTo(io.daprx.manager.install.LocalCluster.LEGACY_PORT_BLOCK);
      clusters.createManaged("rg", "new", null);
      io.daprx.manager.install.LocalCluster fresh = io.daprx.manager.deploy.Targets.local(clusters.clusterDoc("rg", "managedclusters", "new"));
      assertThat(fresh.portBlock()).isEqualTo(io.daprx.manager.install.LocalCluster.PORT_BLOCK);
      // not at start + 256, which the second old cluster still holds up to start + 383
      assertThat(fresh.portBase()).isGreaterThanOrEqualTo(start + 2 * 192);
    }
  }

  @Test
  void aClustersPortsNeverLieInTheKernelsEphemeralRange() {
    int[] ephemeral = Clusters.ephemeralPorts();
    try (JdbcStore store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("daprx.db"), null, null, Clock.systemUTC())) {
      // a range that starts inside the ephemeral ports, as the default once did
      Clusters clusters = new Clusters(store, "00000000-0000-0000-0000-000000000000", dir.resolve("clusters"), ephemeral[0] > 0 ? ephemeral[0] - 192 : 40000);
      clusters.putResourceGroup("rg", null);
      for (String name : new String[] {"a", "b"}) {
        clusters.createManaged("rg", name, null);
        int base = io.daprx.manager.deploy.Targets.local(clusters.clusterDoc("rg", "managedclusters", name)).portBase();
        int end = base + io.daprx.manager.install.LocalCluster.PORT_BLOCK;
        assertThat(end <= ephemeral[0] || base >= ephemeral[1]).as("block %d..%d vs ephemeral %d..%d", base, end - 1,
            ephemeral[0], ephemeral[1] - 1).isTrue();
      }
    }
  }
}
