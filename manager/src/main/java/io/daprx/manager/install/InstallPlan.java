package io.daprx.manager.install;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired state of a Dapr install on a local cluster: a pure function of the extension's settings and
 * the cluster, tested without starting anything. The supervisor only makes reality match it.
 */
public record InstallPlan(String namespace, List<PodPlan> pods, List<ServicePlan> services) {

  /**
   * Components that exist as real processes today, in install order; a component appears here when its
   * implementation lands, never as a stand-in.
   */
  public static final List<String> AVAILABLE_COMPONENTS = List.of("sentry", "operator", "placement", "injector", "dashboard");

  /**
   * Each Service's port, as an offset from {@link LocalCluster#SERVICE_OFFSET}: fixed per Service, so adding a
   * component never moves the address a running sidecar or tool already uses.
   */
  static final Map<String, Integer> SERVICE_PORTS = Map.of("dapr-sentry", 0, "dapr-placement-server", 1, "dapr-api", 2,
      "dapr-sidecar-injector", 3, "dapr-dashboard", 4);

  /** Each component's workload (its Deployment or StatefulSet), named as on Kubernetes. */
  private static final Map<String, String> WORKLOADS = Map.of("sentry", "dapr-sentry", "operator", "dapr-operator",
      "placement", "dapr-placement-server", "injector", "dapr-sidecar-injector", "dashboard", "dapr-dashboard");

