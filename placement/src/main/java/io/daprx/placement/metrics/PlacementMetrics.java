package io.daprx.placement.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Placement's Prometheus metrics. The per-namespace gauges keep Dapr's names and tag ({@code dapr_placement_runtimes},
 * {@code dapr_placement_actor_runtimes}, {@code host_namespace}) except for Dapr's {@code _total} suffix, which the
 * Prometheus client reserves for counters; the rest are ours ({@code daprx_placement_*}).
 */
public final class PlacementMetrics {

  private final MeterRegistry registry;
  private final AtomicInteger leader = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();
  private final Counter roundsCompleted;
  private final Counter roundsAborted;
  private final Timer roundDuration;
  private final Map<String, Counter> closed = new ConcurrentHashMap<>();
  private final Map<String, NamespaceGauges> namespaces = new ConcurrentHashMap<>();

  public PlacementMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("dapr_placement_leader_status", leader, AtomicInteger::get)
        .description("1 while this replica is the leader and serves sidecars, else 0").register(registry);
    Gauge.builder("daprx_placement_streams", streams, AtomicInteger::get)
        .description("Open ReportDaprStatus streams, all namespaces").register(registry);
    roundsCompleted = Counter.builder("daprx_placement_dissemination_rounds").tag("outcome", "completed")
        .description("Dissemination rounds (lock, update, unlock) by outcome").register(registry);
    roundsAborted = Counter.builder("daprx_placement_dissemination_rounds").tag("outcome", "aborted")
        .description("Dissemination rounds (lock, update, unlock) by outcome").register(registry);
    roundDuration = Timer.builder("daprx_placement_dissemination_duration")
        .description("Time from a round's lock to the last unlock ack")
        .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10))
        .register(registry);
  }

  public void leader(boolean isLeader) {
    leader.set(isLeader ? 1 : 0);
  }

  public void streamOpened() {
    streams.incrementAndGet();
  }

  public void streamClosed() {
    streams.decrementAndGet();
  }

  public int openStreams() {
    return streams.get();
  }

  public void roundCompleted(long nanos) {
    roundsCompleted.increment();
    roundDuration.record(Duration.ofNanos(nanos));
  }

  public void roundAborted() {
    roundsAborted.increment();
  }

  /** A stream placement ended itself, by a short bounded reason: deadline, slow, invalid, denied, leadership, shutdown. */
  public void streamEnded(String reason) {
    closed.computeIfAbsent(reason, r -> Counter.builder("daprx_placement_streams_closed").tag("reason", r)
        .description("Streams closed by placement, by reason").register(registry)).increment();
  }

  /**
   * The gauges of one namespace. One holder per namespace name for the life of the process (a namespace seen once
   * keeps reporting, 0 when empty, as Dapr's do); the namespace loop that currently owns it is the only writer.
   */
  public NamespaceGauges namespace(String ns, Object owner) {
    NamespaceGauges g = namespaces.computeIfAbsent(ns, n -> new NamespaceGauges(registry, n));
    g.owner = owner;
    return g;
  }

  /** Values of a namespace's gauges; written by its loop only. */
  public static final class NamespaceGauges {
    private final AtomicInteger streams = new AtomicInteger();
    private final AtomicInteger actorHosts = new AtomicInteger();
    private final AtomicInteger actorTypes = new AtomicInteger();
    private volatile Object owner;

    NamespaceGauges(MeterRegistry registry, String ns) {
      Gauge.builder("dapr_placement_runtimes", streams, AtomicInteger::get).tag("host_namespace", ns)
          .description("Sidecars connected to placement, per namespace").register(registry);
      Gauge.builder("dapr_placement_actor_runtimes", actorHosts, AtomicInteger::get).tag("host_namespace", ns)
          .description("Sidecars hosting actors, per namespace").register(registry);
      Gauge.builder("daprx_placement_actor_types", actorTypes, AtomicInteger::get).tag("host_namespace", ns)
          .description("Actor types in the namespace's placement table").register(registry);
    }

    /** Sets all three, unless another loop took the namespace over since (a leadership change). */
    public void set(Object writer, int streamCount, int actorHostCount, int actorTypeCount) {
      if (owner != writer) {
        return;
      }
      streams.set(streamCount);
      actorHosts.set(actorHostCount);
      actorTypes.set(actorTypeCount);
    }
  }
}
