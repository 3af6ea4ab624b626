package io.daprx.manager.install;

import io.daprx.manager.catalog.Release;
import io.daprx.manager.model.Component;
import io.daprx.manager.model.Component.ServiceSpec;
import io.daprx.manager.model.ControlPlane;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.model.Launch;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired state of a Dapr install on a local cluster, rendered from the {@link ControlPlane} table: each replica a
 * process on loopback, each Service a loopback port. A pure function of the extension's settings and the cluster,
 * tested without starting anything; the supervisor only makes reality match it. What is particular to a local
 * cluster lives here: the port layout, the file paths, and how replicas are named.
 */
public record InstallPlan(String namespace, List<PodPlan> pods, List<ServicePlan> services) {

  // Kubernetes' alphabet for generated name suffixes (no vowels, no look-alikes).
  private static final char[] ALPHABET = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

  /** The plan without a version, for what does not depend on it: the pods' names-to-ports layout and the Services. */
  public static InstallPlan forLocal(LocalCluster cluster, String namespace, DaprSettings settings) {
    return forLocal(cluster, namespace, settings, "");
  }

  /**
   * The plan of one daprx version: every pod carries it, and it is part of each Deployment's template hash, so a
   * version change rolls every replica as a new pod template does on Kubernetes.
   */
  public static InstallPlan forLocal(LocalCluster cluster, String namespace, DaprSettings settings, String version) {
    return forLocal(cluster, namespace, settings, version, null);
  }

  /**
   * The plan of one catalog release: its daprx version, and the {@code daprd} of its Dapr version as the image the
   * injector adds to pods, as on Kubernetes.
   */
  public static InstallPlan forLocal(LocalCluster cluster, String namespace, DaprSettings settings, Release release) {
    return forLocal(cluster, namespace, settings, release, fixedSuffixes(cluster, namespace));
  }

  /**
   * The plan of one catalog release whose Deployment-like replicas take the suffixes {@code suffixes} gives: the supervisor's
   * caller keeps the names of the replicas that already run this template and gives every new one a fresh random name.
   */
  public static InstallPlan forLocal(LocalCluster cluster, String namespace, DaprSettings settings, Release release, PodSuffixes suffixes) {
    return forLocal(cluster, namespace, settings, release.version().toString(), settings.sidecarImage(release.daprVersion()), suffixes);
  }

  private static InstallPlan forLocal(LocalCluster cluster, String namespace, DaprSettings settings, String version, String sidecarImage) {
    return forLocal(cluster, namespace, settings, version, sidecarImage, fixedSuffixes(cluster, namespace));
  }

  /**
   * How the replica {@code ordinal} of a Deployment-like component is told apart from its siblings: the last part of its
   * name {@code <deployment>-<template hash>-<suffix>}. Kubernetes draws it at random for each new pod, so a pod that
   * replaces another never takes its name (nor its log); a StatefulSet's replicas have none.
   */
  @FunctionalInterface
  public interface PodSuffixes {
    String suffix(String workload, String templateHash, int ordinal);
  }

  /** Suffixes drawn from the place alone: the same every time, for plans that start nothing (tests, previews). */
  private static PodSuffixes fixedSuffixes(LocalCluster cluster, String namespace) {
    return (workload, template, i) -> hash(cluster.id() + "/" + namespace + "/" + workload + "/" + template + "/" + i, 5);
  }

  /** A random suffix in Kubernetes' alphabet, as the ReplicaSet controller makes for each pod it creates. */
  public static String randomSuffix(java.util.random.RandomGenerator random) {
    StringBuilder sb = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    return sb.toString();
  }

  private static InstallPlan forLocal(LocalCluster cluster, String namespace, DaprSettings settings, String version, String sidecarImage,
      PodSuffixes suffixes) {
    List<PodPlan> pods = new ArrayList<>();
    Installed installed = new Installed(version, sidecarImage, suffixes);
    for (Component c : components(cluster, settings)) {
      pods.addAll(c.shape() == Component.Shape.STATEFUL_SET
          ? statefulSet(cluster, c, namespace, settings, installed) : deployment(cluster, c, namespace, settings, installed));
    }
    return new InstallPlan(namespace, pods, services(cluster, settings));
  }

