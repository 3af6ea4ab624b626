package io.daprx.manager.deploy;

import io.daprx.manager.model.Component;
import io.daprx.manager.model.ControlPlane;
import io.daprx.manager.install.InstallPlan;
import io.daprx.manager.install.LocalCluster;
import io.daprx.manager.install.PodPlan;
import io.daprx.manager.install.ServicePlan;
import io.daprx.manager.local.PodStatus;
import io.daprx.manager.local.ProcessSpec;
import io.daprx.manager.local.Supervisor;
import io.daprx.manager.store.Doc;
import io.daprx.common.trust.CaBundles;
import io.daprx.common.trust.FileBundleStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local cluster: each replica a supervised process on loopback, each Service a local TCP proxy in
 * front of the ready replicas. It turns the pure {@link InstallPlan} into process specs and lets the
 * {@link Supervisor} make reality match.
 */
public final class LocalTarget implements Target {

  private static final Logger LOG = LoggerFactory.getLogger(LocalTarget.class);
  /** Restarts after which a replica a change waits for counts as crash-looping (about 7 s with the 1-2-4 s back-off). */
  static final int CRASH_LOOP_RESTARTS = 3;

  private final Supervisor supervisor;
  private final Distributions distributions;
  private final Clock clock;
  private final io.daprx.manager.install.ManagerAccess manager;
  private final Map<String, List<ServiceProxy>> proxies = new ConcurrentHashMap<>();
  private final ControlPlaneTokens tokens;
  private final ClassArchives archives;
  /** Draws the names of new replicas. */
  private final java.util.random.RandomGenerator random = new java.security.SecureRandom();

  /**
   * @param distributions the argv that runs each daprx version, to which a component's arguments are appended
   * @param manager how the clusters' dashboards read the management server (null: installs have no dashboard)
   */
  public LocalTarget(Supervisor supervisor, Distributions distributions, Clock clock, io.daprx.manager.install.ManagerAccess manager) {
    this(supervisor, distributions, clock, manager, ClassArchives.off());
  }

  /** @param archives the class-data archives the supervisor's launches map, told when an install is ready (see there) */
  public LocalTarget(Supervisor supervisor, Distributions distributions, Clock clock, io.daprx.manager.install.ManagerAccess manager,
      ClassArchives archives) {
    this.archives = archives;
    this.supervisor = supervisor;
    this.distributions = distributions;
    this.clock = clock;
    this.manager = manager;
    this.tokens = new ControlPlaneTokens(clock);
  }

  /** The local view of a cluster as its plans see it: with the way to the management server. */
  private LocalCluster local(Doc cluster) {
    return Targets.local(cluster).withManager(manager);
  }

  @Override
  public List<ComponentStatus> apply(Doc cluster, Install install, Duration timeout) throws ReconcileException {
    LocalCluster lc = local(cluster);
    String namespace = install.namespace();
    String group = group(lc, namespace);
    InstallPlan plan = InstallPlan.forLocal(lc, namespace, install.settings(), install.release(), suffixes(lc, group));
    List<String> launcher = distributions.launcher(install.release());
    // before anything is touched: a cluster whose control plane belongs to another extension is left exactly as it is
    claimOwner(lc, install.owner());
    try {
      Files.createDirectories(lc.logDir());
      writePodNames(lc, plan);
      // the operators watch it from their start; daprx apply fills it
      Files.createDirectories(lc.resourcesDir());
      prepareTrustBundle(lc, install, namespace);
      // So are the key sentry checks control-plane replicas with and their fresh tokens: no neighbour gets their identities.
      tokens.issue(group, lc, namespace);
    } catch (IOException | UncheckedIOException e) {
      throw new ReconcileException("cannot prepare the cluster directory " + lc.dir() + ": " + e.getMessage(), e);
    }
    // Two steps. Sentry first, gated on its new replicas being ready: every other component asks it for its identity at
    // start. Then every other component at once, each rolled by the supervisor one replica at a time on its own, as
    // Kubernetes rolls independent Deployments; the gate is every replica of the change ready. What runs of the later
    // components stays desired as it is during the first step, so an update never rolls the operator before the new
    // sentries are ready and never stops a later component early.
    Map<String, List<ProcessSpec>> wanted = new LinkedHashMap<>();
    for (PodPlan p : plan.pods()) {
      List<String> argv = new ArrayList<>(Distributions.withJvmOptions(launcher, io.daprx.common.runtime.JvmOptions.of(p.component())));
      argv.addAll(p.args());
      // sentries never make the CA here (it is made above, before they start): one that finds it gone refuses to start
      Map<String, String> env = p.component().equals(ControlPlane.SENTRY.name())
          ? Map.of("NAMESPACE", namespace, io.daprx.sentry.SentryFlags.REQUIRE_EXISTING_CA_ENV, "true") : Map.of("NAMESPACE", namespace);
      wanted.computeIfAbsent(p.component(), c -> new ArrayList<>()).add(ProcessSpec.of(p.name(), p.component(), p.version(), p.ordinal(),
          argv, env, p.logFile(), p.readiness()));
    }
    List<ProcessSpec> before = supervisor.desired(group);
    java.util.Set<String> running = new java.util.HashSet<>();
    supervisor.status(group).forEach(p -> running.add(p.name()));
    startServices(group, lc, install.settings());
    Instant deadline = clock.instant().plus(timeout);
    List<ProcessSpec> first = new ArrayList<>(wanted.getOrDefault(ControlPlane.SENTRY.name(), List.of()));
    List<ProcessSpec> specs = new ArrayList<>(first);
    before.stream().filter(s -> running.contains(s.name()) && !s.component().equals(ControlPlane.SENTRY.name())).forEach(specs::add);
    supervisor.apply(group, specs);
    awaitReady(group, first.stream().map(ProcessSpec::name).toList(), deadline, timeout, namespace);
    List<ProcessSpec> all = wanted.values().stream().flatMap(List::stream).toList();
    supervisor.apply(group, all);
    // the gate: every replica this change asks for is ready (a crash-looping one fails it at once, named)
    awaitReady(group, all.stream().map(ProcessSpec::name).toList(), deadline, timeout, namespace);
    // every component of this jar has started, so what they load at start is recorded
    archives.recorded(launcher);
    return statuses(plan, supervisor.status(group));
  }

