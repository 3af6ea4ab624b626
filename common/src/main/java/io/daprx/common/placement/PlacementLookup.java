package io.daprx.common.placement;

import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.StatePlacementTable;
import io.daprx.proto.placement.v1.StatePlacementTables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/** Which host owns an actor, answered from placement's state the way daprd answers it from its table. */
public final class PlacementLookup {

  /** The answer, with the table version it came from. */
  public record Owner(String namespace, String actorType, String actorId, Host host, long version) {

    /** As {@code daprx placement lookup} prints it and the dashboard's API serves it. */
    public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
      com.fasterxml.jackson.databind.node.ObjectNode m = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      m.put("namespace", namespace);
      m.put("actorType", actorType);
      m.put("actorId", actorId);
      m.put("host", host.getName());
      m.put("appId", host.getId());
      m.put("tableVersion", Long.toUnsignedString(version));
      return m;
    }
  }

  private PlacementLookup() {}

  /**
   * @throws IllegalArgumentException when the namespace has no table or no host of that actor type, saying what there is
   */
  public static Owner lookup(StatePlacementTables state, String namespace, String actorType, String actorId,
      long replicationFactor) {
    StatePlacementTable table = state.getTablesMap().get(namespace);
    if (table == null) {
      throw new IllegalArgumentException("namespace " + namespace + " has no placement table (namespaces with sidecars: "
          + (state.getTablesCount() == 0 ? "none" : String.join(", ", new TreeSet<>(state.getTablesMap().keySet()))) + ")");
    }
    Map<String, Host> hosts = new LinkedHashMap<>();
    TreeSet<String> types = new TreeSet<>();
    for (Host h : table.getHostsList()) {
      types.addAll(h.getEntitiesList());
      if (h.getEntitiesList().contains(actorType)) {
        hosts.put(h.getName(), h);
      }
    }
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("actor type " + actorType + " is not hosted in namespace " + namespace
          + " (actor types there: " + (types.isEmpty() ? "none" : String.join(", ", types)) + ")");
    }
    String owner = HashRing.of(new ArrayList<>(hosts.keySet()), replicationFactor).lookup(actorId);
    return new Owner(namespace, actorType, actorId, hosts.get(owner), table.getVersion());
  }
}