  /** What of the catalog release the replicas carry: its version and the sidecar image (null: the injector's default). */
  private record Installed(String version, String sidecarImage, PodSuffixes suffixes) {}

  /** The components the install runs here: those its settings turn on, the dashboard only where it can read the server. */
  private static List<Component> components(LocalCluster cluster, DaprSettings settings) {
    return ControlPlane.installed(settings).stream().filter(c -> c != ControlPlane.DASHBOARD || cluster.manager() != null).toList();
  }

  /** The loopback port of one of a cluster's Services. */
  public static int servicePort(LocalCluster cluster, String service) {
    return ControlPlane.COMPONENTS.stream().flatMap(c -> c.services().stream()).filter(s -> s.name().equals(service) && s.localOffset() != null)
        .findFirst().map(s -> servicePort(cluster, s)).orElseThrow(() -> new IllegalArgumentException("no local Service " + service));
  }

  private static int servicePort(LocalCluster cluster, ServiceSpec s) {
    return cluster.portBase() + LocalCluster.SERVICE_OFFSET + s.localOffset();
  }

  /**
   * How one replica is launched here: on loopback, with the cluster's sentry, trust anchors, control-plane token and files; a scheduler
   * replica tells sidecars its own loopback port, and sidecars reach the scheduler through its Service.
   */
  private static Launch launch(LocalCluster cluster, Component c, String namespace, DaprSettings s, Map<String, Integer> ports,
      String podName, String peers, Installed installed) {
    String main = mainPortName(c);
    boolean inMemory = c == ControlPlane.SCHEDULER && s.scheduler().inMemoryStorage();
    return new Launch(false, namespace, s, "127.0.0.1", ports.get(main), ports.getOrDefault("healthz", 0), ports.getOrDefault("metrics", 0),
        "127.0.0.1:" + servicePort(cluster, "dapr-sentry"), cluster.trustBundleDir().resolve("ca.crt").toString(),
        c == ControlPlane.SENTRY ? cluster.trustBundleDir().toString() : null,
        c == ControlPlane.OPERATOR ? cluster.resourcesDir().toString() : null,
        podName, peers, c == ControlPlane.SCHEDULER ? "127.0.0.1:" + ports.get(main) : null,
        c.data() == null || inMemory ? null : cluster.dir().resolve(c.data().localDir()).resolve(podName).toString(),
        c == ControlPlane.INJECTOR ? installed.sidecarImage() : null,
        ControlPlane.SCHEDULER.installedWith(s) ? "127.0.0.1:" + servicePort(cluster, "dapr-scheduler-server-a") : null,
        c == ControlPlane.DASHBOARD ? new Launch.DashboardAccess(cluster.manager().serverFile().toString(),
            cluster.manager().readerTokenFile().toString(), cluster.id()) : null,
        c == ControlPlane.SENTRY ? cluster.controlPlaneJwks().toString() : null,
        c.asksSentry() ? cluster.sentryTokenFile(namespace, ControlPlane.appId(c)).toString() : null,
        // sentry has no raft peers: its replica's fourth port serves OIDC discovery, so replicas never share one
        c == ControlPlane.SENTRY ? ports.get("raft") : null);
  }

