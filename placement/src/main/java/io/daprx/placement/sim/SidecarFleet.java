package io.daprx.placement.sim;

import io.daprx.common.svid.SidecarChannels;
import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.PlacementTable;
import io.daprx.proto.placement.v1.PlacementTables;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/** A set of simulated sidecars over {@link SidecarChannels}, with the checks tests and benchmarks share. */
public final class SidecarFleet implements AutoCloseable {

  private final SidecarChannels channels;
  private final LongSupplier nanoTime;
  private final boolean keepHistory;
  private final boolean keepAllTables;
  private final List<SimulatedSidecar> sidecars = new CopyOnWriteArrayList<>();
  private final Set<String> namespacesWithKeeper = new HashSet<>(); // guarded by this

  /**
   * @param keepHistory sidecars record every order (tests)
   * @param keepAllTables every sidecar keeps its tables; when false only the first sidecar of each namespace does,
   *     which is enough for {@link #converged} to check the content (load)
   */
  public SidecarFleet(SidecarChannels channels, LongSupplier nanoTime, boolean keepHistory, boolean keepAllTables) {
    this.channels = channels;
    this.nanoTime = nanoTime;
    this.keepHistory = keepHistory;
    this.keepAllTables = keepAllTables;
  }

  public SidecarFleet(SidecarChannels channels) {
    this(channels, System::nanoTime, true, true);
  }

  /** A sidecar that is not connected yet. */
  public synchronized SimulatedSidecar create(SidecarSpec spec) {
    boolean keepTables = namespacesWithKeeper.add(spec.namespace()) || keepAllTables;
    SimulatedSidecar s = new SimulatedSidecar(spec, channels.channelFor(spec.namespace(), spec.appId()), nanoTime, keepHistory, keepTables);
    sidecars.add(s);
    return s;
  }

  public SimulatedSidecar connect(SidecarSpec spec) {
    return create(spec).connect();
  }

  public List<SimulatedSidecar> all() {
    return List.copyOf(sidecars);
  }

  public List<SimulatedSidecar> inNamespace(String namespace) {
    return sidecars.stream().filter(s -> s.spec().namespace().equals(namespace)).toList();
  }

  /** Drops and reconnects each sidecar {@code times} times in a row, as fast as possible (a reconnect storm). */
  public void reconnectStorm(List<SimulatedSidecar> who, int times) {
    for (int i = 0; i < times; i++) {
      for (SimulatedSidecar s : who) {
        s.drop();
        s.connect();
      }
    }
  }

  /**
   * Whether every open sidecar of {@code namespace} holds the same version and a table that places exactly the open
   * sidecars' actor types on them (the expected table, derived from what the sidecars report).
   */
  public boolean converged(String namespace) {
    List<SimulatedSidecar> open = inNamespace(namespace).stream().filter(SimulatedSidecar::isOpen).toList();
    if (open.isEmpty()) {
      return true;
    }
    Long version = null;
    SimulatedSidecar keeper = null;
    for (SimulatedSidecar s : open) {
      SimulatedSidecar.Table t = s.table();
      if (t == null || (version != null && t.version() != version)) {
        return false;
      }
      version = t.version();
      if (keeper == null && s.keepsTables()) {
        keeper = s;
      }
    }
    return keeper == null || hostsByType(keeper.table().parsed()).equals(expectedTable(open));
  }

  /** Actor type → names of the open sidecars hosting it. */
  public static Map<String, Set<String>> expectedTable(List<SimulatedSidecar> open) {
    Map<String, Set<String>> out = new TreeMap<>();
    for (SimulatedSidecar s : open) {
      for (String type : s.spec().actorTypes()) {
        out.computeIfAbsent(type, t -> new HashSet<>()).add(s.spec().name());
      }
    }
    return out;
  }

  /** Actor type → host names in a table's {@code load_map}. */
  public static Map<String, Set<String>> hostsByType(PlacementTables tables) {
    Map<String, Set<String>> out = new TreeMap<>();
    for (Map.Entry<String, PlacementTable> e : tables.getEntriesMap().entrySet()) {
      Set<String> names = new HashSet<>();
      for (Host h : e.getValue().getLoadMapMap().values()) {
        names.add(h.getName());
      }
      out.put(e.getKey(), names);
    }
    return out;
  }

  /** Every protocol violation any sidecar saw, prefixed with the sidecar. */
  public List<String> violations() {
    List<String> out = new ArrayList<>();
    for (SimulatedSidecar s : sidecars) {
      s.violations().forEach(v -> out.add(s + ": " + v));
    }
    return out;
  }

  @Override
  public void close() {
    sidecars.forEach(SimulatedSidecar::drop);
    channels.close();
  }
}
