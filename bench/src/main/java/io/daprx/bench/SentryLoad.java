package io.daprx.bench;

import io.daprx.common.pki.CryptoProviders;
import io.daprx.common.pki.Pem;
import io.daprx.common.runtime.Logging;
import io.daprx.common.spiffe.SpiffeId;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load generator for sentry's {@code SignCertificate} over gRPC + TLS, as many daprd sidecars would call it.
 * Per CSR key type it measures the closed-loop peak, then latency under an open-loop schedule at half that
 * peak, and prints both beside the openssl bound of the same machine. {@code bench/sentry-bench.sh} starts
 * sentry and passes the openssl rates.
 *
 * <p>Exit code: 0, 1 when more than 0.1% of calls failed, 2 on bad usage or setup, 3 when
 * {@code --enforce-targets} is given and a target is missed.
 */
@Command(name = "sentry-load", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measure certificate issuance by a running sentry over gRPC + TLS.")
public final class SentryLoad implements Callable<Integer> {

  @Option(names = "--address", required = true, paramLabel = "HOST:PORT", description = "sentry's gRPC address, e.g. 127.0.0.1:50001")
  String address;

  @Option(names = "--ca", required = true, paramLabel = "FILE", description = "ca.crt of sentry's issuer credentials (trust anchors)")
  Path caFile;

  @Option(names = "--sentry-id", defaultValue = "spiffe://cluster.local/ns/dapr-system/dapr-sentry",
      description = "SPIFFE ID sentry must present (default: ${DEFAULT-VALUE})")
  String sentryId;

  @Option(names = "--key-type", defaultValue = "both", description = "ed25519, p256 or both (default: ${DEFAULT-VALUE})")
  String keyType;

  @Option(names = "--connections", defaultValue = "4", description = "gRPC channels, each its own TLS connection (default: ${DEFAULT-VALUE})")
  int connections;

  @Option(names = "--concurrency", defaultValue = "64", description = "requests in flight in the peak phase, over all connections (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--warmup-seconds", defaultValue = "5", description = "warm-up before each measuring window (default: ${DEFAULT-VALUE})")
  double warmupSeconds;

  @Option(names = "--jit-warmup-seconds", defaultValue = "10",
      description = "unmeasured load over all key types first, so the key type measured first does not pay for sentry's JIT (default: ${DEFAULT-VALUE})")
  double jitWarmupSeconds;

  @Option(names = "--seconds", defaultValue = "10", description = "length of each measuring window (default: ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--half-load-fraction", defaultValue = "0.5", description = "open-loop rate as a fraction of the measured peak (default: ${DEFAULT-VALUE})")
  double halfFraction;

  @Option(names = "--csr-pool", defaultValue = "2000", description = "pre-generated CSRs per key type (default: ${DEFAULT-VALUE})")
  int poolSize;

  @Option(names = "--call-timeout-ms", defaultValue = "10000", description = "deadline of each call (default: ${DEFAULT-VALUE})")
  long callTimeoutMillis;

  @Option(names = "--openssl-sign", paramLabel = "R", description = "openssl ECDSA P-256 sign/s on one core (the issuer signs with P-256)")
  double opensslSign;

  @Option(names = "--openssl-verify", paramLabel = "[TYPE=]R",
      description = "openssl verify/s on one core for the CSR key type; TYPE=R (p256=…, ed25519=…) when measuring both")
  List<String> opensslVerify = new ArrayList<>();

  @Option(names = "--cores", description = "cores the openssl bound is scaled to (default: this machine's)")
  int cores = Runtime.getRuntime().availableProcessors();

  @Option(names = "--metrics-url", paramLabel = "URL", description = "sentry's /metrics, to report its crypto provider and issued count")
  URI metricsUrl;

  @Option(names = "--sentry-jdk", paramLabel = "TEXT", description = "the JDK sentry runs on, for the report")
  String sentryJdk;

  @Option(names = "--openssl-version", paramLabel = "TEXT", description = "openssl version the rates come from, for the report")
  String opensslVersion;

  @Option(names = "--sentry-pid", paramLabel = "PID", description = "sentry's process id, to measure its CPU time per certificate (Linux /proc)")
  long sentryPid;

  @Option(names = "--clock-ticks", defaultValue = "100", paramLabel = "HZ", description = "the kernel's USER_HZ, getconf CLK_TCK (default: ${DEFAULT-VALUE})")
  long clockTicks;

  @Option(names = "--no-issuance-check", description = "skip checking the first certificates (for a stand-in that answers a canned response)")
  boolean noIssuanceCheck;

  @Option(names = "--enforce-targets", description = "exit 3 when a target is missed")
  boolean enforceTargets;

  @Option(names = "--results", paramLabel = "FILE",
      description = "append the figures as 'key value' lines (sentry.<key type>.peak_per_s, ...) for a script to compare runs")
  Path resultsFile;

  private final PrintStream out = System.out;
  private long warmupCalls;
  private long warmupErrors;

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new SentryLoad());
    // a setup failure (sentry unreachable, a wrong certificate, ...) exits 2, apart from the error-rate failure's 1
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("sentry-load: " + e);
      e.printStackTrace(cmd.getErr());
      return 2;
    });
    System.exit(cli.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Logging.configure("warn", false);
    List<KeyType> types = keyTypes();
    Map<KeyType, Double> verify = verifyRates(types);
    if (connections < 1 || concurrency < connections || seconds <= 0 || warmupSeconds < 0 || poolSize < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "need --connections >= 1, --concurrency >= --connections, --seconds > 0, --warmup-seconds >= 0, --csr-pool >= 1");
    }
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon);
    int port = Integer.parseInt(address.substring(colon + 1));
    List<X509Certificate> anchors = Pem.parseCertificates(Files.readString(caFile));
    String clientProvider = CryptoProviders.init(CryptoProviders.Preference.AUTO);

    String metricsBefore = scrape();
    Map<KeyType, CsrPool> pools = new EnumMap<>(KeyType.class);
    for (KeyType t : types) {
      long t0 = System.nanoTime();
      pools.put(t, CsrPool.generate(t, poolSize));
      progress("generated %d %s CSRs in %.1f s", poolSize, t.display, (System.nanoTime() - t0) / 1e9);
    }

    Duration warmup = Duration.ofMillis((long) (warmupSeconds * 1000));
    Duration measure = Duration.ofMillis((long) (seconds * 1000));
    Duration drain = Duration.ofMillis(callTimeoutMillis + 5000);
    List<Report.Figures> rows = new ArrayList<>();
    CpuMeter cpu = new CpuMeter(sentryPid, clockTicks);
    warmupErrors = 0;
    warmupCalls = 0;
    try (SentryChannels channels = new SentryChannels(host, port, anchors, SpiffeId.parse(sentryId), connections, callTimeoutMillis)) {
      if (jitWarmupSeconds > 0) {
        progress("JIT warm-up: %.0f s of closed-loop load over %s, not measured", jitWarmupSeconds, types);
        for (int round = 0; round < 2; round++) { // alternate so that no type's code path goes cold again
          for (KeyType t : types) {
            Duration slice = Duration.ofMillis((long) (jitWarmupSeconds * 1000 / (2 * types.size())));
            PhaseResult w = new ClosedLoop(channels, pools.get(t), concurrency, cpu).run(Duration.ZERO, slice, drain);
            warmupErrors += w.errorCount();
            warmupCalls += w.calls();
          }
        }
      }
      for (KeyType t : types) {
        CsrPool pool = pools.get(t);
        channels.verifyIssuance(pool, anchors, !noIssuanceCheck);
        progress("%s: %s on %d connections; peak phase (closed loop, %d in flight) %.0f s + %.0f s warm-up",
            t.display, noIssuanceCheck ? "connected (issuance NOT checked)" : "checked issuance", connections, concurrency, seconds, warmupSeconds);
        PhaseResult peak = new ClosedLoop(channels, pool, concurrency, cpu).run(warmup, measure, drain);
        progress("%s: peak %.0f/s, p50 %.2f ms, p99 %.2f ms, %d errors", t.display, peak.throughput(),
            peak.percentileMillis(50), peak.percentileMillis(99), peak.errorCount());
        double rate = peak.throughput() * halfFraction;
        PhaseResult half;
        if (rate > 0) {
          progress("%s: open loop at %.0f/s (%.0f%% of peak) %.0f s + %.0f s warm-up", t.display, rate, halfFraction * 100,
              seconds, warmupSeconds);
          half = new OpenLoop(channels, pool, rate, Math.max(4 * concurrency, 256), cpu).run(warmup, measure, drain);
          progress("%s: at %.0f/s p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, %d errors", t.display, half.throughput(),
              half.percentileMillis(50), half.percentileMillis(99), half.percentileMillis(99.9), half.errorCount());
        } else {
          half = PhaseResult.of("half " + t.display, new Tally(), measure.toNanos() / 1e9, 0, 0, CpuMeter.Sample.UNKNOWN,
              CpuMeter.Sample.UNKNOWN);
        }
        rows.add(new Report.Figures(t, peak, half, verify.getOrDefault(t, Double.NaN), opensslSign, cores));
      }
    }
    String metricsAfter = scrape();
    return print(rows, clientProvider, metricsBefore, metricsAfter);
  }

  private int print(List<Report.Figures> rows, String clientProvider, String metricsBefore, String metricsAfter) {
    out.println();
    out.println("== sentry issuance benchmark: SignCertificate over gRPC + TLS, 127.0.0.1 ==");
    out.println("sentry JDK        : " + (sentryJdk != null ? sentryJdk : "(not given)"));
    out.println("sentry crypto     : " + (metricsAfter == null ? "(no --metrics-url)"
        : MetricsScrape.cryptoProvider(metricsAfter).orElse("(daprx_crypto_provider not found)"))
        + "   [daprx_crypto_provider{provider=...} on sentry's /metrics]");
    out.println("load generator    : JDK " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + "), " + clientProvider
        + ", same machine (" + Runtime.getRuntime().availableProcessors() + " cores shared with sentry)");
    out.printf(Locale.ROOT, "load shape        : %d TLS connections, %d in flight at peak, open loop at %.0f%% of peak; "
        + "%.0f s JIT warm-up, then %.0f s warm-up + %.0f s measured per phase; %d CSRs per key type, reused round-robin%n",
        connections, concurrency, halfFraction * 100, jitWarmupSeconds, warmupSeconds, seconds, poolSize);
    out.printf(Locale.ROOT, "openssl speed     : %s, one core: ECDSA P-256 sign %s/s; verify %s%n",
        opensslVersion != null ? opensslVersion : "openssl", Report.fmt(opensslSign, 0), verifyText(rows));
    out.printf(Locale.ROOT, "openssl bound     : cores / (1/verify(CSR key type) + 1/sign(ECDSA P-256)) with cores = %d;"
        + " the issuer signs every leaf with its ECDSA P-256 key, whatever the CSR's key type%n", cores);
    out.println();
    out.print(Report.table(rows));
    out.println();
    out.print(Report.cpuTable(rows));
    String busy = Report.otherLoadWarning(rows);
    if (!busy.isEmpty()) {
      out.print(busy);
    }
    out.println();
    long calls = warmupCalls;
    long errors = warmupErrors;
    boolean allMet = true;
    for (Report.Figures f : rows) {
      calls += f.calls();
      errors += f.errors();
      out.print(Report.errors("peak " + f.type().display, f.peak()));
      out.print(Report.errors("half " + f.type().display, f.half()));
      boolean met = f.ratioMet() && f.latencyMet();
      allMet &= met;
      out.printf(Locale.ROOT, "%-8s targets (ratio >= %.2f, p99 <= %.0f ms at half of peak): %s — ratio %s, p99 at %s/s = %s ms;"
          + " open-loop pacer lag max %.2f ms%n",
          f.type().display, Report.MIN_RATIO, Report.MAX_P99_MILLIS_AT_HALF, met ? "MET" : "NOT MET",
          Report.fmt(f.ratio(), 3), Report.fmt(f.half().throughput(), 0), Report.fmt(f.half().percentileMillis(99), 2),
          f.half().maxScheduleLagNanos() / 1e6);
    }
    writeResults(rows);
    double errorRate = Report.errorRate(errors, calls);
    out.printf(Locale.ROOT, "calls %d (JIT warm-up included), errors %d (%.4f%%; the run fails above %.1f%%)%n", calls, errors,
        errorRate * 100, Report.MAX_ERROR_RATE * 100);
    if (metricsBefore != null && metricsAfter != null) {
      OptionalDouble a = MetricsScrape.value(metricsBefore, "dapr_sentry_cert_sign_success_total");
      OptionalDouble b = MetricsScrape.value(metricsAfter, "dapr_sentry_cert_sign_success_total");
      if (a.isPresent() && b.isPresent()) {
        out.printf(Locale.ROOT, "sentry counted %.0f certificates issued during the run (dapr_sentry_cert_sign_success_total)%n",
            b.getAsDouble() - a.getAsDouble());
      }
    }
    if (errorRate > Report.MAX_ERROR_RATE) {
      out.println("FAILED: error rate above " + Report.MAX_ERROR_RATE * 100 + "%");
      return 1;
    }
    if (enforceTargets && !allMet) {
      out.println("FAILED: a target was missed (--enforce-targets)");
      return 3;
    }
    return 0;
  }

  /** The figures {@code bench/versus-upstream.sh} compares, per key type. */
  private void writeResults(List<Report.Figures> rows) {
    Results r = new Results(resultsFile);
    for (Report.Figures f : rows) {
      String k = "sentry." + f.type().flag + ".";
      r.put(k + "peak_per_s", f.peak().throughput())
          .put(k + "peak_p99_ms", f.peak().percentileMillis(99))
          .put(k + "half_per_s", f.half().throughput())
          .put(k + "half_p50_ms", f.half().percentileMillis(50))
          .put(k + "half_p99_ms", f.half().percentileMillis(99))
          .put(k + "calls", f.calls())
          .put(k + "errors", f.errors());
      if (sentryPid > 0 && f.peak().okInWindow() > 0 && !Double.isNaN(f.peak().sentryCpuSeconds())) {
        r.put(k + "peak_cpu_us_per_cert", f.peak().sentryMicrosPerCert());
      }
    }
    if (warmupCalls > 0) {
      r.put("sentry.jit_warmup.calls", warmupCalls).put("sentry.jit_warmup.errors", warmupErrors);
    }
    r.flush();
  }

  private String verifyText(List<Report.Figures> rows) {
    StringBuilder sb = new StringBuilder();
    for (Report.Figures f : rows) {
      sb.append(sb.length() == 0 ? "" : ", ").append(f.type().display).append(' ').append(Report.fmt(f.verifyPerCore(), 0)).append("/s");
    }
    return sb.toString();
  }

  private List<KeyType> keyTypes() {
    return keyType.equalsIgnoreCase("both") ? List.of(KeyType.P256, KeyType.ED25519) : List.of(KeyType.parse(keyType));
  }

  /** A bare rate applies to the single key type measured; {@code TYPE=R} names its type. */
  private Map<KeyType, Double> verifyRates(List<KeyType> types) {
    Map<KeyType, Double> out = new EnumMap<>(KeyType.class);
    for (String v : opensslVerify) {
      int eq = v.indexOf('=');
      if (eq < 0) {
        if (types.size() != 1) {
          throw new CommandLine.ParameterException(new CommandLine(this),
              "--openssl-verify " + v + ": with several key types, give TYPE=R (p256=..., ed25519=...)");
        }
        out.put(types.get(0), Double.parseDouble(v));
      } else {
        out.put(KeyType.parse(v.substring(0, eq)), Double.parseDouble(v.substring(eq + 1)));
      }
    }
    return out;
  }

  private String scrape() {
    if (metricsUrl == null) {
      return null;
    }
    try {
      return MetricsScrape.fetch(metricsUrl);
    } catch (Exception e) {
      progress("cannot read %s: %s", metricsUrl, e);
      return null;
    }
  }

  private void progress(String format, Object... args) {
    out.printf(Locale.ROOT, "[sentry-load] " + format + "%n", args);
    out.flush();
  }
}