  /**
   * The names of an install's Deployment-like replicas, as a ReplicaSet gives them: a replica of a pod template that the
   * group already runs or is to run keeps its name, so applying the same settings again changes nothing; every other one is
   * a new pod with a new random name and so a fresh log, never the name of a pod it replaces (an update back to earlier
   * settings included).
   */
  private InstallPlan.PodSuffixes suffixes(LocalCluster lc, String group) {
    Map<String, Integer> known = new LinkedHashMap<>();
    supervisor.desired(group).forEach(s -> known.put(s.name(), s.ordinal()));
    supervisor.status(group).forEach(p -> known.putIfAbsent(p.name(), p.ordinal()));
    // a stopped cluster (daprx server stop, cluster stop) comes back with its pods' names, as a restarted node's pods do
    if (known.isEmpty()) {
      known.putAll(readPodNames(lc));
    }
    java.util.Set<String> taken = new java.util.HashSet<>(known.keySet());
    return (workload, template, ordinal) -> {
      String prefix = workload + "-" + template + "-";
      Optional<String> same = known.entrySet().stream()
          .filter(e -> e.getKey().startsWith(prefix) && Integer.valueOf(ordinal).equals(e.getValue())).map(Map.Entry::getKey).findFirst();
      if (same.isPresent()) {
        return same.get().substring(prefix.length());
      }
      while (true) {
        String suffix = InstallPlan.randomSuffix(random);
        String name = prefix + suffix;
        // a name once used keeps its log on disk: a new pod never starts with another pod's lines
        if (taken.add(name) && !Files.exists(lc.logDir().resolve(name + ".log"))) {
          return suffix;
        }
      }
    };
  }

  /** Where the names of the pods an install last asked for are kept, for the next start of a stopped cluster. */
  private static Path podNamesFile(LocalCluster lc) {
    return lc.dir().resolve("pod-names");
  }

