package io.daprx.placement.dissemination;

import io.daprx.common.placement.HashRing;
import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.PlacementTable;
import io.daprx.proto.placement.v1.PlacementTables;
import io.daprx.proto.placement.v1.StatePlacementTable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Placement tables as pure functions of a namespace's hosts: what a round disseminates and what the state API shows. */
public final class Tables {

  /**
   * From this API level on, daprd builds the ring itself from {@code load_map}; older sidecars need the deprecated
   * virtual nodes ({@code hosts}, {@code sorted_set}) in the table.
   */
  public static final int NO_VIRTUAL_NODES_API_LEVEL = 20;

  private Tables() {}

  /**
   * The host as stored: entities sorted without duplicates (so a reordered report is no change) and without the
   * stream-protocol fields {@code operation} and {@code version}, which mean nothing inside a table.
   */
  public static Host normalize(Host h) {
    List<String> entities = new ArrayList<>(new TreeSet<>(h.getEntitiesList()));
    return h.toBuilder().clearOperation().clearVersion().clearEntities().addAllEntities(entities).build();
  }

  /** Whether two normalized hosts place actors the same way: same name, app id, namespace and actor types. */
  public static boolean sameMembership(Host a, Host b) {
    return a.getName().equals(b.getName()) && a.getId().equals(b.getId()) && a.getNamespace().equals(b.getNamespace())
        && a.getEntitiesList().equals(b.getEntitiesList());
  }

  /**
   * One {@code PlacementTable} per actor type, whose {@code load_map} holds every host with that type. Each entry
   * carries what daprd reads from it (name, app id, port, load): the entry's key already says the actor type and the
   * stream the namespace, and leaving the rest out makes a table of a thousand hosts a third smaller, which is what a
   * round spends its time on. {@link #state} keeps the hosts as reported.
   *
   * @param hosts normalized hosts with at least one actor type; with equal names the later one wins
   * @param apiLevel the lowest API level among the namespace's sidecars (the deprecated {@code api_level})
   * @param virtualNodes fill the deprecated {@code hosts} and {@code sorted_set} from the ring, for sidecars below
   *     {@link #NO_VIRTUAL_NODES_API_LEVEL}
   */
  public static PlacementTables build(Collection<Host> hosts, long version, long replicationFactor, int apiLevel,
      boolean virtualNodes) {
    Map<String, Map<String, Host>> byType = new LinkedHashMap<>();
    for (Host h : hosts) {
      for (String type : h.getEntitiesList()) {
        byType.computeIfAbsent(type, t -> new LinkedHashMap<>()).put(h.getName(), entry(h));
      }
    }
    PlacementTables.Builder tables = PlacementTables.newBuilder()
        .setVersion(Long.toUnsignedString(version))
        .setApiLevel(apiLevel)
        .setReplicationFactor(replicationFactor);
    for (Map.Entry<String, Map<String, Host>> e : byType.entrySet()) {
      PlacementTable.Builder t = PlacementTable.newBuilder().putAllLoadMap(e.getValue());
      if (virtualNodes) {
        HashRing ring = HashRing.of(e.getValue().keySet(), replicationFactor);
        t.putAllHosts(ring.virtualNodes());
        for (long v : ring.sortedSet()) {
          t.addSortedSet(v);
        }
      }
      tables.putEntries(e.getKey(), t.build());
    }
    return tables.build();
  }

  /** A host as a {@code load_map} entry: the fields daprd builds its ring and lookups from. */
  static Host entry(Host h) {
    return Host.newBuilder().setName(h.getName()).setId(h.getId()).setPort(h.getPort()).setLoad(h.getLoad()).build();
  }

  /** The namespace as {@code GET /placement/state} shows it: its hosts by name, and the version of their table. */
  public static StatePlacementTable state(Collection<Host> hosts, long version) {
    Map<String, Host> byName = new LinkedHashMap<>();
    for (Host h : hosts) {
      byName.put(h.getName(), h);
    }
    List<Host> sorted = new ArrayList<>(byName.values());
    sorted.sort(Comparator.comparing(Host::getName));
    return StatePlacementTable.newBuilder().addAllHosts(sorted).setVersion(version).build();
  }

  /** Number of distinct actor types among the hosts. */
  static int actorTypes(Collection<Host> hosts) {
    TreeSet<String> types = new TreeSet<>();
    for (Host h : hosts) {
      types.addAll(h.getEntitiesList());
    }
    return types.size();
  }
}
