package io.daprx.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The suite's shared fixture, started once for all scenario classes by {@link InteropExtension}: a fresh
 * {@code DAPRX_HOME} in a temp directory, a local HA cluster made with the seed flow, and every daprd and app the
 * scenarios start (so a failure can print their logs, and none outlives the run).
 */
final class Interop implements AutoCloseable {

  /** The app namespace every sidecar runs in. */
  static final String NAMESPACE = "default";
  /** The value of {@code daprx.interop.scheduler} that starts upstream's scheduler binary. */
  static final String UPSTREAM = "upstream";

  private final InteropSettings settings;
  private final Path dir;
  private final LocalCluster cluster;
  /** Appended to app ids: mDNS (daprd's standalone name resolution) is shared by every daprd on the machine. */
  private final String runId;
  private final List<Daprd> daprds = new CopyOnWriteArrayList<>();
  private final List<LogSource> extraLogs = new CopyOnWriteArrayList<>();
  /** Upstream's scheduler when the run asks for it ({@code -Ddaprx.interop.scheduler=upstream}), else null. */
  private UpstreamScheduler upstreamScheduler;
  private volatile boolean failed;

  private Interop(InteropSettings settings, Path dir, LocalCluster cluster, String runId) {
    this.settings = settings;
    this.dir = dir;
    this.cluster = cluster;
    this.runId = runId;
  }

