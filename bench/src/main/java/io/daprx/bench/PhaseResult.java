package io.daprx.bench;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The figures of one phase.
 *
 * @param offeredRate the open-loop schedule's rate, or 0 for a closed loop
 * @param maxScheduleLagNanos how late the open-loop pacer itself sent a request at worst (already part of the latencies)
 * @param sentryCpuSeconds CPU time sentry's process used inside the measuring window (NaN if unknown)
 * @param selfCpuSeconds CPU time the load generator used inside the measuring window (NaN if unknown)
 * @param otherCpuSeconds CPU time every other process on the machine used inside the window (NaN if unknown)
 */
record PhaseResult(String name, long calls, long ok, long okInWindow, Map<String, Long> errors, String firstError,
    Histogram latency, double seconds, double offeredRate, long maxScheduleLagNanos, double sentryCpuSeconds,
    double selfCpuSeconds, double otherCpuSeconds) {

  static PhaseResult of(String name, Tally t, double seconds, double offeredRate, long maxScheduleLagNanos,
      CpuMeter.Sample cpuStart, CpuMeter.Sample cpuEnd) {
    return new PhaseResult(name, t.calls(), t.ok(), t.okInWindow(), t.errors(), t.firstError(), t.latencies(), seconds,
        offeredRate, maxScheduleLagNanos,
        CpuMeter.seconds(cpuStart.sentryNanos(), cpuEnd.sentryNanos()), CpuMeter.seconds(cpuStart.selfNanos(), cpuEnd.selfNanos()),
        Math.max(0, CpuMeter.seconds(cpuStart.machineNanos(), cpuEnd.machineNanos())
            - CpuMeter.seconds(cpuStart.sentryNanos(), cpuEnd.sentryNanos()) - CpuMeter.seconds(cpuStart.selfNanos(), cpuEnd.selfNanos())));
  }

  /** Sentry's CPU microseconds per certificate issued in the window. */
  double sentryMicrosPerCert() {
    return sentryCpuSeconds * 1e6 / okInWindow;
  }

  /** The load generator's CPU microseconds per certificate issued in the window. */
  double selfMicrosPerCert() {
    return selfCpuSeconds * 1e6 / okInWindow;
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
