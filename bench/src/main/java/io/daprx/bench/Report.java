package io.daprx.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The targets, the openssl bound and the printed table: plain functions of the measured figures. */
final class Report {

  /** Peak issuance must reach a quarter of what the raw crypto allows on the same cores. */
  static final double MIN_RATIO = 0.25;
  /** At half of the peak rate, 99% of requests must be answered within this. */
  static final double MAX_P99_MILLIS_AT_HALF = 10.0;
  /** More failed calls than this fraction fails the run. */
  static final double MAX_ERROR_RATE = 0.001;

  private Report() {}

  /**
   * What one key type measured, beside the openssl rates of the same machine.
   *
   * @param verifyPerCore openssl verify/s of the CSR's key type on one core
   * @param signPerCore openssl ECDSA P-256 sign/s on one core (the issuer's key is P-256 whatever the CSR's)
   */
  record Figures(KeyType type, PhaseResult peak, PhaseResult half, double verifyPerCore, double signPerCore, int cores) {

    double bound() {
      return Report.bound(verifyPerCore, signPerCore, cores);
    }

    double ratio() {
      return peak.throughput() / bound();
    }

    boolean ratioMet() {
      return ratio() >= MIN_RATIO;
    }

    boolean latencyMet() {
      return half.percentileMillis(99) <= MAX_P99_MILLIS_AT_HALF;
    }

    long calls() {
      return peak.calls() + half.calls();
    }

    long errors() {
      return peak.errorCount() + half.errorCount();
    }
  }

  /**
   * Issuances per second that pure crypto allows: each one verifies the CSR's self-signature and makes one
   * ECDSA P-256 signature, nothing else, on every core. NaN when a rate is unknown.
   */
  static double bound(double verifyPerCore, double signPerCore, int cores) {
    if (!(verifyPerCore > 0) || !(signPerCore > 0) || cores <= 0) {
      return Double.NaN;
    }
    return cores / (1 / verifyPerCore + 1 / signPerCore);
  }

  static double errorRate(long errors, long calls) {
    return calls == 0 ? (errors == 0 ? 0 : 1) : (double) errors / calls;
  }

  static String table(List<Figures> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-8s %9s %9s %9s | %9s %9s %9s %9s %9s | %10s %6s | %-7s %-7s%n",
        "CSR key", "peak/s", "p50 ms", "p99 ms", "half/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
        "bound/s", "ratio", "ratio", "p99"));
    sb.append(String.format(Locale.ROOT, "%-8s %9s %9s %9s | %9s %9s %9s %9s %9s | %10s %6s | %-7s %-7s%n",
        "", "(closed)", "at peak", "at peak", "(open)", "at half", "at half", "at half", "at half",
        "(openssl)", "", ">=" + fmt(MIN_RATIO, 2), "<=" + fmt(MAX_P99_MILLIS_AT_HALF, 0) + "ms"));
    for (Figures f : rows) {
      sb.append(String.format(Locale.ROOT, "%-8s %9s %9s %9s | %9s %9s %9s %9s %9s | %10s %6s | %-7s %-7s%n",
          f.type().display,
          fmt(f.peak().throughput(), 0), fmt(f.peak().percentileMillis(50), 2), fmt(f.peak().percentileMillis(99), 2),
          fmt(f.half().throughput(), 0), fmt(f.half().percentileMillis(50), 2), fmt(f.half().percentileMillis(99), 2),
          fmt(f.half().percentileMillis(99.9), 2), fmt(f.half().maxMillis(), 2),
          fmt(f.bound(), 0), fmt(f.ratio(), 3),
          Double.isNaN(f.ratio()) ? "n/a" : f.ratioMet() ? "MET" : "MISSED",
          f.latencyMet() ? "MET" : "MISSED"));
    }
    return sb.toString();
  }

  /**
   * Where the CPU went, per certificate: sentry's process against the openssl cost of the same crypto
   * (1/verify + 1/sign per core), and the load generator's share of the shared cores.
   */
  static String cpuTable(List<Figures> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-8s %-5s %14s %16s %12s %14s %14s %13s%n", "CSR key", "phase",
        "sentry cores", "sentry us/cert", "openssl us", "sentry/openssl", "loadgen cores", "other cores"));
    for (Figures f : rows) {
      double cryptoMicros = f.cores() / f.bound() * 1e6;
      for (PhaseResult p : List.of(f.peak(), f.half())) {
        sb.append(String.format(Locale.ROOT, "%-8s %-5s %14s %16s %12s %14s %14s %13s%n", f.type().display,
            p == f.peak() ? "peak" : "half",
            fmt(p.sentryCpuSeconds() / p.seconds(), 2), fmt(p.sentryMicrosPerCert(), 0), fmt(cryptoMicros, 1),
            fmt(p.sentryMicrosPerCert() / cryptoMicros, 1) + "x", fmt(p.selfCpuSeconds() / p.seconds(), 2),
            fmt(p.otherCpuSeconds() / p.seconds(), 2)));
      }
    }
    return sb.toString();
  }

  /** Other processes using more than this many cores during a window make its figures unreliable. */
  static final double MAX_OTHER_CORES = 0.2;

  /** A warning naming the windows during which other processes competed for the cores, or "". */
  static String otherLoadWarning(List<Figures> rows) {
    StringBuilder sb = new StringBuilder();
    for (Figures f : rows) {
      for (PhaseResult p : List.of(f.peak(), f.half())) {
        double other = p.otherCpuSeconds() / p.seconds();
        if (other > MAX_OTHER_CORES) {
          sb.append(sb.length() == 0 ? "WARNING: the machine was not quiet — other processes used " : ", ")
              .append(fmt(other, 2)).append(" cores during ").append(p.name());
        }
      }
    }
    return sb.length() == 0 ? "" : sb.append("; those figures understate sentry (rerun on an idle machine)\n").toString();
  }

  static String errors(String phase, PhaseResult r) {
    if (r.errorCount() == 0) {
      return "";
    }
    StringBuilder sb = new StringBuilder("  errors in " + phase + ": ");
    for (Map.Entry<String, Long> e : r.errors().entrySet()) {
      sb.append(e.getKey()).append('=').append(e.getValue()).append(' ');
    }
    if (r.firstError() != null) {
      sb.append("— first: ").append(r.firstError());
    }
    return sb.append('\n').toString();
  }

  static String fmt(double v, int decimals) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
