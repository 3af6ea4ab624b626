package io.daprx.cli;

import io.daprx.common.runtime.ComponentFlags;
import io.daprx.dashboard.DashboardFlags;
import io.daprx.dashboard.Dashboard;
import io.daprx.dashboard.DashboardOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code daprx dashboard serve}: the dashboard component itself, the read-only web UI of a cluster's control plane, apps
 * and Dapr resources, and its JSON API; what local installs and the Kubernetes manifests run. A user's plain
 * {@code daprx dashboard} opens the running one instead ({@code commands.DashboardCommand}), as {@code dapr dashboard -k}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run the dashboard component (what an install runs): the control plane, placement, apps, Dapr resources and",
        "the extension in a browser, and the same data as JSON under /api. Read-only; secret values are never shown.",
        "To open the current cluster's running dashboard, use 'daprx dashboard'."})
public final class DashboardServeCommand implements Callable<Integer> {

  @Option(names = ComponentFlags.PORT, defaultValue = "" + DashboardOptions.DEFAULT_PORT,
      description = "HTTP port of the pages, /api, /healthz and /metrics (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = ComponentFlags.LISTEN_ADDRESS, defaultValue = "0.0.0.0", description = "address to listen on (default: ${DEFAULT-VALUE})")
  String listenAddress;

  @Option(names = ComponentFlags.MODE, defaultValue = "kubernetes", converter = ModeConverter.class,
      description = "kubernetes (read the API server, in-cluster or $KUBECONFIG) or local (read a local cluster through the"
          + " management server) (default: ${DEFAULT-VALUE})")
  DashboardOptions.Mode mode;

  @Option(names = ComponentFlags.NAMESPACE, defaultValue = "${env:NAMESPACE:-" + DashboardOptions.DEFAULT_NAMESPACE + "}",
      description = "namespace of the control plane; env NAMESPACE is honoured (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = "--manager-url", paramLabel = "URL", description = "local mode: the management server, e.g. http://127.0.0.1:PORT")
  URI managerUrl;

  @Option(names = DashboardFlags.MANAGER_SERVER_FILE, paramLabel = "FILE",
      description = "local mode: the server's server.json, read again when needed (a restarted server is found on its new port)")
  Path managerServerFile;

  @Option(names = DashboardFlags.MANAGER_TOKEN_FILE, paramLabel = "FILE", description = "local mode: the server's read-only token (reader-token)")
  Path managerTokenFile;

  @Option(names = DashboardFlags.CLUSTER_ID, paramLabel = "ID",
      description = "local mode: /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/NAME")
  String clusterId;

  @Option(names = "--replication-factor", defaultValue = "" + DashboardOptions.DEFAULT_REPLICATION_FACTOR,
      description = "placement's --replication-factor, for actor lookups (default: ${DEFAULT-VALUE})")
  long replicationFactor;

  @Option(names = "--ca-expiry-warning", defaultValue = "720h",
      description = "certificates expiring sooner are shown as a warning (default: ${DEFAULT-VALUE})")
  Duration caExpiryWarning;

  @Option(names = DashboardFlags.ALLOWED_HOST, paramLabel = "NAME", split = ",",
      description = "a name users reach the dashboard by (an ingress, a DNS name), besides localhost, 127.0.0.1, [::1] and the"
          + " listen address; requests naming any other Host are refused (421), against DNS rebinding. Repeatable")
  java.util.List<String> allowedHosts = new java.util.ArrayList<>();

  @Mixin
  LogOptions log;

  @Override
  public Integer call() throws InterruptedException {
    log.configure();
    DashboardOptions options = new DashboardOptions(listenAddress, port, mode, namespace, managerUrl, managerServerFile, managerTokenFile,
        clusterId, DashboardOptions.DEFAULT_COMPONENT_HEALTHZ_PORT, DashboardOptions.DEFAULT_COMPONENT_METRICS_PORT, replicationFactor,
        caExpiryWarning, DashboardOptions.DEFAULT_REQUEST_TIMEOUT, allowedHosts);
    Dashboard dashboard = new Dashboard(options, Clock.systemUTC()).start();
    return SentryCommand.runUntilStopped(dashboard);
  }

  static final class ModeConverter implements picocli.CommandLine.ITypeConverter<DashboardOptions.Mode> {
    @Override
    public DashboardOptions.Mode convert(String value) {
      return Main.conversion(() -> DashboardOptions.parseMode(value));
    }
  }
}
