package io.daprx.bench;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The figures of one phase.
 *
 * @param offeredRate the open-loop schedule's rate, or 0 for a closed loop
 * @param maxScheduleLagNanos how late the open-loop pacer itself sent a request at worst (already part of the latencies)
 */
record PhaseResult(String name, long calls, long ok, long okInWindow, Map<String, Long> errors, String firstError,
    Histogram latency, double seconds, double offeredRate, long maxScheduleLagNanos) {

  static PhaseResult of(String name, Tally t, double seconds, double offeredRate, long maxScheduleLagNanos) {
    return new PhaseResult(name, t.calls(), t.ok(), t.okInWindow(), t.errors(), t.firstError(), t.latencies(), seconds,
        offeredRate, maxScheduleLagNanos);
  }

  /** Certificates issued per second inside the measuring window. */
  double throughput() {
    return okInWindow / seconds;
  }

  long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  double percentileMillis(double p) {
    return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(p) / 1e6;
  }

  double maxMillis() {
    return latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue() / 1e6;
  }
}
