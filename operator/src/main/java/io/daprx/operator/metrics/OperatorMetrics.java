package io.daprx.operator.metrics;

import io.daprx.common.dapr.ResourceKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's Prometheus meters: {@code daprx_operator_streams_open{kind}},
 * {@code daprx_operator_events_sent_total{kind}}, {@code daprx_operator_list_calls_total{kind}} and
 * {@code daprx_operator_streams_closed_total{reason}} and, in standalone mode,
 * {@code daprx_operator_resource_files_skipped{reason}} ({@code invalid} or {@code too_large}: files left unread now).
 */
public final class OperatorMetrics {

  private final MeterRegistry registry;
  private final Map<ResourceKind, AtomicInteger> open = new EnumMap<>(ResourceKind.class);
  private final Map<ResourceKind, Counter> sent = new EnumMap<>(ResourceKind.class);
  private final Map<ResourceKind, Counter> lists = new EnumMap<>(ResourceKind.class);
  private final Map<String, Counter> closed = new ConcurrentHashMap<>();
  private final AtomicInteger skippedInvalid = new AtomicInteger();
  private final AtomicInteger skippedTooLarge = new AtomicInteger();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (ResourceKind k : ResourceKind.values()) {
      String kind = k.kind().toLowerCase(Locale.ROOT);
      AtomicInteger n = new AtomicInteger();
      open.put(k, n);
      Gauge.builder("daprx_operator_streams_open", n, AtomicInteger::get).description("update streams open, by kind")
          .tag("kind", kind).register(registry);
      sent.put(k, Counter.builder("daprx_operator_events_sent").description("events written to update streams, by kind")
          .tag("kind", kind).register(registry));
      lists.put(k, Counter.builder("daprx_operator_list_calls").description("list and get calls, by kind")
          .tag("kind", kind).register(registry));
    }
    Gauge.builder("daprx_operator_resource_files_skipped", skippedInvalid, AtomicInteger::get)
        .description("resource files skipped (their last good resources stay), by reason").tag("reason", "invalid").register(registry);
    Gauge.builder("daprx_operator_resource_files_skipped", skippedTooLarge, AtomicInteger::get)
        .description("resource files skipped (their last good resources stay), by reason").tag("reason", "too_large").register(registry);
  }

  /** How many resource files are skipped now: broken ones, and ones over the size limits. */
  public void resourceFilesSkipped(int invalid, int tooLarge) {
    skippedInvalid.set(invalid);
    skippedTooLarge.set(tooLarge);
  }

  public void streamOpened(ResourceKind kind) {
    open.get(kind).incrementAndGet();
  }

  /** @param reason e.g. {@code cancelled}, {@code behind}, {@code stopping} */
  public void streamClosed(ResourceKind kind, String reason) {
    open.get(kind).decrementAndGet();
    closed.computeIfAbsent(reason, r -> Counter.builder("daprx_operator_streams_closed")
        .description("update streams ended, by reason").tag("reason", r).register(registry)).increment();
  }

  public void eventSent(ResourceKind kind) {
    sent.get(kind).increment();
  }

  public void listed(ResourceKind kind) {
    lists.get(kind).increment();
  }

  public int streamsOpen(ResourceKind kind) {
    return open.get(kind).get();
  }

  public double eventsSent(ResourceKind kind) {
    return sent.get(kind).count();
  }
}