  static Interop start() {
    InteropSettings settings = InteropSettings.fromSystemProperties();
    Path dir;
    try {
      dir = Files.createTempDirectory("daprx-interop-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // a block of 192 ports below the kernel's ephemeral range, apart from the one the CLI's own ITs pick
    int portRangeStart = 25000 + (int) (ProcessHandle.current().pid() % 35) * 192;
    DaprxCli cli = new DaprxCli(settings, dir.resolve("home"), portRangeStart);
    try {
      Files.createDirectories(cli.home());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println("[interop] DAPRX_HOME " + cli.home() + ", daprd " + settings.daprd() + ", daprx " + settings.daprxJar());
    LocalCluster cluster;
    try {
      cluster = LocalCluster.create(cli);
    } catch (RuntimeException | Error e) {
      System.err.println("[interop] the local cluster did not come up; state kept in " + dir);
      LocalCluster.logsOf(cli).forEach(s -> print(s, 40));
      LocalCluster.stop(cli);
      throw e;
    }
    String runId = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36);
    Interop interop = new Interop(settings, dir, cluster, runId);
    cluster.timings().forEach((step, d) -> interop.record("cluster: " + step, seconds(d)));
    if (settings.schedulerAddress().filter(UPSTREAM::equals).isPresent()) {
      try {
        interop.upstreamScheduler = UpstreamScheduler.start(settings, cluster, dir);
      } catch (RuntimeException | Error e) {
        interop.explain("starting upstream's scheduler", e);
        interop.close();
        throw e;
      }
      interop.extraLogs.add(interop.upstreamScheduler.log());
      interop.record("scheduler", "upstream's, at " + interop.upstreamScheduler.address() + " (identity from our sentry)");
    }
    return interop;
  }

  LocalCluster cluster() {
    return cluster;
  }

  InteropSettings settings() {
    return settings;
  }

  /** An app id unique to this run: {@code base-<run id>}. */
  String appId(String base) {
    return base + "-" + runId;
  }

  /**
   * The scheduler every daprd is given: {@code -Ddaprx.interop.scheduler=host:port,...}, or {@code =upstream} for
   * upstream's scheduler started on the cluster's sentry, else the cluster's scheduler Service once daprx installs one.
   * Empty: daprd 1.18 then runs with the scheduler disabled (it logs "No scheduler host addresses provided. Scheduler
   * disabled"; reminders, jobs and workflows fail, everything else works).
   */
  Optional<String> schedulerAddress() {
    if (upstreamScheduler != null) {
      return Optional.of(upstreamScheduler.address());
    }
    return settings.schedulerAddress().filter(a -> !a.equals(UPSTREAM)).or(cluster::schedulerService);
  }

  /** A daprd in standalone mode with mTLS against the local cluster: sentry, placement, operator (and a scheduler if any). */
  Sidecar sidecar(String appId) {
    return new Sidecar(appId);
  }

  /** Starts a daprd with exactly these arguments and environment (registered for failure reports and clean-up). */
  Daprd start(Daprd.Spec spec) {
    Daprd d = Daprd.start(settings.daprd(), spec, dir.resolve("daprd").resolve(spec.name() + ".log"));
    daprds.add(d);
    return d;
  }

  /** An app whose request log goes into failure reports. */
  TestApp track(TestApp app) {
    extraLogs.add(app.log());
    return app;
  }

  Path dir() {
    return dir;
  }

  /** A figure for the run's summary (interop/target/interop-summary.txt; bin/interop prints it). */
  void record(String what, String value) {
    String line = String.format(Locale.ROOT, "%-48s %s%n", what, value);
    System.out.print("[interop] " + line);
    try {
      Path summary = Path.of("target", "interop-summary.txt");
      Files.createDirectories(summary.getParent());
      Files.writeString(summary, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("[interop] cannot write the summary: " + e);
    }
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9);
  }

  /** Prints what explains a failure: the end of every daprd's log, the apps' requests, every control-plane log. */
  void explain(String where, Throwable failure) {
    failed = true;
    System.err.println("\n======== interop failure in " + where + ": " + failure + "\n======== everything is kept in " + dir);
    for (Daprd d : daprds) {
      System.err.println("-------- " + d.name() + (d.isAlive() ? " (running)" : " (exited " + d.exitCode() + ")") + ": "
          + String.join(" ", d.spec().args()));
      print(d.logSource(), 60);
    }
    extraLogs.forEach(s -> print(s, 15));
    cluster.logs().forEach(s -> print(s, s.label().startsWith("daprx server") ? 30 : 12));
  }

  private static void print(LogSource s, int lines) {
    System.err.println("---- last " + lines + " lines of " + s.label());
    s.tail(lines).forEach(l -> System.err.println("  " + l));
  }

  @Override
  public void close() {
    daprds.forEach(Daprd::close);
    if (upstreamScheduler != null) {
      upstreamScheduler.close();
    }
    cluster.close();
    if (failed) {
      System.err.println("[interop] a scenario failed: logs and state kept in " + dir);
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("[interop] could not delete " + dir + ": " + e);
    }
  }

  /** Builds a standalone daprd's command line against the local cluster. */
  final class Sidecar {
    private final String appId;
    private TestApp app;
    private boolean actorStateStore;
    private String name;
    private final List<String> extra = new ArrayList<>();

    private Sidecar(String appId) {
      this.appId = appId;
      this.name = appId;
    }

    /** The app behind this daprd ({@code --app-port}). */
    Sidecar app(TestApp app) {
      this.app = track(app);
      return this;
    }

    /** Hosts actors: an in-memory state store marked {@code actorStateStore}, which daprd requires for hosting. */
    Sidecar actorStateStore() {
      this.actorStateStore = true;
      return this;
    }

    /** The label of its log (default: the app id; replicas of one app need their own). */
    Sidecar name(String name) {
      this.name = name;
      return this;
    }

    Sidecar flags(String... flags) {
      extra.addAll(List.of(flags));
      return this;
    }

    Daprd start() {
      int http = Ports.free();
      int grpc = Ports.free();
      int internal = Ports.free();
      int pub = Ports.free();
      List<String> a = new ArrayList<>(List.of(
          "--app-id", appId, "--mode", "standalone",
          "--dapr-http-port", "" + http, "--dapr-grpc-port", "" + grpc, "--dapr-internal-grpc-port", "" + internal,
          "--dapr-public-port", "" + pub, "--metrics-port", "" + Ports.free(), "--dapr-listen-addresses", "127.0.0.1",
          "--enable-mtls", "--sentry-address", cluster.sentryAddress(),
          "--control-plane-trust-domain", LocalCluster.CONTROL_PLANE_TRUST_DOMAIN,
          "--control-plane-namespace", LocalCluster.CONTROL_PLANE_NAMESPACE,
          "--control-plane-address", cluster.operatorAddress(),
          "--placement-host-address", String.join(",", cluster.placementAddresses()),
          "--log-level", "info"));
      schedulerAddress().ifPresent(s -> a.addAll(List.of("--scheduler-host-address", s)));
      if (app != null) {
        a.addAll(List.of("--app-port", "" + app.port(), "--app-channel-address", "127.0.0.1"));
      }
      if (actorStateStore) {
        a.addAll(List.of("--resources-path", writeActorStateStore(name).toString()));
      }
      a.addAll(extra);
      // daprd has no trust-anchors flag: the PEM itself comes in DAPR_TRUST_ANCHORS
      return Interop.this.start(new Daprd.Spec(name, a, java.util.Map.of("DAPR_TRUST_ANCHORS", cluster.trustAnchorsPem(), "NAMESPACE", NAMESPACE),
          http, pub, internal));
    }

    private Path writeActorStateStore(String name) {
      Path resources = dir.resolve("resources").resolve(name);
      try {
        Files.createDirectories(resources);
        Files.writeString(resources.resolve("actorstore.yaml"), """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: actorstore
            spec:
              type: state.in-memory
              version: v1
              metadata:
              - name: actorStateStore
                value: "true"
            """);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return resources;
    }
  }
}
