package io.daprx.placement;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.placement.leader.Leadership;
import io.daprx.placement.leader.SingleNodeLeadership;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of placement, typed, with Dapr's flag names and defaults (see {@link #defaults()}).
 *
 * @param id this replica's id, e.g. {@code dapr-placement-server-0}
 * @param initialCluster replica id → {@code host:port} of its peer (raft) endpoint, in flag order
 * @param metricsPort -1 disables the metrics endpoint
 * @param disseminateTimeout how long a stream may take to ack one phase of a round before it is closed
 * @param disseminateCoalesceWindow after a round, how long a namespace collects membership changes before the next
 *     round carries them all; zero = a change starts a round as soon as no round is running (Dapr 1.18's default)
 * @param keepaliveTime gRPC server keepalive: ping an idle connection this often
 * @param keepaliveTimeout gRPC server keepalive: close the connection when a ping is not answered in time
 * @param metadataEnabled serve {@code GET /placement/state} on the healthz port
 * @param tlsEnabled mTLS with sidecars (an SVID from sentry); false only for explicit insecure local use
 * @param sentryAddress sentry's gRPC address, for placement's own SVID
 * @param trustAnchorsFile PEM trust anchors (sentry's {@code ca.crt}), required with TLS
 * @param trustDomain the control plane's trust domain
 * @param namespace the control plane's namespace
 * @param mode how placement proves its identity to sentry: standalone (its token file, else INSECURE) or kubernetes
 *     (service-account token)
 * @param sentryTokenFile standalone mode: the file of the JWT its supervisor keeps fresh, shown to sentry with the JWKS
 *     validator; null = no token (INSECURE), as upstream's standalone mode
 */
public record PlacementOptions(
    String id,
    String listenAddress,
    int port,
    int healthzPort,
    int metricsPort,
    Map<String, String> initialCluster,
    long replicationFactor,
    Duration disseminateTimeout,
    Duration disseminateCoalesceWindow,
    Duration keepaliveTime,
    Duration keepaliveTimeout,
    boolean metadataEnabled,
    boolean tlsEnabled,
    String sentryAddress,
    Path trustAnchorsFile,
    String trustDomain,
    String namespace,
    Mode mode,
    Path sentryTokenFile) {

  public enum Mode { STANDALONE, KUBERNETES }

  public static final String DEFAULT_ID = "dapr-placement-server-0";
  public static final int DEFAULT_PORT = 50005;
  public static final int DEFAULT_RAFT_PORT = 8201;
  public static final int DEFAULT_HEALTHZ_PORT = 8080;
  public static final int DEFAULT_METRICS_PORT = 9090;
  public static final String DEFAULT_INITIAL_CLUSTER = DEFAULT_ID + "=127.0.0.1:" + DEFAULT_RAFT_PORT;
  public static final long DEFAULT_REPLICATION_FACTOR = 100;
  public static final Duration DEFAULT_DISSEMINATE_TIMEOUT = Duration.ofSeconds(8);
  public static final Duration DEFAULT_DISSEMINATE_COALESCE_WINDOW = Duration.ZERO;
  public static final Duration DEFAULT_KEEPALIVE_TIME = Duration.ofSeconds(2);
  public static final Duration DEFAULT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(3);
  public static final String DEFAULT_SENTRY_ADDRESS = "localhost:50001";
  public static final String DEFAULT_TRUST_DOMAIN = io.daprx.common.spiffe.SpiffeId.CONTROL_PLANE_TRUST_DOMAIN;
  public static final String DEFAULT_NAMESPACE = "dapr-system";
  /** Where Kubernetes mounts the projected token placement shows sentry. */
  public static final Path KUBERNETES_TOKEN_FILE = io.daprx.common.svid.SentryToken.KUBERNETES_FILE;
  /** The app id in placement's SVID. */
  public static final String APP_ID = "dapr-placement";

  public PlacementOptions {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("--id is required, e.g. " + DEFAULT_ID);
    }
    initialCluster = Collections.unmodifiableMap(new LinkedHashMap<>(initialCluster));
    if (initialCluster.size() > 1 && !initialCluster.containsKey(id)) {
      throw new IllegalArgumentException("--id " + id + " is not one of the --initial-cluster ids " + initialCluster.keySet());
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("--replication-factor must be at least 1, got " + replicationFactor);
    }
    requirePositive(disseminateTimeout, "--disseminate-timeout", "8s");
    if (disseminateCoalesceWindow == null || disseminateCoalesceWindow.isNegative()) {
      throw new IllegalArgumentException(PlacementFlags.DISSEMINATE_COALESCE_WINDOW + " must be 0 (no coalescing) or positive,"
          + " e.g. 200ms, got " + disseminateCoalesceWindow);
    }
    requirePositive(keepaliveTime, "--keepalive-time", "2s");
    requirePositive(keepaliveTimeout, "--keepalive-timeout", "3s");
    SpiffeId.requireValidTrustDomain(trustDomain);
    SpiffeId.requireValidNamespace(namespace);
    mode = mode == null ? Mode.STANDALONE : mode;
  }

  private static void requirePositive(Duration d, String flag, String example) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(flag + " must be positive, e.g. " + example);
    }
  }

  /** Dapr's defaults: one replica, mTLS on (which then needs {@link #trustAnchorsFile()}). */
  public static PlacementOptions defaults() {
    return new PlacementOptions(DEFAULT_ID, "0.0.0.0", DEFAULT_PORT, DEFAULT_HEALTHZ_PORT, DEFAULT_METRICS_PORT,
        parseInitialCluster(DEFAULT_INITIAL_CLUSTER), DEFAULT_REPLICATION_FACTOR, DEFAULT_DISSEMINATE_TIMEOUT,
        DEFAULT_DISSEMINATE_COALESCE_WINDOW, DEFAULT_KEEPALIVE_TIME, DEFAULT_KEEPALIVE_TIMEOUT, false, true, DEFAULT_SENTRY_ADDRESS, null,
        DEFAULT_TRUST_DOMAIN, DEFAULT_NAMESPACE, Mode.STANDALONE, null);
  }

  /**
   * Parses {@code --initial-cluster}: {@code id=host:port,id=host:port}, ids unique, ports 1-65535.
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
        throw new IllegalArgumentException("invalid --initial-cluster entry '" + entry + "': use id=host:port, e.g. " + DEFAULT_INITIAL_CLUSTER);
      }
      String peerId = entry.substring(0, eq).trim();
      String address = entry.substring(eq + 1).trim();
      int colon = address.lastIndexOf(':');
      int port;
      try {
        port = colon <= 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("invalid --initial-cluster address '" + address + "' of " + peerId + ": use host:port");
      }
      if (peers.put(peerId, address) != null) {
        throw new IllegalArgumentException("--initial-cluster names " + peerId + " twice");
      }
    }
    return peers;
  }

  public static Mode parseMode(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "standalone" -> Mode.STANDALONE;
      case "kubernetes" -> Mode.KUBERNETES;
      default -> throw new IllegalArgumentException("invalid --mode '" + text + "': use standalone or kubernetes");
    };
  }

  /**
   * The leadership for these options: {@link SingleNodeLeadership} when {@code --initial-cluster} names at most one
   * replica, else what {@code replicated} makes of them (the Ratis election).
   */
  public Leadership leadership(java.util.function.Function<PlacementOptions, Leadership> replicated) {
    return initialCluster.size() <= 1 ? new SingleNodeLeadership() : replicated.apply(this);
  }

  /** Placement's own identity: {@code spiffe://<trust domain>/ns/<namespace>/dapr-placement}. */
  public SpiffeId spiffeId() {
    return SpiffeId.of(trustDomain, namespace, APP_ID);
  }

  /** The identity sentry presents. */
  public SpiffeId sentryId() {
    return SpiffeId.of(trustDomain, namespace, "dapr-sentry");
  }

  public PlacementOptions withPorts(int port, int healthzPort, int metricsPort) {
    return new PlacementOptions(id, listenAddress, port, healthzPort, metricsPort, initialCluster, replicationFactor,
        disseminateTimeout, disseminateCoalesceWindow, keepaliveTime, keepaliveTimeout, metadataEnabled, tlsEnabled, sentryAddress, trustAnchorsFile,
        trustDomain, namespace, mode, sentryTokenFile);
  }

  public PlacementOptions withListenAddress(String address) {
    return new PlacementOptions(id, address, port, healthzPort, metricsPort, initialCluster, replicationFactor,
        disseminateTimeout, disseminateCoalesceWindow, keepaliveTime, keepaliveTimeout, metadataEnabled, tlsEnabled, sentryAddress, trustAnchorsFile,
        trustDomain, namespace, mode, sentryTokenFile);
  }

  /** TLS off, or on with sentry's address and the trust anchors file. */
  public PlacementOptions withTls(boolean enabled, String sentry, Path anchors) {
    return new PlacementOptions(id, listenAddress, port, healthzPort, metricsPort, initialCluster, replicationFactor,
        disseminateTimeout, disseminateCoalesceWindow, keepaliveTime, keepaliveTimeout, metadataEnabled, enabled, sentry, anchors, trustDomain,
        namespace, mode, sentryTokenFile);
  }

  public PlacementOptions withDisseminateTimeout(Duration timeout) {
    return new PlacementOptions(id, listenAddress, port, healthzPort, metricsPort, initialCluster, replicationFactor,
        timeout, disseminateCoalesceWindow, keepaliveTime, keepaliveTimeout, metadataEnabled, tlsEnabled, sentryAddress, trustAnchorsFile, trustDomain,
        namespace, mode, sentryTokenFile);
  }

  public PlacementOptions withDisseminateCoalesceWindow(Duration window) {
    return new PlacementOptions(id, listenAddress, port, healthzPort, metricsPort, initialCluster, replicationFactor,
        disseminateTimeout, window, keepaliveTime, keepaliveTimeout, metadataEnabled, tlsEnabled, sentryAddress,
        trustAnchorsFile, trustDomain, namespace, mode, sentryTokenFile);
  }

  public PlacementOptions withMetadataEnabled(boolean enabled) {
    return new PlacementOptions(id, listenAddress, port, healthzPort, metricsPort, initialCluster, replicationFactor,
        disseminateTimeout, disseminateCoalesceWindow, keepaliveTime, keepaliveTimeout, enabled, tlsEnabled, sentryAddress, trustAnchorsFile, trustDomain,
        namespace, mode, sentryTokenFile);
  }

  public PlacementOptions withReplicationFactor(long factor) {
    return new PlacementOptions(id, listenAddress, port, healthzPort, metricsPort, initialCluster, factor,
        disseminateTimeout, disseminateCoalesceWindow, keepaliveTime, keepaliveTimeout, metadataEnabled, tlsEnabled, sentryAddress, trustAnchorsFile,
        trustDomain, namespace, mode, sentryTokenFile);
  }

  public PlacementOptions withCluster(String replicaId, Map<String, String> peers) {
    return new PlacementOptions(replicaId, listenAddress, port, healthzPort, metricsPort, peers, replicationFactor,
        disseminateTimeout, disseminateCoalesceWindow, keepaliveTime, keepaliveTimeout, metadataEnabled, tlsEnabled, sentryAddress, trustAnchorsFile,
        trustDomain, namespace, mode, sentryTokenFile);
  }

  /** The JWT file shown to sentry in standalone mode (null: no token). */
  public PlacementOptions withSentryTokenFile(Path token) {
    return new PlacementOptions(id, listenAddress, port, healthzPort, metricsPort, initialCluster, replicationFactor,
        disseminateTimeout, disseminateCoalesceWindow, keepaliveTime, keepaliveTimeout, metadataEnabled, tlsEnabled, sentryAddress, trustAnchorsFile,
        trustDomain, namespace, mode, token);
  }
}
