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
  void aClustersPortsNeverLieInTheKernelsEphemeralRange() {
    int[] ephemeral = Clusters.ephemeralPorts();
    try (JdbcStore store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("daprx.db"), null, null, Clock.systemUTC())) {
      // a range that starts inside the ephemeral ports, as the default once did
      Clusters clusters = new Clusters(store, "00000000-0000-0000-0000-000000000000", dir.resolve("clusters"), ephemeral[0] > 0 ? ephemeral[0] - 192 : 40000);
      clusters.putResourceGroup("rg", null);
      for (String name : new String[] {"a", "b"}) {
        clusters.createManaged("rg", name, null);
        int base = io.daprx.manager.deploy.Targets.local(clusters.clusterDoc("rg", "managedclusters", name)).portBase();
        assertThat(base + 192 <= ephemeral[0] || base >= ephemeral[1]).as("block %d..%d vs ephemeral %d..%d", base, base + 191,
            ephemeral[0], ephemeral[1] - 1).isTrue();
      }
    }
  }
}