  /** The names of the pods the plan asks for, a line each: {@code <name> <ordinal>}; replaced atomically. */
  private static void writePodNames(LocalCluster lc, InstallPlan plan) throws IOException {
    StringBuilder b = new StringBuilder();
    plan.pods().forEach(p -> b.append(p.name()).append(' ').append(p.ordinal()).append('\n'));
    Path tmp = Files.createTempFile(lc.dir(), ".pod-names", ".tmp");
    try {
      Files.writeString(tmp, b);
      Files.move(tmp, podNamesFile(lc), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** What {@link #writePodNames} kept; empty when there is nothing (a first install, or a daprx before the file). */
  private static Map<String, Integer> readPodNames(LocalCluster lc) {
    Map<String, Integer> out = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(podNamesFile(lc))) {
        String[] f = line.trim().split(" ");
        if (f.length == 2 && f[1].matches("\\d{1,4}")) {
          out.put(f[0], Integer.parseInt(f[1]));
        }
      }
    } catch (java.nio.file.NoSuchFileException none) {
      // nothing kept: new names
    } catch (IOException e) {
      LOG.warn("cannot read {} (the pods get new names): {}", podNamesFile(lc), e.getMessage());
    }
    return out;
  }

  private void awaitReady(String group, List<String> names, Instant deadline, Duration timeout, String namespace)
      throws ReconcileException {
    while (!supervisor.ready(group, names)) {
      // A replica this change waits for that keeps crashing will not come up by waiting longer: fail the gate now, so a
      // broken release is rolled back within seconds instead of at the timeout.
      Optional<PodStatus> crashing = supervisor.status(group).stream()
          .filter(p -> names.contains(p.name()) && !p.ready() && p.restarts() >= CRASH_LOOP_RESTARTS).findFirst();
      if (crashing.isPresent()) {
        PodStatus p = crashing.get();
        throw new ReconcileException(p.name() + " is crash-looping (" + p.restarts() + " restarts"
            + (p.lastExitReason() == null ? "" : ", last " + p.lastExitReason()) + "); see daprx logs " + p.name() + " -n " + namespace);
      }
      if (clock.instant().isAfter(deadline)) {
        throw new ReconcileException("the control plane did not become ready within " + timeout.toSeconds() + "s: " + notReady(group)
            + " (see daprx logs POD -n " + namespace + ")");
      }
      pause();
    }
  }

  /**
   * The trust bundle exists before any sentry starts, as the Secret does on Kubernetes: replicas never race to make one,
   * and sentries are told never to make one themselves. A new CA is made only for an install that never had one: when
   * the bundle of an install that ran is gone, a new root would silently cut off every sidecar and replica that trusts
   * the old one, so the install stops with the way to fix it instead.
   */
  private void prepareTrustBundle(LocalCluster lc, Install install, String namespace) throws ReconcileException {
    FileBundleStore store = new FileBundleStore(lc.trustBundleDir());
    io.daprx.common.trust.RawBundle have = store.load();
    if (install.caExisted() && !have.complete()) {
      throw new ReconcileException("the CA of this control plane is missing: " + lc.trustBundleDir() + " lacks "
          + String.join(", ", missing(have)) + ", though the install ran with all three of ca.crt, issuer.crt and issuer.key. A new"
          + " root would silently cut off every sidecar that trusts the old one, so none is made. Restore the files from a backup and"
          + " retry (daprx cluster start, or update the extension); if the CA is lost for good, delete the extension and create it"
          + " again, then restart every Dapr-enabled workload");
    }
    if (!have.empty() && !have.complete()) {
      // A first install cut short between the CA's files (the server killed while it wrote them): no replica started
      // with it and no sidecar trusts it, so it is made again whole. Left as it was, every sentry refused to start.
      LOG.warn("the CA in {} is incomplete (no {}) and this install never ran: making it again", lc.trustBundleDir(),
          String.join(", ", missing(have)));
      store.save(CaBundles.generate(ControlPlane.TRUST_DOMAIN, namespace, CaBundles.DEFAULT_CA_TTL, clock).toRaw());
      return;
    }
    store.saveIfAbsent(CaBundles.generate(ControlPlane.TRUST_DOMAIN, namespace, CaBundles.DEFAULT_CA_TTL, clock).toRaw());
  }

  /** The files of the CA a bundle lacks. */
  private static List<String> missing(io.daprx.common.trust.RawBundle b) {
    List<String> out = new ArrayList<>();
    if (b.caCrt() == null) {
      out.add("ca.crt");
    }
    if (b.issuerCrt() == null) {
      out.add("issuer.crt");
    }
    if (b.issuerKey() == null) {
      out.add("issuer.key");
    }
    return out;
  }

  /**
   * Marks the cluster's control plane as the extension's, or refuses when another extension's already runs there. The mark
   * is made once, atomically (a link to a complete file), so two racing installs never both own the cluster.
   */
  private static void claimOwner(LocalCluster lc, String owner) throws ReconcileException {
    if (owner == null) {
      return;
    }
    Optional<String> current = owner(lc);
    if (current.isEmpty()) {
      try {
        Files.createDirectories(lc.dir());
        Path tmp = Files.createTempFile(lc.dir(), ".owner", ".tmp");
        try {
          Files.writeString(tmp, owner);
          Files.createLink(ownerFile(lc), tmp);
        } finally {
          Files.deleteIfExists(tmp);
        }
        return;
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        current = owner(lc);
      } catch (IOException e) {
        throw new ReconcileException("cannot mark the control plane of " + lc.dir() + " as this extension's: " + e.getMessage(), e);
      }
    }
    if (current.isPresent() && !current.get().equalsIgnoreCase(owner)) {
      throw new ReconcileException("this local cluster already runs the control plane of extension '" + current.get().replaceAll(".*/", "")
          + "', and a local cluster holds only one; nothing was changed. Manage Dapr with that extension, or delete it first");
    }
  }

  /** The extension whose control plane the cluster runs; empty when none claimed it (nothing installed, or a daprx before marks). */
  private static Optional<String> owner(LocalCluster lc) {
    try {
      String s = Files.readString(ownerFile(lc)).trim();
      return s.isEmpty() ? Optional.empty() : Optional.of(s);
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ownerFile(lc) + ": " + e.getMessage(), e);
    }
  }

  private static Path ownerFile(LocalCluster lc) {
    return lc.dir().resolve("owner");
  }

  @Override
  public void remove(Doc cluster, String namespace) {
    remove(cluster, namespace, null);
  }

  /**
   * Removes the install: its processes, CA, logs, and its mark. Only the owner's removal does: removing an extension whose
   * install never took the cluster (refused, or failed before it did) stops nothing and deletes nothing.
   */
  @Override
  public void remove(Doc cluster, String namespace, String owner) {
    LocalCluster lc = Targets.local(cluster);
    Optional<String> current = owner(lc);
    if (owner != null && current.isPresent() && !current.get().equalsIgnoreCase(owner)) {
      LOG.info("Cluster({}) runs the control plane of {}, not of {}: removing the latter touches nothing", lc.dir().getFileName(),
          current.get(), owner);
      return;
    }
    try {
      stop(cluster, namespace);
      deleteTree(lc.trustBundleDir());
      deleteTree(lc.identityDir());
      deleteTree(lc.logDir());
      Files.deleteIfExists(podNamesFile(lc));
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", podNamesFile(lc), e.getMessage());
    } finally {
      // last, so a removal cut short (kill -9) is retried as the owner's; but even a failed one gives the cluster up, since
      // a forced delete forgets the extension and a mark left naming it would refuse every later install
      try {
        Files.deleteIfExists(ownerFile(lc));
      } catch (IOException e) {
        LOG.warn("cannot delete {}: {}", ownerFile(lc), e.getMessage());
      }
    }
  }

  /**
   * Deletes what is left of a cluster on disk once its installs are removed: its Dapr resources, placement's
   * raft state, the process records.
   */
  public void purge(Doc cluster) {
    deleteTree(Targets.local(cluster).dir());
  }

  @Override
  public void stop(Doc cluster, String namespace) {
    LocalCluster lc = Targets.local(cluster);
    String group = group(lc, namespace);
    stopServices(group);
    supervisor.stopGroup(group);
    supervisor.killRemainingUnder(lc.logDir());
    tokens.revoke(group, lc, namespace);
  }

  /** The pods an install's supervisor is asked to run, and the pods as they are. */
  public record PodsView(List<ProcessSpec> desired, List<PodStatus> actual) {}

  /** What the supervisor runs of an install now, against what it should run: the source of the extension's health. */
  public PodsView podsView(Doc cluster, String namespace) {
    String group = group(Targets.local(cluster), namespace);
    return new PodsView(supervisor.desired(group), supervisor.status(group));
  }

  /** The pods of an install as the supervisor sees them. */
  public List<PodStatus> pods(Doc cluster, String namespace) {
    return supervisor.status(group(Targets.local(cluster), namespace));
  }

  /** The Services of an install with these settings, with the ready endpoints behind each. */
  public List<ServiceView> services(Doc cluster, String namespace, io.daprx.manager.model.DaprSettings settings) {
    LocalCluster lc = local(cluster);
    List<PodStatus> pods = supervisor.status(group(lc, namespace));
    List<ServiceView> out = new ArrayList<>();
    for (ServicePlan s : InstallPlan.services(lc, settings)) {
      out.add(new ServiceView(s.name(), "127.0.0.1:" + s.port(), s.port(), endpoints(lc, pods, s).stream()
          .map(a -> a.getHostString() + ":" + a.getPort()).toList()));
    }
    return out;
  }

  /** The named ports of each pod that runs (grpc, healthz, metrics, raft), from its component and ordinal. */
  public Map<String, Map<String, Integer>> podPorts(Doc cluster, String namespace) {
    LocalCluster lc = local(cluster);
    Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
    supervisor.status(group(lc, namespace)).stream().filter(p -> p.ordinal() != null)
        .forEach(p -> out.put(p.name(), InstallPlan.ports(lc, p.component(), p.ordinal())));
    return out;
  }

  /** Where a pod's log is, or null if the install has no such pod. */
  public Path logFile(Doc cluster, String namespace, String pod) {
    return supervisor.status(group(Targets.local(cluster), namespace)).stream().anyMatch(p -> p.name().equals(pod))
        ? Targets.local(cluster).logDir().resolve(pod + ".log") : null;
  }

  /** A Service's address and the ready replicas behind it. */
  public record ServiceView(String name, String address, int port, List<String> endpoints) {}

  /**
   * Makes the group's Service proxies those of the install: opens the missing ones, closes those of components the
   * install no longer runs (the scheduler turned off). A proxy that stays keeps its connections.
   */
  private void startServices(String group, LocalCluster lc, io.daprx.manager.model.DaprSettings settings) throws ReconcileException {
    List<ServicePlan> wanted = InstallPlan.services(lc, settings);
    List<String> names = wanted.stream().map(ServicePlan::name).toList();
    List<ServiceProxy> current = new ArrayList<>(proxies.getOrDefault(group, List.of()));
    current.removeIf(p -> {
      boolean gone = !names.contains(p.name());
      if (gone) {
        p.close();
      }
      return gone;
    });
    for (ServicePlan s : wanted) {
      if (current.stream().anyMatch(p -> p.name().equals(s.name()))) {
        continue;
      }
      try {
        current.add(new ServiceProxy(s.name(), s.port(), () -> endpoints(lc, supervisor.status(group), s)));
      } catch (IOException e) {
        proxies.put(group, current);
        throw new ReconcileException("cannot open Service " + s.name() + " on 127.0.0.1:" + s.port() + ": " + e.getMessage(), e);
      }
    }
    proxies.put(group, current);
  }

  private void stopServices(String group) {
    List<ServiceProxy> ps = proxies.remove(group);
    if (ps != null) {
      ps.forEach(ServiceProxy::close);
    }
  }

  /**
   * Closes every Service proxy and stops renewing control-plane tokens (the server is stopping; the processes may keep
   * running, and their tokens last until the next server restores the installs).
   */
  public void closeServices() {
    proxies.keySet().forEach(this::stopServices);
    tokens.close();
  }

  /** The ready pods of the Service's workload, whichever plan started them: their ports follow from their ordinal. */
  private static List<InetSocketAddress> endpoints(LocalCluster lc, List<PodStatus> pods, ServicePlan s) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (PodStatus st : pods) {
      boolean behind = ControlPlane.component(st.component()).map(c -> c.workload().equals(s.workload())).orElse(false);
      if (st.ready() && st.ordinal() != null && behind) {
        out.add(new InetSocketAddress("127.0.0.1", InstallPlan.ports(lc, st.component(), st.ordinal()).get(s.targetPort())));
      }
    }
    return out;
  }

