package io.daprx.dashboard;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Every setting of the dashboard, typed, with its default.
 *
 * @param port HTTP port of the pages, {@code /api/...}, {@code /healthz} and {@code /metrics}
 * @param mode where the cluster is read from: the management server (local) or the Kubernetes API server
 * @param namespace the control plane's namespace
 * @param managerUrl local mode: the management server's base URL (or {@code managerServerFile})
 * @param managerServerFile local mode: the server's {@code server.json}, read again when needed, so a restarted server on
 *     another port is found
 * @param managerTokenFile local mode: the server's read-only token
 * @param clusterId local mode: the cluster's ARM id, {@code /subscriptions/…/managedClusters/NAME}
 * @param componentHealthzPort kubernetes mode: the components' healthz port (placement's state is served there)
 * @param componentMetricsPort kubernetes mode: the components' metrics port (sentry's issuer expiry is a gauge there)
 * @param replicationFactor placement's {@code --replication-factor}, for actor lookups
 * @param caWarning how long before expiry a certificate is shown as a warning
 * @param requestTimeout for every request the dashboard makes
 * @param allowedHosts names besides localhost, 127.0.0.1, [::1] and the listen address that a request's {@code Host} may
 *     carry (how users reach it: an ingress name, a port-forward); any other Host is refused, against DNS rebinding
 */
public record DashboardOptions(
    String listenAddress,
    int port,
    Mode mode,
    String namespace,
    URI managerUrl,
    Path managerServerFile,
    Path managerTokenFile,
    String clusterId,
    int componentHealthzPort,
    int componentMetricsPort,
    long replicationFactor,
    Duration caWarning,
    Duration requestTimeout,
    List<String> allowedHosts) {

  public enum Mode { LOCAL, KUBERNETES }

  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_NAMESPACE = "dapr-system";
  public static final int DEFAULT_COMPONENT_HEALTHZ_PORT = 8080;
  public static final int DEFAULT_COMPONENT_METRICS_PORT = 9090;
  public static final long DEFAULT_REPLICATION_FACTOR = 100;
  public static final Duration DEFAULT_CA_WARNING = Duration.ofDays(30);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(3);

  public DashboardOptions {
    mode = mode == null ? Mode.KUBERNETES : mode;
    namespace = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
    caWarning = caWarning == null ? DEFAULT_CA_WARNING : caWarning;
    requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
    if (mode == Mode.LOCAL) {
      if ((managerUrl == null) == (managerServerFile == null)) {
        throw new IllegalArgumentException("--mode local reads the management server: give --manager-url or --manager-server-file (one of them)");
      }
      if (managerTokenFile == null || clusterId == null || clusterId.isBlank()) {
        throw new IllegalArgumentException("--mode local needs --manager-token-file (the server's read-only token) and --cluster-id"
            + " (/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/NAME)");
      }
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("--replication-factor must be at least 1");
    }
  }

  /** Kubernetes mode with every default. */
  public static DashboardOptions defaults() {
    return new DashboardOptions("0.0.0.0", DEFAULT_PORT, Mode.KUBERNETES, DEFAULT_NAMESPACE, null, null, null, null,
        DEFAULT_COMPONENT_HEALTHZ_PORT, DEFAULT_COMPONENT_METRICS_PORT, DEFAULT_REPLICATION_FACTOR, DEFAULT_CA_WARNING,
        DEFAULT_REQUEST_TIMEOUT, List.of());
  }

  public static Mode parseMode(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "local" -> Mode.LOCAL;
      case "kubernetes" -> Mode.KUBERNETES;
      default -> throw new IllegalArgumentException("invalid --mode '" + text + "': use local or kubernetes");
    };
  }

  public DashboardOptions withPort(String address, int p) {
    return new DashboardOptions(address, p, mode, namespace, managerUrl, managerServerFile, managerTokenFile, clusterId,
        componentHealthzPort, componentMetricsPort, replicationFactor, caWarning, requestTimeout, allowedHosts);
  }

  public DashboardOptions withAllowedHosts(List<String> hosts) {
    return new DashboardOptions(listenAddress, port, mode, namespace, managerUrl, managerServerFile, managerTokenFile, clusterId,
        componentHealthzPort, componentMetricsPort, replicationFactor, caWarning, requestTimeout, hosts);
  }
}