  public static final String CONTROL_PLANE_TRUST_DOMAIN = "cluster.local";

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
    List<PodPlan> pods = new ArrayList<>();
    List<ServicePlan> services = new ArrayList<>();
    int componentIndex = 0;
    for (String component : AVAILABLE_COMPONENTS) {
      switch (component) {
        case "sentry" -> {
          int replicas = settings.replicas("dapr_sentry");
          pods.addAll(deployment(cluster, "sentry", replicas, componentIndex, namespace, version,
              ports -> sentryArgs(cluster, namespace, settings, ports)));
          services.add(service(cluster, "dapr-sentry", "dapr-sentry"));
        }
        case "operator" -> {
          pods.addAll(deployment(cluster, "operator", settings.replicas("dapr_operator"), componentIndex, namespace, version,
              ports -> operatorArgs(cluster, namespace, settings, ports)));
          services.add(service(cluster, "dapr-api", "dapr-operator"));
        }
        case "injector" -> {
          pods.addAll(deployment(cluster, "injector", settings.replicas("dapr_sidecar_injector"), componentIndex,
              namespace, version, ports -> injectorArgs(cluster, namespace, settings, ports)));
          services.add(service(cluster, "dapr-sidecar-injector", "dapr-sidecar-injector"));
        }
        case "placement" -> {
          int replicas = settings.replicas("dapr_placement");
          List<PodPlan> placement = statefulSet(cluster, "placement", replicas, componentIndex, version,
              (ordinal, ports, peers) -> placementArgs(cluster, namespace, settings, ordinal, ports, peers));
          pods.addAll(placement);
          services.add(service(cluster, "dapr-placement-server", "dapr-placement-server"));
        }
        case "dashboard" -> {
          // the dashboard reads the cluster through the management server; a plan that does not know the server has none
          if (cluster.manager() != null) {
            pods.addAll(dashboard(cluster, namespace, settings, componentIndex, version));
            services.add(new ServicePlan("dapr-dashboard", "dapr-dashboard", "http", servicePort(cluster, "dapr-dashboard")));
          }
        }
        default -> throw new IllegalStateException("no local plan for component " + component);
      }
      componentIndex++;
    }
    return new InstallPlan(namespace, pods, services);
  }

  private static List<String> sentryArgs(LocalCluster cluster, String namespace, DaprSettings s, Map<String, Integer> ports) {
    List<String> a = new ArrayList<>(List.of("sentry",
        "--issuer-credentials", cluster.trustBundleDir().toString(),
        "--trust-domain", CONTROL_PLANE_TRUST_DOMAIN,
        "--namespace", namespace,
        "--workload-cert-ttl", io.daprx.common.runtime.GoDuration.format(s.workloadCertTtl()),
        "--allowed-clock-skew", io.daprx.common.runtime.GoDuration.format(s.allowedClockSkew()),
        "--log-level", s.logLevel()));
    if (s.logAsJson()) {
      a.add("--log-as-json");
    }
    a.addAll(listenArgs(ports));
    return a;
  }

  private static ServicePlan service(LocalCluster cluster, String name, String workload) {
    return new ServicePlan(name, workload, "grpc", servicePort(cluster, name));
  }

  /** The loopback port of one of a cluster's Services. */
  public static int servicePort(LocalCluster cluster, String service) {
    return cluster.portBase() + LocalCluster.SERVICE_OFFSET + SERVICE_PORTS.get(service);
  }

  /**
   * The operator in standalone mode over the cluster's resources directory (what {@code daprx apply} writes):
   * the same gRPC API sidecars use on Kubernetes, fed from files instead of the API server.
   */
  private static List<String> operatorArgs(LocalCluster cluster, String namespace, DaprSettings s, Map<String, Integer> ports) {
    List<String> a = new ArrayList<>(List.of("operator",
        "--mode", "standalone",
        "--resources-path", cluster.resourcesDir().toString()));
    a.addAll(identityArgs(cluster, namespace, s));
    a.addAll(listenArgs(ports));
    return a;
  }

  /** The webhook with its serving certificate from sentry; sidecars it describes reach this cluster's Services. */
  private static List<String> injectorArgs(LocalCluster cluster, String namespace, DaprSettings s, Map<String, Integer> ports) {
    List<String> a = new ArrayList<>(List.of("injector"));
    a.addAll(identityArgs(cluster, namespace, s));
    a.addAll(listenArgs(ports));
    return a;
  }

  /** How a component gets its identity: sentry's Service, the cluster's trust anchors, the control plane's namespace. */
  private static List<String> identityArgs(LocalCluster cluster, String namespace, DaprSettings s) {
    List<String> a = new ArrayList<>(List.of(
        "--sentry-address", "127.0.0.1:" + servicePort(cluster, "dapr-sentry"),
        "--trust-anchors-file", cluster.trustBundleDir().resolve("ca.crt").toString(),
        "--trust-domain", CONTROL_PLANE_TRUST_DOMAIN,
        "--namespace", namespace,
        "--log-level", s.logLevel()));
    if (s.logAsJson()) {
      a.add("--log-as-json");
    }
    return a;
  }

  private static List<String> listenArgs(Map<String, Integer> ports) {
    return List.of("--listen-address", "127.0.0.1",
        "--port", "" + ports.get("grpc"), "--healthz-port", "" + ports.get("healthz"), "--metrics-port", "" + ports.get("metrics"));
  }

  private static List<String> placementArgs(LocalCluster cluster, String namespace, DaprSettings s, int ordinal,
      Map<String, Integer> ports, String peers) {
    List<String> a = new ArrayList<>(List.of("placement",
        "--id", "dapr-placement-server-" + ordinal,
        "--initial-cluster", peers,
        "--raft-logstore-path", cluster.dir().resolve("placement-raft").resolve("dapr-placement-server-" + ordinal).toString(),
        "--metadata-enabled"));
    a.addAll(identityArgs(cluster, namespace, s));
    a.addAll(listenArgs(ports));
    return a;
  }

  /**
   * The dashboard: one replica, as upstream runs it even in HA ({@code dapr_dashboard.replicaCount} when set), named like
   * a Deployment's pods, serving pages, API and {@code /healthz} on one loopback port and reading the cluster through the
   * management server with its read-only token.
   */
  private static List<PodPlan> dashboard(LocalCluster cluster, String namespace, DaprSettings s, int componentIndex, String version) {
    String workload = WORKLOADS.get("dashboard");
    java.util.function.IntFunction<List<String>> args = port -> {
      List<String> a = new ArrayList<>(List.of("dashboard",
          "--mode", "local",
          "--listen-address", "127.0.0.1",
          "--port", "" + port,
          "--manager-server-file", cluster.manager().serverFile().toString(),
          "--manager-token-file", cluster.manager().readerTokenFile().toString(),
          "--cluster-id", cluster.id(),
          "--namespace", namespace,
          "--log-level", s.logLevel()));
      if (s.logAsJson()) {
        a.add("--log-as-json");
      }
      return a;
    };
    String template = hash(version + " " + String.join(" ", args.apply(0)), 10);
    List<PodPlan> out = new ArrayList<>();
    int replicas = s.componentReplicas().getOrDefault("dapr_dashboard", 1);
    for (int i = 0; i < replicas; i++) {
      Map<String, Integer> ports = replicaPorts(cluster, "dashboard", componentIndex, i);
      String name = workload + "-" + template + "-" + hash(cluster.id() + "/" + namespace + "/" + workload + "/" + template + "/" + i, 5);
      out.add(pod(cluster, name, "dashboard", i, version, args.apply(ports.get("http")), ports));
    }
    return out;
  }

  /** Arguments of a StatefulSet replica: its ordinal, its ports and the whole peer list. */
  @FunctionalInterface
  interface ReplicaArgs {
    List<String> of(int ordinal, Map<String, Integer> ports, String peers);
  }

  /** Replicas of a StatefulSet: stable names {@code <name>-<ordinal>}, each knowing every peer's raft address. */
  private static List<PodPlan> statefulSet(LocalCluster cluster, String component, int replicas, int componentIndex,
      String version, ReplicaArgs args) {
    String workload = WORKLOADS.get(component);
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      peers.add(workload + "-" + i + "=127.0.0.1:" + ports(cluster, componentIndex, i).get("raft"));
    }
    String peerList = String.join(",", peers);
    List<PodPlan> out = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      Map<String, Integer> ports = replicaPorts(cluster, component, componentIndex, i);
      String name = workload + "-" + i;
      out.add(pod(cluster, name, component, i, version, args.of(i, ports, peerList), ports));
    }
    return out;
  }

  /** Replicas of a Deployment, named like Kubernetes names them: {@code <deployment>-<template hash>-<suffix>}. */
  private static List<PodPlan> deployment(LocalCluster cluster, String component, int replicas, int componentIndex,
      String namespace, String version, java.util.function.Function<Map<String, Integer>, List<String>> args) {
    String workload = WORKLOADS.get(component);
    // The template hash covers the version and the arguments without per-replica ports, so it changes exactly when
    // a setting or the version changes, as a ReplicaSet's pod-template-hash does.
    String template = hash(version + " " + String.join(" ", args.apply(Map.of("grpc", 0, "healthz", 0, "metrics", 0, "raft", 0))), 10);
    List<PodPlan> out = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      Map<String, Integer> ports = replicaPorts(cluster, component, componentIndex, i);
      String name = workload + "-" + template + "-" + hash(cluster.id() + "/" + namespace + "/" + workload + "/" + template + "/" + i, 5);
      out.add(pod(cluster, name, component, i, version, args.apply(ports), ports));
    }
    return out;
  }

  /**
   * Replica {@code ordinal} of a component as any plan lays it out: its workload and ports depend on nothing else, so a
   * replica started by an earlier plan (other settings, another version) can be found behind its Service.
   */
  public static PodPlan replica(LocalCluster cluster, String name, String component, int ordinal, String version) {
    int index = AVAILABLE_COMPONENTS.indexOf(component);
    if (index < 0) {
      throw new IllegalArgumentException("no component " + component);
    }
    return pod(cluster, name, component, ordinal, version, List.of(), replicaPorts(cluster, component, index, ordinal));
  }

  /** A replica with its log file and its readiness probe: {@code /healthz} on its health port (the dashboard's only port). */
  private static PodPlan pod(LocalCluster cluster, String name, String component, int ordinal, String version, List<String> args,
      Map<String, Integer> ports) {
    int probe = ports.containsKey("healthz") ? ports.get("healthz") : ports.get("http");
    return new PodPlan(name, component, WORKLOADS.get(component), ordinal, version, args, ports, cluster.logDir().resolve(name + ".log"),
        URI.create("http://127.0.0.1:" + probe + "/healthz"));
  }

  /** The named ports of a replica; the dashboard serves pages, API and health on one http port. */
  private static Map<String, Integer> replicaPorts(LocalCluster cluster, String component, int componentIndex, int ordinal) {
    Map<String, Integer> ports = ports(cluster, componentIndex, ordinal);
    return "dashboard".equals(component) ? Map.of("http", ports.get("grpc")) : ports;
  }

  private static Map<String, Integer> ports(LocalCluster cluster, int componentIndex, int ordinal) {
    int base = cluster.portBase() + componentIndex * LocalCluster.COMPONENT_STRIDE + ordinal * LocalCluster.PORTS_PER_POD;
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
