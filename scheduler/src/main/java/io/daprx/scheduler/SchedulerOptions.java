package io.daprx.scheduler;

import io.daprx.common.spiffe.SpiffeId;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of the scheduler, typed, with upstream's flag names and defaults (see {@link #defaults()}).
 *
 * @param id this replica's id, e.g. {@code dapr-scheduler-server-0}
 * @param listenAddress where the gRPC server listens
 * @param metricsPort -1 disables the metrics endpoint
 * @param broadcastAddress {@code host:port} sidecars are told to dial (WatchHosts); null = derived from the listen
 *     address and port
 * @param workers upstream's trigger worker count; accepted for compatibility (one event loop triggers here)
 * @param dataDir where the replicated store keeps its Raft log and its jobs ({@code <dataDir>/<id>/}); null with one
 *     replica = jobs in memory, null with several = a temporary directory removed on close
 * @param initialCluster replica id → peer URL, in flag order. We reuse upstream's etcd flag for Ratis: the ids are
 *     the Raft peer ids and each URL's {@code host:port} is that replica's Raft address
 * @param etcdClientPort accepted for compatibility with upstream's launch flags
 * @param keepaliveTime gRPC server keepalive: ping an idle connection this often
 * @param keepaliveTimeout gRPC server keepalive: close the connection when a ping is not answered in time
 * @param maxJobBytes the largest job (name, metadata and data) accepted; larger is INVALID_ARGUMENT
 * @param tlsEnabled mTLS with sidecars (an SVID from sentry); false only for explicit insecure local use
 * @param sentryAddress sentry's gRPC address, for the scheduler's own SVID
 * @param trustAnchorsFile PEM trust anchors (sentry's {@code ca.crt}), required with TLS
 * @param trustDomain the control plane's trust domain
 * @param namespace the control plane's namespace
 * @param mode how the scheduler proves its identity to sentry
 * @param sentryTokenFile standalone mode: the file of the JWT its supervisor keeps fresh, shown to sentry with the JWKS
 *     validator; null = no token (INSECURE), as upstream's standalone mode
 */
public record SchedulerOptions(
    String id,
    String listenAddress,
    int port,
    int healthzPort,
    int metricsPort,
    String broadcastAddress,
    int workers,
    Path dataDir,
    Map<String, String> initialCluster,
    int etcdClientPort,
    Duration keepaliveTime,
    Duration keepaliveTimeout,
    int maxJobBytes,
    boolean tlsEnabled,
    String sentryAddress,
    Path trustAnchorsFile,
    String trustDomain,
    String namespace,
    Mode mode,
    Path sentryTokenFile) {

  public enum Mode { STANDALONE, KUBERNETES }

  public static final String DEFAULT_ID = "dapr-scheduler-server-0";
  public static final int DEFAULT_PORT = 50006;
  public static final int DEFAULT_HEALTHZ_PORT = 8080;
  public static final int DEFAULT_METRICS_PORT = 9090;
  public static final int DEFAULT_WORKERS = 2048;
  public static final int DEFAULT_ETCD_CLIENT_PORT = 2379;
  public static final String DEFAULT_INITIAL_CLUSTER = DEFAULT_ID + "=http://localhost:2380";
  /** Upstream's server keepalive (3 s / 5 s); daprd's own pings every 10 s are permitted separately. */
  public static final Duration DEFAULT_KEEPALIVE_TIME = Duration.ofSeconds(3);
  public static final Duration DEFAULT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(5);
  /**
   * The largest job by default. Workflow activity results travel in reminder data, and upstream takes up to 2 GiB; but
   * daprd itself refuses a request over its {@code --max-body-size} (4 MiB by default), so 8 MiB leaves twice that. The
   * cap costs memory up front: each replica's Raft log holds a write buffer as large as the largest entry (a direct
   * buffer, zeroed at start, so resident for good) — 64 MiB made it a quarter of an idle replica's RSS.
   */
  public static final int DEFAULT_MAX_JOB_BYTES = 8 << 20;
  /** {@link #DEFAULT_MAX_JOB_BYTES} as {@code --max-job-size} spells it. */
  public static final String DEFAULT_MAX_JOB_SIZE = "8Mi";
  /** The most {@code --max-job-size} takes: the Raft log's buffers are int-sized and held in memory. */
  public static final int MAX_MAX_JOB_BYTES = 1 << 30;
  public static final String DEFAULT_SENTRY_ADDRESS = "localhost:50001";
  public static final String DEFAULT_TRUST_DOMAIN = SpiffeId.CONTROL_PLANE_TRUST_DOMAIN;
  public static final String DEFAULT_NAMESPACE = "dapr-system";
  /** The app id in the scheduler's SVID: daprd requires {@code spiffe://<td>/ns/<cp ns>/dapr-scheduler}. */
  public static final String APP_ID = "dapr-scheduler";

  public SchedulerOptions {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("--id is required, e.g. " + DEFAULT_ID);
    }
    listenAddress = listenAddress == null || listenAddress.isBlank() ? "0.0.0.0" : listenAddress;
    initialCluster = Collections.unmodifiableMap(new LinkedHashMap<>(initialCluster == null ? Map.of() : initialCluster));
    if (initialCluster.size() > 1 && !initialCluster.containsKey(id)) {
      throw new IllegalArgumentException("--id " + id + " is not one of the --etcd-initial-cluster ids " + initialCluster.keySet());
    }
    if (initialCluster.size() > 1) {
      initialCluster.forEach(SchedulerOptions::peerAddress); // refuses a URL without host and port now
    }
    if (workers < 1) {
      throw new IllegalArgumentException("--workers must be at least 1, got " + workers);
    }
    if (broadcastAddress != null && broadcastAddress.isBlank()) {
      broadcastAddress = null;
    }
    if (broadcastAddress != null && broadcastAddress.lastIndexOf(':') <= 0) {
      throw new IllegalArgumentException("invalid --override-broadcast-host-port '" + broadcastAddress + "': use host:port");
    }
    requirePositive(keepaliveTime, "keepalive time");
    requirePositive(keepaliveTimeout, "keepalive timeout");
    if (maxJobBytes < 1024 || maxJobBytes > MAX_MAX_JOB_BYTES) {
      throw new IllegalArgumentException("the job size limit must be between 1Ki and 1Gi, got " + maxJobBytes + " bytes");
    }
    SpiffeId.requireValidTrustDomain(trustDomain);
    SpiffeId.requireValidNamespace(namespace);
    mode = mode == null ? Mode.STANDALONE : mode;
  }

  private static void requirePositive(Duration d, String what) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive");
    }
  }

  /** Upstream's defaults (one replica, in memory) with mTLS on, which then needs {@link #trustAnchorsFile()}. */
  public static SchedulerOptions defaults() {
    return new SchedulerOptions(DEFAULT_ID, "0.0.0.0", DEFAULT_PORT, DEFAULT_HEALTHZ_PORT, DEFAULT_METRICS_PORT, null,
        DEFAULT_WORKERS, null, parseInitialCluster(DEFAULT_INITIAL_CLUSTER), DEFAULT_ETCD_CLIENT_PORT, DEFAULT_KEEPALIVE_TIME,
        DEFAULT_KEEPALIVE_TIMEOUT, DEFAULT_MAX_JOB_BYTES, true, DEFAULT_SENTRY_ADDRESS, null, DEFAULT_TRUST_DOMAIN,
        DEFAULT_NAMESPACE, Mode.STANDALONE, null);
  }

  /**
   * Parses {@code --etcd-initial-cluster}: {@code id=url,id=url}, ids unique.
   *
   * @throws IllegalArgumentException naming the entry that is wrong
   */
  public static Map<String, String> parseInitialCluster(String text) {
    Map<String, String> peers = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return peers;
    }
    for (String raw : text.split(",")) {
      String entry = raw.trim();
      int eq = entry.indexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        throw new IllegalArgumentException("invalid --etcd-initial-cluster entry '" + entry + "': use id=url, e.g. "
            + DEFAULT_INITIAL_CLUSTER);
      }
      if (peers.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim()) != null) {
        throw new IllegalArgumentException("--etcd-initial-cluster names " + entry.substring(0, eq).trim() + " twice");
      }
    }
    return peers;
  }

  /** Whether jobs go to the replicated store (several replicas, or a data directory) rather than memory. */
  public boolean replicated() {
    return initialCluster.size() > 1 || dataDir != null;
  }

  /**
   * The Raft address of each replica, from {@code --etcd-initial-cluster}. One replica (or none listed) is this
   * replica, at the one URL's address or {@code localhost:2380}, whatever id the entry names.
   */
  public Map<String, InetSocketAddress> peers() {
    Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
    if (initialCluster.size() <= 1) {
      String url = initialCluster.isEmpty() ? "http://localhost:2380" : initialCluster.values().iterator().next();
      peers.put(id, peerAddress(id, url));
      return peers;
    }
    initialCluster.forEach((peer, url) -> peers.put(peer, peerAddress(peer, url)));
    return peers;
  }

  /** {@code scheme://host:port} or {@code host:port} → the unresolved address; refuses anything else, saying why. */
  static InetSocketAddress peerAddress(String peer, String url) {
    String text = url.contains("://") ? url : "tcp://" + url;
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid --etcd-initial-cluster URL '" + url + "' of " + peer
          + ": use http://host:port (the replica's Raft address)");
    }
    if (uri.getHost() == null || uri.getPort() < 1) {
      throw new IllegalArgumentException("invalid --etcd-initial-cluster URL '" + url + "' of " + peer
          + ": it needs a host and a port, e.g. http://dapr-scheduler-server-0:2380 (the replica's Raft address)");
    }
    String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
    return InetSocketAddress.createUnresolved(host, uri.getPort());
  }

  /**
   * Parses {@code --max-job-size}: a Kubernetes quantity ({@code 8Mi}, {@code 16Mi}, {@code 1Gi}, or bytes).
   *
   * @throws IllegalArgumentException saying what was wrong and what to write
   */
  public static int parseMaxJobSize(String text) {
    java.math.BigDecimal bytes;
    try {
      bytes = io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(text.trim()));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("invalid --max-job-size '" + text + "': use a size such as 8Mi, 16Mi or 1Gi");
    }
    if (bytes.compareTo(java.math.BigDecimal.valueOf(1024)) < 0
        || bytes.compareTo(java.math.BigDecimal.valueOf(MAX_MAX_JOB_BYTES)) > 0) {
      throw new IllegalArgumentException("invalid --max-job-size '" + text + "': it must be between 1Ki and 1Gi");
    }
    return bytes.intValue();
  }

  public static Mode parseMode(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "standalone" -> Mode.STANDALONE;
      case "kubernetes" -> Mode.KUBERNETES;
      default -> throw new IllegalArgumentException("invalid --mode '" + text + "': use standalone or kubernetes");
    };
  }

  /** The scheduler's own identity: {@code spiffe://<trust domain>/ns/<namespace>/dapr-scheduler}. */
  public SpiffeId spiffeId() {
    return SpiffeId.of(trustDomain, namespace, APP_ID);
  }

  /** The identity sentry presents. */
  public SpiffeId sentryId() {
    return SpiffeId.of(trustDomain, namespace, "dapr-sentry");
  }

  /**
   * What WatchHosts tells sidecars to dial: the override, else the listen address when it is a concrete one, else
   * {@code fallbackHost} (this machine's address), each with the bound port.
   */
  public String broadcastAddress(int boundPort, String fallbackHost) {
    if (broadcastAddress != null) {
      return broadcastAddress;
    }
    String host = listenAddress.equals("0.0.0.0") || listenAddress.equals("::") ? fallbackHost : listenAddress;
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + boundPort;
  }

  public SchedulerOptions withPorts(int port, int healthzPort, int metricsPort) {
    return new SchedulerOptions(id, listenAddress, port, healthzPort, metricsPort, broadcastAddress, workers, dataDir,
        initialCluster, etcdClientPort, keepaliveTime, keepaliveTimeout, maxJobBytes, tlsEnabled, sentryAddress,
        trustAnchorsFile, trustDomain, namespace, mode, sentryTokenFile);
  }

  public SchedulerOptions withListenAddress(String address) {
    return new SchedulerOptions(id, address, port, healthzPort, metricsPort, broadcastAddress, workers, dataDir,
        initialCluster, etcdClientPort, keepaliveTime, keepaliveTimeout, maxJobBytes, tlsEnabled, sentryAddress,
        trustAnchorsFile, trustDomain, namespace, mode, sentryTokenFile);
  }

  public SchedulerOptions withBroadcastAddress(String address) {
    return new SchedulerOptions(id, listenAddress, port, healthzPort, metricsPort, address, workers, dataDir,
        initialCluster, etcdClientPort, keepaliveTime, keepaliveTimeout, maxJobBytes, tlsEnabled, sentryAddress,
        trustAnchorsFile, trustDomain, namespace, mode, sentryTokenFile);
  }

  /** TLS off, or on with sentry's address and the trust anchors file. */
  public SchedulerOptions withTls(boolean enabled, String sentry, Path anchors) {
    return new SchedulerOptions(id, listenAddress, port, healthzPort, metricsPort, broadcastAddress, workers, dataDir,
        initialCluster, etcdClientPort, keepaliveTime, keepaliveTimeout, maxJobBytes, enabled, sentry, anchors, trustDomain,
        namespace, mode, sentryTokenFile);
  }

  /** Several replicas (or one) with their Raft URLs, and where each keeps its data (null: see {@link #dataDir}). */
  public SchedulerOptions withCluster(String replicaId, Map<String, String> cluster, Path data) {
    return new SchedulerOptions(replicaId, listenAddress, port, healthzPort, metricsPort, broadcastAddress, workers, data,
        cluster, etcdClientPort, keepaliveTime, keepaliveTimeout, maxJobBytes, tlsEnabled, sentryAddress, trustAnchorsFile,
        trustDomain, namespace, mode, sentryTokenFile);
  }

  public SchedulerOptions withMaxJobBytes(int bytes) {
    return new SchedulerOptions(id, listenAddress, port, healthzPort, metricsPort, broadcastAddress, workers, dataDir,
        initialCluster, etcdClientPort, keepaliveTime, keepaliveTimeout, bytes, tlsEnabled, sentryAddress, trustAnchorsFile,
        trustDomain, namespace, mode, sentryTokenFile);
  }

  /** The JWT file shown to sentry in standalone mode (null: no token). */
  public SchedulerOptions withSentryTokenFile(Path token) {
    return new SchedulerOptions(id, listenAddress, port, healthzPort, metricsPort, broadcastAddress, workers, dataDir,
        initialCluster, etcdClientPort, keepaliveTime, keepaliveTimeout, maxJobBytes, tlsEnabled, sentryAddress, trustAnchorsFile,
        trustDomain, namespace, mode, token);
  }
}
