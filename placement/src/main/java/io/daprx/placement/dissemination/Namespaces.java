package io.daprx.placement.dissemination;

import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.StatePlacementTable;
import io.daprx.proto.placement.v1.StatePlacementTables;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The namespace loops of one leadership term: created on a namespace's first stream, dropped when its last stream
 * is gone (its version starts again from 0 next time, as in Dapr), all closed when the term ends. A new term
 * starts with a new, empty instance and rebuilds every table from the sidecars that reconnect.
 */
public final class Namespaces {

  private final LoopSettings settings;
  private final Map<String, NamespaceLoop> loops = new HashMap<>();
  private boolean closed;

  public Namespaces(LoopSettings settings) {
    this.settings = settings;
  }

  /**
   * Routes a new stream's first report to its namespace's loop, creating the loop if needed.
   *
   * @return the loop that owns the stream from now on, or null when this term is over
   */
  public synchronized NamespaceLoop join(String namespace, SidecarStream stream, Host first) {
    if (closed) {
      return null;
    }
    NamespaceLoop loop = loops.computeIfAbsent(namespace, ns -> new NamespaceLoop(ns, settings, this::removeIfEmpty));
    // raised under the lock that removal checks, so a loop is never dropped with a join on its way
    loop.liveStreams.incrementAndGet();
    loop.post(new NamespaceEvent.Joined(stream, first));
    return loop;
  }

  /** Called by a loop, on its own thread, when it has no streams left. */
  private synchronized void removeIfEmpty(NamespaceLoop loop) {
    if (!closed && loops.get(loop.namespace()) == loop && loop.liveStreams.get() == 0) {
      loops.remove(loop.namespace());
      loop.retire();
    }
  }

  /** Closes every stream of every namespace with {@code status}; completes when all loops have done so. */
  public CompletableFuture<Void> close(Status status, String reason) {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return CompletableFuture.completedFuture(null);
      }
      closed = true;
      for (NamespaceLoop loop : loops.values()) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loop.post(new NamespaceEvent.Shutdown(status, reason, f));
        done.add(f);
      }
      loops.clear();
    }
    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
  }

  /** Every namespace's table, as {@code GET /placement/state} shows them. */
  public CompletableFuture<StatePlacementTables> state() {
    Map<String, CompletableFuture<StatePlacementTable>> parts = new TreeMap<>();
    synchronized (this) {
      for (NamespaceLoop loop : loops.values()) {
        CompletableFuture<StatePlacementTable> f = new CompletableFuture<>();
        loop.post(new NamespaceEvent.StateQuery(f));
        parts.put(loop.namespace(), f);
      }
    }
    return CompletableFuture.allOf(parts.values().toArray(CompletableFuture[]::new)).thenApply(x -> {
      StatePlacementTables.Builder b = StatePlacementTables.newBuilder();
      parts.forEach((ns, f) -> b.putTables(ns, f.join()));
      return b.build();
    });
  }

  public synchronized int size() {
    return loops.size();
  }
}