  private static List<ComponentStatus> statuses(InstallPlan plan, List<PodStatus> pods) {
    Map<String, int[]> counts = new LinkedHashMap<>();
    Map<String, PodStatus> byName = new LinkedHashMap<>();
    pods.forEach(p -> byName.put(p.name(), p));
    for (PodPlan p : plan.pods()) {
      int[] c = counts.computeIfAbsent(p.workload(), w -> new int[2]);
      c[1]++;
      PodStatus st = byName.get(p.name());
      if (st != null && st.ready()) {
        c[0]++;
      }
    }
    List<ComponentStatus> out = new ArrayList<>();
    counts.forEach((w, c) -> out.add(new ComponentStatus(w, c[0], c[1])));
    return out;
  }

  private String notReady(String group) {
    return supervisor.status(group).stream().filter(p -> !p.ready())
        .map(p -> p.name() + " " + p.status() + (p.lastExitReason() == null ? "" : " (" + p.lastExitReason() + ")"))
        .reduce((a, b) -> a + ", " + b).orElse("no pods");
  }

  static String group(LocalCluster lc, String namespace) {
    return lc.dir().getFileName() + "." + namespace;
  }

  private static void pause() throws ReconcileException {
    try {
      Thread.sleep(200); // readiness is probed by the supervisor; this only paces the check of its result
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReconcileException("interrupted while waiting for the control plane to become ready");
    }
  }

  /** Deletes what it can of a directory tree, logging what it cannot (a removal goes on). */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          LOG.warn("cannot delete {}: {}", p, e.getMessage());
        }
      });
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.getMessage());
    }
  }
}
