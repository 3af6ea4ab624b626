package io.daprx.cli;

import io.daprx.cli.client.ApiClient;
import io.daprx.cli.client.ClientHome;
import io.daprx.cli.client.Connection;
import io.daprx.manager.ManagerServer;
import io.daprx.manager.ServerOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code daprx server}: the management server in the foreground, and {@code start/stop/status} of the local one. */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run the management server in the foreground.",
        "The CLI starts a local one by itself when DAPRX_ENDPOINT is not set; 'server stop' stops it and every local cluster process."},
    subcommands = {ServerCommand.Start.class, ServerCommand.Stop.class, ServerCommand.Status.class})
final class ServerCommand implements Callable<Integer> {

  @Option(names = "--home", defaultValue = "${env:DAPRX_HOME:-${sys:user.home}/.daprx}", description = "state directory (default: ${DEFAULT-VALUE})")
  Path home;

  @Option(names = "--listen-address", defaultValue = ServerOptions.DEFAULT_LISTEN_ADDRESS, description = "(default: ${DEFAULT-VALUE}; anything else exposes the API beyond this machine)")
  String listenAddress;

  @Option(names = "--port", defaultValue = "0", description = "HTTP port; 0 picks a free one and records it in the state directory")
  int port;

  @Option(names = "--store-url", defaultValue = "${env:DAPRX_STORE_URL}", description = "JDBC URL of the store (default: SQLite file in the state directory; env DAPRX_STORE_URL)")
  String storeUrl;

  @Option(names = "--store-user", defaultValue = "${env:DAPRX_STORE_USER}", description = "store user (env DAPRX_STORE_USER)")
  String storeUser;

  @Option(names = "--feature-registration-delay", defaultValue = "${env:DAPRX_FEATURE_DELAY:-10s}", description = "time a feature stays Registering (default: ${DEFAULT-VALUE})")
  Duration featureDelay;

  @Option(names = "--provider-registration-delay", defaultValue = "${env:DAPRX_PROVIDER_DELAY:-5s}", description = "time a provider stays Registering (default: ${DEFAULT-VALUE})")
  Duration providerDelay;

  @Option(names = "--port-range-start", defaultValue = "${env:DAPRX_PORT_RANGE_START:-" + ServerOptions.DEFAULT_PORT_RANGE_START + "}",
      description = "first loopback port given to local clusters (default: ${DEFAULT-VALUE})")
  int portRangeStart;

  @Option(names = "--catalog", defaultValue = "${env:DAPRX_CATALOG}", paramLabel = "FILE|URL",
      description = "release catalog: a JSON file or http(s) URL, read again as it changes (default: the built-in one; env DAPRX_CATALOG)")
  String catalog;

  @Option(names = "--auto-upgrade-interval", defaultValue = "${env:DAPRX_AUTO_UPGRADE_INTERVAL:-10m}",
      description = "how often extensions with auto-upgrade on are checked for a newer version (default: ${DEFAULT-VALUE})")
  Duration autoUpgradeInterval;

  @Option(names = "--auto-upgrade-retry", defaultValue = "${env:DAPRX_AUTO_UPGRADE_RETRY:-6h}",
      description = "how long a version whose auto-upgrade was rolled back is left alone (default: ${DEFAULT-VALUE})")
  Duration autoUpgradeRetry;

  @Option(names = "--reconcile-timeout", defaultValue = "${env:DAPRX_RECONCILE_TIMEOUT:-4m}", description = "how long an install may take to become ready (default: ${DEFAULT-VALUE})")
  Duration reconcileTimeout;

  @Option(names = io.daprx.manager.engine.ConnectedClusters.ALLOW_FLAG, defaultValue = "${env:DAPRX_ALLOW_KUBECONFIG_EXEC:-false}",
      description = "accept kubeconfigs whose credentials run a command (exec plugin, auth-provider) or read files (tokenFile,"
          + " client-certificate, client-key, certificate-authority paths) on this machine; off: only inline credentials"
          + " (env DAPRX_ALLOW_KUBECONFIG_EXEC)")
  boolean allowKubeconfigExec;

  @Option(names = "--class-archive-dir", defaultValue = "${env:DAPRX_CLASS_ARCHIVE_DIR}", paramLabel = "DIR|off",
      description = "where local control-plane processes' class-data archives are kept, made on first use so that later"
          + " starts take about 60% of the CPU, and the native libraries they all load from one copy (default: cds in the"
          + " state directory; 'off', or env DAPRX_NO_CDS set: none; env DAPRX_CLASS_ARCHIVE_DIR)")
  String classArchiveDir;

  @Mixin
  LogOptions log;

  @Override
  public Integer call() throws InterruptedException {
    log.configure();
    // the store password is read from the environment only, so it never shows in a process list
    ServerOptions options = new ServerOptions(home, listenAddress, port, blankToNull(storeUrl), blankToNull(storeUser),
        blankToNull(System.getenv("DAPRX_STORE_PASSWORD")), featureDelay, providerDelay, portRangeStart, reconcileTimeout,
        Launcher.command(List.of()) /* each component's own options are added per process */, blankToNull(catalog), autoUpgradeInterval, autoUpgradeRetry)
        .withAllowKubeconfigExec(allowKubeconfigExec)
        .withClassArchiveDir(io.daprx.manager.deploy.ClassArchives.directory(classArchiveDir, home));
    ManagerServer server = new ManagerServer(options, Clock.systemUTC()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
    server.awaitStop();
    return 0;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the local management server in the background (if it is not running).")
  static final class Start implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      ClientHome home = ClientHome.fromEnvironment(System.getenv());
      PrintWriter err = spec.commandLine().getErr();
      ApiClient c = Connection.connect(home, Map.of(), m -> { }, err::println);
      spec.commandLine().getOut().println("Management server running at " + c.base());
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the local management server and every local cluster process it supervises.")
  static final class Stop implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--keep-clusters", description = "leave the local cluster processes running (the next server adopts them)")
    boolean keepClusters;

    @Override
    public Integer call() throws InterruptedException {
      ClientHome home = ClientHome.fromEnvironment(System.getenv());
      ApiClient c = Connection.running(home, m -> { });
      if (c == null) {
        spec.commandLine().getOut().println("The local management server is not running.");
        return 0;
      }
      long pid = home.serverInfo().path("pid").asLong();
      try {
        c.send("POST", "daprx/shutdown?stopClusters=" + !keepClusters, null, Map.of());
      } catch (IllegalStateException e) {
        // a server already stopping (its port closed, its processes still being stopped) is waited for like this one
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          spec.commandLine().getErr().println("The management server (pid " + pid + ") is already stopping; waiting for it.");
        } else {
          throw e;
        }
      }
      ProcessHandle.of(pid).ifPresent(h -> {
        try {
          h.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException("the management server (pid " + pid + ") did not stop within 60 s");
        }
      });
      spec.commandLine().getOut().println("Stopped the local management server" + (keepClusters ? "." : " and its local clusters' processes."));
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Show whether the local management server runs, and where.")
  static final class Status implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      ClientHome home = ClientHome.fromEnvironment(System.getenv());
      ApiClient c = Connection.running(home, m -> { });
      PrintWriter out = spec.commandLine().getOut();
      if (c == null) {
        out.println("not running (state directory " + home.dir() + ")");
        return 3;
      }
      out.println(c.get("daprx/info").body().toPrettyString());
      return 0;
    }
  }

}
