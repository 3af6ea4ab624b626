package io.daprx.bench;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.runtime.Logging;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SidecarChannels;
import io.daprx.placement.sim.SidecarFleet;
import io.daprx.placement.sim.SidecarSpec;
import io.daprx.placement.sim.SimulatedSidecar;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load generator for placement: simulated sidecars over plaintext gRPC (a few channels, many streams each), or over
 * mTLS with {@code --sentry-address} (one connection and one SVID per sidecar, as real daprd), in one or more
 * namespaces. It measures the time from a membership change (one sidecar reporting a new actor type) to the
 * moment the last sidecar of that namespace has unlocked the new table; with several namespaces every namespace
 * changes at once. {@code bench/placement-bench.sh} starts placement as its own process and passes its pid, so
 * placement's RSS is read from {@code /proc}.
 *
 * <p>Exit code: 0, 2 on bad usage or when a namespace does not converge, 3 when {@code --enforce-targets} is given and
 * a target is missed.
 */
@Command(name = "placement-load", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measure how fast a running placement disseminates a membership change to every sidecar.")
public final class PlacementLoad implements Callable<Integer> {

  static final double TARGET_P99_1000_MILLIS = 250;
  static final double TARGET_P99_10000_MILLIS = 1000;
  static final long TARGET_RSS_MIB = 256;

  @Option(names = "--address", required = true, paramLabel = "HOST:PORT", description = "placement's gRPC address")
  String address;

  @Option(names = "--scenarios", defaultValue = "100x1,1000x1,10000x100", split = ",", paramLabel = "SIDECARSxNAMESPACES",
      description = "scenarios to run in order (default: ${DEFAULT-VALUE})")
  List<String> scenarios;

  @Option(names = "--changes", defaultValue = "40", description = "measured membership changes per scenario (default: ${DEFAULT-VALUE})")
  int changes;

  @Option(names = "--warmup-changes", defaultValue = "10", description = "unmeasured changes first (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--streams-per-channel", defaultValue = "500", description = "gRPC streams per channel (default: ${DEFAULT-VALUE})")
  int streamsPerChannel;

  @Option(names = "--placement-pid", paramLabel = "PID", description = "placement's process id, to read its RSS (Linux /proc)")
  long placementPid;

  @Option(names = "--metrics-url", paramLabel = "URL", description = "placement's /metrics, to wait until all streams are gone")
  URI metricsUrl;

  @Option(names = "--sentry-address", paramLabel = "HOST:PORT",
      description = "mTLS: each sidecar gets an SVID of its app id from this sentry and its own connection; omit for plaintext")
  String sentryAddress;

  @Option(names = "--trust-anchors-file", paramLabel = "FILE", description = "the control plane's ca.crt (with --sentry-address)")
  Path anchorsFile;

  @Option(names = "--trust-domain", defaultValue = "cluster.local",
      description = "control-plane trust domain: placement must present spiffe://<it>/ns/<namespace>/dapr-placement (default: ${DEFAULT-VALUE})")
  String trustDomain;

  @Option(names = "--control-plane-namespace", defaultValue = "dapr-system", description = "(default: ${DEFAULT-VALUE})")
  String controlPlaneNamespace;

  @Option(names = "--sidecar-key", defaultValue = "ed25519",
      description = "key type of the sidecars' SVIDs: ed25519 (daprd 1.18) or p256 (1.17) (default: ${DEFAULT-VALUE})")
  String sidecarKey;

  @Option(names = "--serving-timeout", defaultValue = "60",
      description = "seconds to wait until placement serves streams (a fresh replica elects itself leader first) (default: ${DEFAULT-VALUE})")
  int servingTimeoutSeconds;

  @Option(names = "--results", paramLabel = "FILE",
      description = "append the figures as 'key value' lines (placement.<N>x<M>.sample_ms, ...) for a script to compare runs")
  Path resultsFile;

  @Option(names = "--enforce-targets", description = "exit 3 when a target is missed")
  boolean enforceTargets;

  private final PrintStream out = System.out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new PlacementLoad()).execute(args));
  }

  /** One scenario's figures. */
  record Result(int sidecars, int namespaces, long connectMillis, double[] samplesMillis, long rssKib, long hwmKib,
      List<String> violations) {
    double percentile(double p) {
      double[] s = samplesMillis.clone();
      Arrays.sort(s);
      int rank = (int) Math.ceil(p / 100.0 * s.length);
      return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }
  }

  @Override
  public Integer call() throws Exception {
    Logging.configure("warn", false);
    if (sentryAddress != null && anchorsFile == null) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--sentry-address needs --trust-anchors-file");
    }
    awaitServing();
    List<Result> results = new ArrayList<>();
    for (String sc : scenarios) {
      String[] parts = sc.toLowerCase(Locale.ROOT).split("x");
      results.add(run(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())));
    }
    out.println();
    out.println("placement-load: time from a membership change to every sidecar of the namespace unlocked");
    out.printf("%-26s %10s %8s %8s %8s %8s %12s %12s%n", "scenario", "connect ms", "p50 ms", "p99 ms", "max ms", "samples",
        "RSS MiB", "peak RSS MiB");
    boolean missed = false;
    for (Result r : results) {
      out.printf("%-26s %10d %8.1f %8.1f %8.1f %8d %12s %12s%n", r.sidecars() + " sidecars / " + r.namespaces() + " ns",
          r.connectMillis(), r.percentile(50), r.percentile(99), r.percentile(100), r.samplesMillis().length,
          r.rssKib() > 0 ? String.valueOf(r.rssKib() / 1024) : "-", r.hwmKib() > 0 ? String.valueOf(r.hwmKib() / 1024) : "-");
      if (!r.violations().isEmpty()) {
        out.println("  protocol violations seen by sidecars: " + r.violations().subList(0, Math.min(5, r.violations().size())));
        missed = true;
      }
      if (r.sidecars() == 1000 && r.namespaces() == 1) {
        missed |= target("1,000 sidecars p99 ≤ " + (int) TARGET_P99_1000_MILLIS + " ms", r.percentile(99) <= TARGET_P99_1000_MILLIS);
      }
      if (r.sidecars() == 10000 && r.namespaces() == 100) {
        missed |= target("10,000 sidecars / 100 ns p99 ≤ " + (int) TARGET_P99_10000_MILLIS + " ms", r.percentile(99) <= TARGET_P99_10000_MILLIS);
        if (r.rssKib() > 0) {
          missed |= target("placement RSS at 10,000 streams ≤ " + TARGET_RSS_MIB + " MiB", r.rssKib() / 1024 <= TARGET_RSS_MIB);
        }
      }
    }
    writeResults(results);
    return enforceTargets && missed ? 3 : 0;
  }

  private void writeResults(List<Result> results) {
    Results out = new Results(resultsFile);
    for (Result r : results) {
      String k = "placement." + r.sidecars() + "x" + r.namespaces() + ".";
      for (double v : r.samplesMillis()) {
        out.put(k + "sample_ms", v);
      }
      out.put(k + "connect_ms", r.connectMillis()).put(k + "violations", r.violations().size());
    }
    out.flush();
  }

  /** Where the simulated sidecars' connections come from: a few shared plaintext channels, or one mTLS each. */
  private SidecarChannels channels(int plaintextChannels) throws IOException {
    if (sentryAddress == null) {
      return SidecarChannels.plaintext(address, plaintextChannels, true);
    }
    List<X509Certificate> anchors = Pem.parseCertificates(Files.readString(anchorsFile));
    KeyAlgorithm keys = KeyType.parse(sidecarKey).algorithm;
    return SidecarChannels.mtls(address, SpiffeId.of(trustDomain, controlPlaneNamespace, "dapr-placement"), sentryAddress,
        SpiffeId.of(trustDomain, controlPlaneNamespace, "dapr-sentry"), anchors, keys, Clock.systemUTC(), true);
  }

  /**
   * Waits until placement serves a stream to the end of a round: a freshly started replica answers FAILED_PRECONDITION
   * ("not a leader") until it has elected itself, and daprd retries the same way.
   */
  private void awaitServing() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(servingTimeoutSeconds).toNanos();
    String ns = "bench-probe";
    try (SidecarFleet fleet = new SidecarFleet(channels(1), System::nanoTime, false, true)) {
      SimulatedSidecar probe = fleet.create(new SidecarSpec("10.255.255.254:50002", "bench-probe", ns, List.of("BenchProbe"),
          SidecarSpec.DAPRD_API_LEVEL));
      probe.connect();
      String lastError = null;
      while (System.nanoTime() < deadline) {
        if (probe.table() != null && fleet.converged(ns)) {
          return;
        }
        if (probe.closedWith() != null) {
          lastError = probe.closedWith().toString();
          out.println("placement-load: placement does not serve yet (" + lastError + "); retrying");
          Thread.sleep(250);
          probe.connect();
        }
        Thread.sleep(20);
      }
      throw new IllegalStateException("placement at " + address + " did not serve a stream within " + servingTimeoutSeconds
          + " s" + (lastError != null ? " (last: " + lastError + ")" : ""));
    } finally {
      awaitNoStreams();
    }
  }

  private boolean target(String what, boolean met) {
    out.println("  target " + what + ": " + (met ? "met" : "MISSED"));
    return !met;
  }

  private Result run(int sidecars, int namespaces) throws Exception {
    String prefix = "bench-" + sidecars + "x" + namespaces + "-";
    int channels = Math.max(2, (sidecars + streamsPerChannel - 1) / streamsPerChannel);
    out.printf("placement-load: %d sidecars in %d namespace(s) over %s ...%n", sidecars, namespaces,
        sentryAddress == null ? channels + " plaintext channels" : "mTLS, a connection and an SVID (" + sidecarKey + ") each");
    try (SidecarFleet fleet = new SidecarFleet(channels(channels), System::nanoTime, false, false)) {
      List<List<SimulatedSidecar>> byNs = new ArrayList<>();
      for (int n = 0; n < namespaces; n++) {
        byNs.add(new ArrayList<>());
      }
      int[] nsOf = new int[sidecars];
      Tracker tracker = new Tracker(sidecars, namespaces);
      List<SimulatedSidecar> all = new ArrayList<>();
      long created = System.nanoTime();
      for (int i = 0; i < sidecars; i++) {
        int ns = i % namespaces;
        nsOf[i] = ns;
        SimulatedSidecar s = fleet.create(new SidecarSpec("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + ":50002",
            "bench-app-" + i, prefix + ns, List.of("BenchActor"), SidecarSpec.DAPRD_API_LEVEL));
        int idx = i;
        s.onUnlock(t -> tracker.unlocked(idx, nsOf[idx], t.version(), t.unlockedAtNanos()));
        byNs.get(ns).add(s);
        all.add(s);
      }
      if (sentryAddress != null) {
        out.printf("placement-load:   %d SVIDs from sentry in %d ms%n", sidecars, Duration.ofNanos(System.nanoTime() - created).toMillis());
      }
      long start = System.nanoTime(); // SVIDs are the sentry's work: the clock starts when the sidecars dial placement
      all.forEach(SimulatedSidecar::connect);
      for (int n = 0; n < namespaces; n++) {
        awaitConverged(fleet, prefix + n, Duration.ofSeconds(120));
      }
      long connectMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
      out.printf("placement-load:   connected and converged in %d ms; %d warm-up + %d measured changes%n", connectMillis, warmup, changes);

      List<Double> samples = new ArrayList<>();
      for (int c = 0; c < warmup + changes; c++) {
        long[] starts = new long[namespaces];
        long[] base = new long[namespaces];
        for (int n = 0; n < namespaces; n++) {
          base[n] = byNs.get(n).get(0).table().version();
        }
        tracker.arm(c + 1, base, byNs.stream().mapToInt(List::size).toArray());
        for (int n = 0; n < namespaces; n++) {
          List<SimulatedSidecar> members = byNs.get(n);
          SimulatedSidecar changer = members.get(c % members.size());
          List<String> next = changer.spec().actorTypes().size() == 1 ? List.of("BenchActor", "BenchToggle") : List.of("BenchActor");
          starts[n] = System.nanoTime();
          changer.report(next);
        }
        if (!tracker.await(Duration.ofSeconds(60))) {
          throw new IllegalStateException("change " + c + " did not reach every sidecar within 60 s (" + tracker.pendingSummary() + ")");
        }
        if (c >= warmup) {
          for (int n = 0; n < namespaces; n++) {
            samples.add((tracker.lastUnlock(n) - starts[n]) / 1e6);
          }
        }
      }
      for (int n = 0; n < namespaces; n++) {
        awaitConverged(fleet, prefix + n, Duration.ofSeconds(30)); // every table also has the right content
      }
      long[] rss = rss();
      List<String> violations = fleet.violations();
      fleet.close();
      awaitNoStreams();
      return new Result(sidecars, namespaces, connectMillis, samples.stream().mapToDouble(Double::doubleValue).toArray(),
          rss[0], rss[1], violations);
    }
  }

  private static void awaitConverged(SidecarFleet fleet, String ns, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!fleet.converged(ns)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("namespace " + ns + " did not converge within " + max.toSeconds() + " s");
      }
      Thread.sleep(20);
    }
  }

  /** Waits until placement reports no open streams, so the next scenario starts clean. */
  private void awaitNoStreams() throws InterruptedException {
    if (metricsUrl == null) {
      return;
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (MetricsScrape.value(MetricsScrape.fetch(metricsUrl), "daprx_placement_streams").orElse(0) == 0) {
          return;
        }
      } catch (IOException e) {
        // try again
      }
      Thread.sleep(100);
    }
    out.println("placement-load: placement still reports open streams 60 s after the sidecars left");
  }

  /** VmRSS and VmHWM of placement in KiB, or zeros without a pid. */
  private long[] rss() throws IOException {
    if (placementPid <= 0) {
      return new long[] {0, 0};
    }
    long rss = 0;
    long hwm = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + placementPid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("\\D+", ""));
      } else if (line.startsWith("VmHWM:")) {
        hwm = Long.parseLong(line.replaceAll("\\D+", ""));
      }
    }
    return new long[] {rss, hwm};
  }

  /** Counts, per namespace, the sidecars that unlocked a version newer than the one before the change. */
  static final class Tracker {
    private final AtomicLongArray counted;
    private volatile long measurement;
    private volatile long[] base = new long[0];
    private AtomicInteger[] pending = new AtomicInteger[0];
    private AtomicLong[] last = new AtomicLong[0];
    private volatile CountDownLatch done = new CountDownLatch(0);

    Tracker(int sidecars, int namespaces) {
      counted = new AtomicLongArray(sidecars);
    }

    void arm(long id, long[] baseVersions, int[] sizes) {
      AtomicInteger[] p = new AtomicInteger[sizes.length];
      AtomicLong[] l = new AtomicLong[sizes.length];
      for (int n = 0; n < sizes.length; n++) {
        p[n] = new AtomicInteger(sizes[n]);
        l[n] = new AtomicLong();
      }
      pending = p;
      last = l;
      base = baseVersions.clone();
      done = new CountDownLatch(sizes.length);
      measurement = id; // written last: listeners read it first
    }

    void unlocked(int idx, int ns, long version, long at) {
      long id = measurement;
      if (id == 0 || version <= base[ns]) {
        return;
      }
      long previous = counted.get(idx);
      if (previous == id || !counted.compareAndSet(idx, previous, id)) {
        return;
      }
      last[ns].accumulateAndGet(at, Math::max);
      if (pending[ns].decrementAndGet() == 0) {
        done.countDown();
      }
    }

    boolean await(Duration max) throws InterruptedException {
      return done.await(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    long lastUnlock(int ns) {
      return last[ns].get();
    }

    String pendingSummary() {
      int namespaces = 0;
      int sidecars = 0;
      for (AtomicInteger p : pending) {
        if (p.get() > 0) {
          namespaces++;
          sidecars += p.get();
        }
      }
      return sidecars + " sidecars in " + namespaces + " namespaces still waiting";
    }
  }
}
