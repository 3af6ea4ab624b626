package io.daprx.manager;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every setting of the management server, typed, with its default (see {@link #defaults}).
 *
 * @param home state directory: database (SQLite), token, key file, clusters
 * @param storeUrl JDBC URL; null = SQLite file {@code home/daprx.db}
 * @param featureDelay how long a feature stays {@code Registering}
 * @param providerDelay how long a provider stays {@code Registering}
 * @param portRangeStart first loopback port of the blocks local clusters get
 * @param reconcileTimeout how long an install may take to become ready before it is Failed
 * @param componentLauncher the command that runs {@code daprx <component>} (java, flags, -jar, the jar)
 * @param catalog the release catalog: a file or http(s) URL; null = the one built in
 * @param autoUpgradeInterval how often extensions with auto-upgrade on are checked against the catalog
 * @param autoUpgradeRetry how long a version whose auto-upgrade was rolled back is left alone before it is tried again
 * @param allowKubeconfigExec whether {@code connectedk8s connect} accepts kubeconfigs that run a command (exec plugin,
 *     auth provider) or read files on this server; off by default
 * @param classArchiveDir where local components' class-data archives are kept ({@link
 *     io.daprx.manager.deploy.ClassArchives}); null = none, every component JVM loads its classes from the jar
 */
public record ServerOptions(
    Path home,
    String listenAddress,
    int port,
    String storeUrl,
    String storeUser,
    String storePassword,
    Duration featureDelay,
    Duration providerDelay,
    int portRangeStart,
    Duration reconcileTimeout,
    List<String> componentLauncher,
    String catalog,
    Duration autoUpgradeInterval,
    Duration autoUpgradeRetry,
    boolean allowKubeconfigExec,
    Path classArchiveDir) {

  public static final String DEFAULT_LISTEN_ADDRESS = "127.0.0.1";
  public static final Duration DEFAULT_FEATURE_DELAY = Duration.ofSeconds(10);
  public static final Duration DEFAULT_PROVIDER_DELAY = Duration.ofSeconds(5);
  public static final int DEFAULT_PORT_RANGE_START = 20000;
  /**
   * A change rolls 16 replicas one after the other in HA (the scheduler's three included); on a busy 2-core machine that
   * took over three minutes.
   */
  public static final Duration DEFAULT_RECONCILE_TIMEOUT = Duration.ofMinutes(4);
  public static final Duration DEFAULT_AUTO_UPGRADE_INTERVAL = Duration.ofMinutes(10);
  public static final Duration DEFAULT_AUTO_UPGRADE_RETRY = Duration.ofHours(6);

  public ServerOptions {
    componentLauncher = List.copyOf(componentLauncher);
  }

  /** With kubeconfigs refused when they reach beyond their text (the default). */
  public ServerOptions(Path home, String listenAddress, int port, String storeUrl, String storeUser, String storePassword,
      Duration featureDelay, Duration providerDelay, int portRangeStart, Duration reconcileTimeout, List<String> componentLauncher,
      String catalog, Duration autoUpgradeInterval, Duration autoUpgradeRetry) {
    this(home, listenAddress, port, storeUrl, storeUser, storePassword, featureDelay, providerDelay, portRangeStart, reconcileTimeout,
        componentLauncher, catalog, autoUpgradeInterval, autoUpgradeRetry, false, home.resolve("cds"));
  }

  public ServerOptions withAllowKubeconfigExec(boolean allow) {
    return new ServerOptions(home, listenAddress, port, storeUrl, storeUser, storePassword, featureDelay, providerDelay,
        portRangeStart, reconcileTimeout, componentLauncher, catalog, autoUpgradeInterval, autoUpgradeRetry, allow, classArchiveDir);
  }

  /** With the class-data archives kept in {@code dir}, or none when it is null. */
  public ServerOptions withClassArchiveDir(Path dir) {
    return new ServerOptions(home, listenAddress, port, storeUrl, storeUser, storePassword, featureDelay, providerDelay,
        portRangeStart, reconcileTimeout, componentLauncher, catalog, autoUpgradeInterval, autoUpgradeRetry, allowKubeconfigExec, dir);
  }

  public static ServerOptions defaults(Path home, List<String> componentLauncher) {
    return new ServerOptions(home, DEFAULT_LISTEN_ADDRESS, 0, null, null, null, DEFAULT_FEATURE_DELAY, DEFAULT_PROVIDER_DELAY,
        DEFAULT_PORT_RANGE_START, DEFAULT_RECONCILE_TIMEOUT, componentLauncher, null, DEFAULT_AUTO_UPGRADE_INTERVAL,
        DEFAULT_AUTO_UPGRADE_RETRY);
  }

  public String effectiveStoreUrl() {
    return storeUrl != null ? storeUrl : "jdbc:sqlite:" + sqliteFile();
  }

  /** The embedded store's file, used when no {@code storeUrl} is given. */
  public Path sqliteFile() {
    return home.resolve("daprx.db");
  }

  public Path tokenFile() {
    return home.resolve("token");
  }

  /**
   * A second bearer token that the API accepts for GET and HEAD only: what a local cluster's dashboard reads the server
   * with, so a component process never holds the admin token.
   */
  public Path readerTokenFile() {
    return home.resolve("reader-token");
  }

  public Path keyFile() {
    return home.resolve("secret.key");
  }

  /** Where a running server says how to reach it (address, pid), for the CLI. */
  public Path serverFile() {
    return home.resolve("server.json");
  }

  /** Where local clusters' daprx versions are installed side by side. */
  public Path versionsDir() {
    return home.resolve("versions");
  }

  public Path clustersDir() {
    return home.resolve("clusters");
  }

  public Path supervisorDir() {
    return home.resolve("run");
  }

  public Path logFile() {
    return home.resolve("server.log");
  }
}
