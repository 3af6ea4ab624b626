package io.daprx.operator;

import io.daprx.common.spiffe.SpiffeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Every setting of the operator, typed, with its default (see {@link #defaults()}).
 *
 * @param id this replica's name in the leader Lease (Kubernetes: the pod name)
 * @param metricsPort -1 disables the metrics endpoint
 * @param tlsEnabled mTLS with sidecars (an SVID from sentry); false only for explicit insecure local use, and then
 *     callers are anonymous: the requested namespace is served without scoped resources and without secret values
 * @param sentryAddress sentry's gRPC address, for the operator's own SVID
 * @param trustAnchorsFile PEM trust anchors (sentry's {@code ca.crt}), required with TLS
 * @param trustDomain the control plane's trust domain
 * @param namespace the control plane's namespace (the SVID's namespace and the Lease's)
 * @param mode standalone: resources from {@code resourcesPath}, the token file's JWT (else none) to sentry; kubernetes: the
 *     dapr.io CRDs, the Service controller on the leader, a service-account token to sentry
 * @param resourcesPath standalone: the directory of resource YAML files
 * @param resourcesPollInterval standalone: how often the directory is re-read when no change was signalled
 * @param streamQueueLimit events an update stream may have queued before it is closed as too far behind
 * @param leaseDuration kubernetes: how long the leader's Lease lasts without renewal
 * @param sentryTokenFile the token the operator shows sentry: its service-account token in kubernetes mode (KUBERNETES
 *     validator), the JWT its supervisor keeps fresh in standalone mode (JWKS validator); null = none (INSECURE validator)
 */
public record OperatorOptions(
    String id,
    String listenAddress,
    int port,
    int healthzPort,
    int metricsPort,
    boolean tlsEnabled,
    String sentryAddress,
    Path trustAnchorsFile,
    String trustDomain,
    String namespace,
    Mode mode,
    Path resourcesPath,
    Duration resourcesPollInterval,
    int streamQueueLimit,
    Duration leaseDuration,
    Path sentryTokenFile) {

  public enum Mode { STANDALONE, KUBERNETES }

  public static final int DEFAULT_PORT = 6500;
  public static final int DEFAULT_HEALTHZ_PORT = 8080;
  public static final int DEFAULT_METRICS_PORT = 9090;
  public static final String DEFAULT_SENTRY_ADDRESS = "localhost:50001";
  public static final String DEFAULT_TRUST_DOMAIN = io.daprx.common.spiffe.SpiffeId.CONTROL_PLANE_TRUST_DOMAIN;
  public static final String DEFAULT_NAMESPACE = "dapr-system";
  public static final Duration DEFAULT_RESOURCES_POLL_INTERVAL = Duration.ofSeconds(2);
  public static final int DEFAULT_STREAM_QUEUE_LIMIT = 1000;
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
  /** Where Kubernetes mounts the projected token the operator shows sentry. */
  public static final Path KUBERNETES_TOKEN_FILE = io.daprx.common.svid.SentryToken.KUBERNETES_FILE;
  /** The app id in the operator's SVID; daprd requires it of the server. */
  public static final String APP_ID = "dapr-operator";

  public OperatorOptions {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("--id is required (the replica's name, e.g. the pod name)");
    }
    SpiffeId.requireValidTrustDomain(trustDomain);
    SpiffeId.requireValidNamespace(namespace);
    mode = mode == null ? Mode.STANDALONE : mode;
    if (mode == Mode.STANDALONE && resourcesPath == null) {
      throw new IllegalArgumentException("--resources-path is required in standalone mode (the directory of resource YAML files)");
    }
    if (resourcesPollInterval == null || resourcesPollInterval.isNegative() || resourcesPollInterval.isZero()) {
      throw new IllegalArgumentException("--resources-poll-interval must be positive, e.g. 2s");
    }
    if (streamQueueLimit < 1) {
      throw new IllegalArgumentException("--stream-queue-limit must be at least 1, got " + streamQueueLimit);
    }
    if (leaseDuration == null || leaseDuration.compareTo(Duration.ofSeconds(3)) < 0) {
      throw new IllegalArgumentException("--lease-duration must be at least 3s, e.g. 15s");
    }
  }

  /** Standalone over {@code resourcesPath} with Dapr's ports and mTLS on (which then needs {@link #trustAnchorsFile()}). */
  public static OperatorOptions standalone(Path resourcesPath) {
    return new OperatorOptions(defaultId(), "0.0.0.0", DEFAULT_PORT, DEFAULT_HEALTHZ_PORT, DEFAULT_METRICS_PORT, true,
        DEFAULT_SENTRY_ADDRESS, null, DEFAULT_TRUST_DOMAIN, DEFAULT_NAMESPACE, Mode.STANDALONE, resourcesPath,
        DEFAULT_RESOURCES_POLL_INTERVAL, DEFAULT_STREAM_QUEUE_LIMIT, DEFAULT_LEASE_DURATION, null);
  }

  /** Kubernetes mode with Dapr's ports and mTLS on. */
  public static OperatorOptions kubernetes() {
    return new OperatorOptions(defaultId(), "0.0.0.0", DEFAULT_PORT, DEFAULT_HEALTHZ_PORT, DEFAULT_METRICS_PORT, true,
        DEFAULT_SENTRY_ADDRESS, null, DEFAULT_TRUST_DOMAIN, DEFAULT_NAMESPACE, Mode.KUBERNETES, null,
        DEFAULT_RESOURCES_POLL_INTERVAL, DEFAULT_STREAM_QUEUE_LIMIT, DEFAULT_LEASE_DURATION, KUBERNETES_TOKEN_FILE);
  }

  /** The host name (in Kubernetes, the pod name), else {@code dapr-operator}. */
  public static String defaultId() {
    String host = System.getenv("HOSTNAME");
    return host == null || host.isBlank() ? "dapr-operator" : host;
  }

  public static Mode parseMode(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "standalone" -> Mode.STANDALONE;
      case "kubernetes" -> Mode.KUBERNETES;
      default -> throw new IllegalArgumentException("invalid --mode '" + text + "': use standalone or kubernetes");
    };
  }

  /** The operator's identity: {@code spiffe://<trust domain>/ns/<namespace>/dapr-operator}. */
  public SpiffeId spiffeId() {
    return SpiffeId.of(trustDomain, namespace, APP_ID);
  }

  /** The identity sentry presents. */
  public SpiffeId sentryId() {
    return SpiffeId.of(trustDomain, namespace, "dapr-sentry");
  }

  public OperatorOptions withPorts(int grpc, int healthz, int metrics) {
    return new OperatorOptions(id, listenAddress, grpc, healthz, metrics, tlsEnabled, sentryAddress, trustAnchorsFile,
        trustDomain, namespace, mode, resourcesPath, resourcesPollInterval, streamQueueLimit, leaseDuration, sentryTokenFile);
  }

  public OperatorOptions withListenAddress(String address) {
    return new OperatorOptions(id, address, port, healthzPort, metricsPort, tlsEnabled, sentryAddress, trustAnchorsFile,
        trustDomain, namespace, mode, resourcesPath, resourcesPollInterval, streamQueueLimit, leaseDuration, sentryTokenFile);
  }

  /** TLS off, or on with sentry's address and the trust anchors file. */
  public OperatorOptions withTls(boolean enabled, String sentry, Path anchors) {
    return new OperatorOptions(id, listenAddress, port, healthzPort, metricsPort, enabled, sentry, anchors, trustDomain,
        namespace, mode, resourcesPath, resourcesPollInterval, streamQueueLimit, leaseDuration, sentryTokenFile);
  }

  public OperatorOptions withId(String replicaId) {
    return new OperatorOptions(replicaId, listenAddress, port, healthzPort, metricsPort, tlsEnabled, sentryAddress,
        trustAnchorsFile, trustDomain, namespace, mode, resourcesPath, resourcesPollInterval, streamQueueLimit, leaseDuration, sentryTokenFile);
  }

  public OperatorOptions withStreamQueueLimit(int limit) {
    return new OperatorOptions(id, listenAddress, port, healthzPort, metricsPort, tlsEnabled, sentryAddress,
        trustAnchorsFile, trustDomain, namespace, mode, resourcesPath, resourcesPollInterval, limit, leaseDuration, sentryTokenFile);
  }

  public OperatorOptions withResourcesPollInterval(Duration interval) {
    return new OperatorOptions(id, listenAddress, port, healthzPort, metricsPort, tlsEnabled, sentryAddress,
        trustAnchorsFile, trustDomain, namespace, mode, resourcesPath, interval, streamQueueLimit, leaseDuration, sentryTokenFile);
  }

  /** The token file shown to sentry; null = no token (the INSECURE validator). */
  public OperatorOptions withSentryTokenFile(Path token) {
    return new OperatorOptions(id, listenAddress, port, healthzPort, metricsPort, tlsEnabled, sentryAddress,
        trustAnchorsFile, trustDomain, namespace, mode, resourcesPath, resourcesPollInterval, streamQueueLimit, leaseDuration, token);
  }

  public OperatorOptions withLeaseDuration(Duration lease) {
    return new OperatorOptions(id, listenAddress, port, healthzPort, metricsPort, tlsEnabled, sentryAddress,
        trustAnchorsFile, trustDomain, namespace, mode, resourcesPath, resourcesPollInterval, streamQueueLimit, lease, sentryTokenFile);
  }
}
