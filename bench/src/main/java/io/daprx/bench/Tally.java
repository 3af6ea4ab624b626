package io.daprx.bench;

import io.grpc.Status;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one phase saw: every call it started (warm-up included, since an error there is still an error) and
 * the latency of the calls that fall in its measuring window. Safe to update from any gRPC thread.
 */
final class Tally {

  /** Latencies above a minute would be timeouts anyway. */
  private static final long HIGHEST_NANOS = 60_000_000_000L;

  private final LongAdder calls = new LongAdder();
  private final LongAdder ok = new LongAdder();
  private final LongAdder okInWindow = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private volatile String firstError;
  private final Recorder latency = new Recorder(HIGHEST_NANOS, 3);

  void started() {
    calls.increment();
  }

  void succeeded(boolean inWindow, long latencyNanos) {
    ok.increment();
    if (inWindow) {
      okInWindow.increment();
      latency.recordValue(Math.min(Math.max(latencyNanos, 0), HIGHEST_NANOS));
    }
  }

  void failed(Status status) {
    failed(status.getCode().name());
    if (firstError == null) {
      firstError = status.getCode() + (status.getDescription() != null ? ": " + status.getDescription() : "")
          + (status.getCause() != null ? " (" + status.getCause() + ")" : "");
    }
  }

  void failed(String reason) {
    errors.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  long calls() {
    return calls.sum();
  }

  long ok() {
    return ok.sum();
  }

  long okInWindow() {
    return okInWindow.sum();
  }

  long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  String firstError() {
    return firstError;
  }

  /** Call once, after the phase: it takes the samples out of the recorder. */
  Histogram latencies() {
    return latency.getIntervalHistogram();
  }
}
