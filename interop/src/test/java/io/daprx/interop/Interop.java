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
  /** The value of {@code daprx.interop.scheduler} that runs every daprd without a scheduler. */
  static final String NONE = "none";

  private final InteropSettings settings;
  private final Path dir;
  private final LocalCluster cluster;
  /** Appended to app ids: mDNS (daprd's standalone name resolution) is shared by every daprd on the machine. */
  private final String runId;
  private final List<Daprd> daprds = new CopyOnWriteArrayList<>();
  private final List<LogSource> extraLogs = new CopyOnWriteArrayList<>();
  /**
   * A scheduler replica of its own beside the cluster: daprx's while the cluster has none installed, or upstream's when
   * the run asks for it ({@code -Ddaprx.interop.scheduler=upstream}); null when daprd uses the cluster's Service, an
   * address given, or none.
   */
  private StandaloneScheduler standaloneScheduler;
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
    try {
      interop.startScheduler();
    } catch (RuntimeException | Error e) {
      interop.explain("starting the scheduler", e);
      interop.close();
      throw e;
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
   * Which scheduler serves the run, from {@code daprx.interop.scheduler}: empty (the default) = ours, the cluster's
   * Service {@code dapr-scheduler-server-a} when the install has scheduler pods, else {@code daprx scheduler} started
   * here; {@code upstream} = upstream's binary; {@code none} = daprd runs without one; {@code host:port,...} = as given.
   */
  private void startScheduler() {
    Optional<String> setting = settings.schedulerAddress();
    if (setting.filter(NONE::equals).isPresent()) {
      record("scheduler", "none: every daprd runs with its scheduler disabled");
      return;
    }
    if (setting.isPresent() && !setting.get().equals(UPSTREAM)) {
      record("scheduler", "given: " + setting.get());
      return;
    }
    if (setting.isEmpty() && cluster.schedulerService().isPresent()) {
      record("scheduler", "ours, installed: Service dapr-scheduler-server-a at " + cluster.schedulerService().get() + ", "
          + schedulerReplicas().size() + " replicas");
      return;
    }
    StandaloneScheduler.Kind kind = setting.isPresent() ? StandaloneScheduler.Kind.UPSTREAM : StandaloneScheduler.Kind.OURS;
    long start = System.nanoTime();
    standaloneScheduler = StandaloneScheduler.start(kind, settings, cluster, dir);
    extraLogs.add(standaloneScheduler.log());
    record("scheduler", (kind == StandaloneScheduler.Kind.OURS ? "ours (daprx scheduler, one replica: the cluster installs none)"
        : "upstream's") + " at " + standaloneScheduler.address() + ", identity from our sentry, healthy after "
        + seconds(Duration.ofNanos(System.nanoTime() - start)));
  }

  /** Whose scheduler the daprds talk to, for the summary's lines: "ours", "upstream" or "given". */
  String schedulerKind() {
    if (standaloneScheduler != null) {
      return standaloneScheduler.kind() == StandaloneScheduler.Kind.OURS ? "ours" : "upstream";
    }
    return settings.schedulerAddress().isPresent() ? "given" : "ours";
  }

  /**
   * The scheduler every daprd is given ({@code --scheduler-host-address}), per {@link #startScheduler()}. Empty: daprd
   * 1.18 runs with the scheduler disabled (it logs "No scheduler host addresses provided. Scheduler disabled";
   * reminders, jobs and workflows fail, everything else works).
   */
  Optional<String> schedulerAddress() {
    if (standaloneScheduler != null) {
      return Optional.of(standaloneScheduler.address());
    }
    Optional<String> setting = settings.schedulerAddress();
    if (setting.filter(NONE::equals).isPresent()) {
      return Optional.empty();
    }
    return setting.filter(a -> !a.equals(UPSTREAM)).or(cluster::schedulerService);
  }

  /** A scheduler replica a scenario may kill: its name and process id. */
  record SchedulerReplica(String name, long pid) {}

  /** The replicas behind {@link #schedulerAddress()}: the cluster's scheduler pods, or the one process started here. */
  List<SchedulerReplica> schedulerReplicas() {
    if (standaloneScheduler != null) {
      return List.of(new SchedulerReplica(standaloneScheduler.kind().label, standaloneScheduler.pid()));
    }
    if (schedulerAddress().isEmpty()) {
      return List.of();
    }
    return cluster.pods().stream().filter(p -> p.component().equals("scheduler"))
        .map(p -> new SchedulerReplica(p.name(), p.pid())).toList();
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
    if (standaloneScheduler != null) {
      standaloneScheduler.close();
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