  /** Replicas of a StatefulSet: stable names {@code <name>-<ordinal>}, each knowing every peer's address. */
  private static List<PodPlan> statefulSet(LocalCluster cluster, Component c, String namespace, DaprSettings s, Installed installed) {
    String version = installed.version();
    int replicas = c.replicas(s);
    String peerList = ControlPlane.peers(c, replicas, i -> "127.0.0.1:" + replicaPorts(cluster, c, i).get("raft"));
    List<PodPlan> out = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      Map<String, Integer> ports = replicaPorts(cluster, c, i);
      String name = c.workload() + "-" + i;
      out.add(pod(cluster, name, c, i, version, ControlPlane.args(c, launch(cluster, c, namespace, s, ports, name, peerList, installed)), ports));
    }
    return out;
  }

  /** Replicas of a Deployment, named like Kubernetes names them: {@code <deployment>-<template hash>-<suffix>}. */
  private static List<PodPlan> deployment(LocalCluster cluster, Component c, String namespace, DaprSettings s, Installed installed) {
    String version = installed.version();
    // The template hash covers the version and the arguments without per-replica ports, so it changes exactly when
    // a setting or the version changes, as a ReplicaSet's pod-template-hash does.
    Map<String, Integer> noPorts = new LinkedHashMap<>();
    replicaPorts(cluster, c, 0).keySet().forEach(k -> noPorts.put(k, 0));
    String template = hash(version + " " + String.join(" ", ControlPlane.args(c, launch(cluster, c, namespace, s, noPorts, null, null, installed))), 10);
    List<PodPlan> out = new ArrayList<>();
    for (int i = 0; i < c.replicas(s); i++) {
      Map<String, Integer> ports = replicaPorts(cluster, c, i);
      String name = c.workload() + "-" + template + "-" + installed.suffixes().suffix(c.workload(), template, i);
      out.add(pod(cluster, name, c, i, version, ControlPlane.args(c, launch(cluster, c, namespace, s, ports, name, null, installed)), ports));
    }
    return out;
  }

  /**
   * The named ports of replica {@code ordinal} of a component as any plan lays it out: they depend on nothing else, so a
   * replica started by an earlier plan (other settings, another version) is found behind its Service.
   */
  public static Map<String, Integer> ports(LocalCluster cluster, String component, int ordinal) {
    Component c = ControlPlane.component(component).orElseThrow(() -> new IllegalArgumentException("no component " + component));
    return replicaPorts(cluster, c, ordinal);
  }

  /**
   * An install's Services, each in front of one component's ready replicas: those of the components it runs (the
   * dashboard reads the cluster through the management server; a plan that does not know the server has none). Their
   * ports depend on nothing but the cluster.
   */
  public static List<ServicePlan> services(LocalCluster cluster, DaprSettings settings) {
    List<ServicePlan> out = new ArrayList<>();
    for (Component c : components(cluster, settings)) {
      for (ServiceSpec s : c.services()) {
        if (s.localOffset() != null) {
          out.add(new ServicePlan(s.name(), c.workload(), mainPortName(c), servicePort(cluster, s)));
        }
      }
    }
    return out;
  }

  /** A replica with its log file and its readiness probe: {@code /healthz} on its health port (the dashboard's only port). */
  private static PodPlan pod(LocalCluster cluster, String name, Component c, int ordinal, String version, List<String> args,
      Map<String, Integer> ports) {
    int probe = ports.get(c.healthPorts() ? "healthz" : mainPortName(c));
    return new PodPlan(name, c.name(), c.workload(), ordinal, version, args, ports, cluster.logDir().resolve(name + ".log"),
        URI.create("http://127.0.0.1:" + probe + "/healthz"));
  }

  /**
   * The name of a replica's main port on a local cluster: {@code grpc}, or {@code http} for a component that serves pages
   * and health on one port (the dashboard).
   */
  private static String mainPortName(Component c) {
    return c.healthPorts() ? "grpc" : "http";
  }

  /**
   * The named ports of a replica, from its component's slot: main, healthz, metrics and raft (where placement's and the
   * scheduler's peers reach it); a component without health ports has only its main one.
   */
  private static Map<String, Integer> replicaPorts(LocalCluster cluster, Component c, int ordinal) {
    int base = cluster.portBase() + cluster.slotOffset(c.localSlot()) + ordinal * LocalCluster.PORTS_PER_POD;
    if (!c.healthPorts()) {
      return Map.of(mainPortName(c), base);
    }
    Map<String, Integer> p = new LinkedHashMap<>();
    p.put("grpc", base);
    p.put("healthz", base + 1);
    p.put("metrics", base + 2);
    p.put("raft", base + 3);
    return p;
  }

  static String hash(String input, int length) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(length);
      for (int i = 0; i < length; i++) {
        sb.append(ALPHABET[(d[i] & 0xff) % ALPHABET.length]);
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
