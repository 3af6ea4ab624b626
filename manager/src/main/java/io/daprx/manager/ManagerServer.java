package io.daprx.manager;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.api.ManagementApi;
import io.daprx.manager.engine.Clusters;
import io.daprx.manager.engine.ConnectedClusters;
import io.daprx.manager.engine.Extensions;
import io.daprx.manager.engine.Json;
import io.daprx.manager.engine.LocalClusters;
import io.daprx.manager.engine.OperationRunner;
import io.daprx.manager.engine.Registrations;
import io.daprx.manager.engine.Versions;
import io.daprx.manager.local.Supervisor;
import io.daprx.manager.local.SupervisorSettings;
import io.daprx.manager.security.SecretBox;
import io.daprx.manager.store.JdbcStore;
import io.daprx.manager.deploy.KubernetesTarget;
import io.daprx.manager.deploy.LocalTarget;
import io.daprx.manager.deploy.Targets;
import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.CatalogSource;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.engine.AutoUpgrader;
import io.daprx.manager.deploy.ClassArchives;
import io.daprx.manager.deploy.Distributions;
import io.daprx.manager.kube.CrdSource;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management server component: options → constructor → {@link #start()} → {@link #close()}. It wires
 * the store, the services, the local target and the HTTP API, resumes interrupted operations and brings
 * running clusters back.
 */
public final class ManagerServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ManagerServer.class);
  // connecting a cluster asks its API server for /version; an unreachable one is stored Offline, not waited for
  private static final java.time.Duration CONNECT_PROBE_TIMEOUT = java.time.Duration.ofSeconds(3);
  /** How stale the catalog may be when a request reads it; the auto-upgrader reads it afresh at every tick. */
  private static final java.time.Duration CATALOG_MAX_AGE = java.time.Duration.ofSeconds(30);
  /** The shortest bearer token accepted: 256 bits, what the server generates. */
  static final int MIN_TOKEN_BYTES = 32;

  private final ServerOptions options;
  private final Clock clock;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private ServerHome home;
  private boolean wroteServerFile;
  private JdbcStore store;
  private Supervisor supervisor;
  private boolean closed;
  private ClassArchives archives;
  private LocalTarget target;
  private OperationRunner runner;
  private AutoUpgrader upgrader;
  private Javalin app;
  private volatile boolean stopClustersOnClose;
  private String subscription;
  private io.daprx.manager.engine.SchedulerLocator schedulerLocator;
  private io.daprx.manager.engine.SchedulerJobs schedulerJobs;

  /** The store setting holding the fingerprint of the key its protected settings are sealed with. */
  static final String SECRET_KEY_SETTING = "secret-key-fingerprint";

  public ManagerServer(ServerOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
  }

  /** Where clusters' schedulers are found (tests: one started beside); by default a local cluster's Service. */
  public ManagerServer withSchedulerLocator(io.daprx.manager.engine.SchedulerLocator locator) {
    this.schedulerLocator = locator;
    return this;
  }

  public ManagerServer start() {
    // before anything in the home is read or written: a refused second server must leave the running one's files alone
    home = ServerHome.claim(options.home());
    try {
      store = openStore();
      String subscription = store.settingIfAbsent("subscription", UUID.randomUUID().toString());
      String token = loadOrCreateToken(options.tokenFile());
      String readerToken = loadOrCreateToken(options.readerTokenFile());
      SecretBox secrets = openSecrets();
      archives = options.classArchiveDir() == null ? ClassArchives.off() : ClassArchives.in(options.classArchiveDir(), clock);
      supervisor = new Supervisor(options.supervisorDir(), clock, SupervisorSettings.defaults(), archives);
      CatalogSource catalog = new CatalogSource(options.catalog(), clock, CATALOG_MAX_AGE);
      Semver build = Semver.parse(Versions.CURRENT);
      target = new LocalTarget(supervisor, new Distributions(options.versionsDir(), options.componentLauncher(), build), clock,
          new io.daprx.manager.install.ManagerAccess(options.serverFile(), options.readerTokenFile()), archives);
      Registrations registrations = new Registrations(store, clock, options.featureDelay(), options.providerDelay(), subscription);
      Clusters clusters = new Clusters(store, subscription, options.clustersDir(), options.portRangeStart());
      ConnectedClusters connected = new ConnectedClusters(store, clusters, subscription, secrets, clock, CONNECT_PROBE_TIMEOUT,
          options.allowKubeconfigExec());
      // managedClusters run as local processes, connectedClusters on their Kubernetes API server
      KubernetesTarget kube = new KubernetesTarget(connected::client, () -> catalog.current().defaultVersion(Catalog.DEFAULT_TRAIN),
          CrdSource.classpath(ManagerServer.class.getClassLoader()), clock);
      Targets targets = new Targets(target, kube);
      AtomicReference<OperationRunner> runnerRef = new AtomicReference<>();
      Extensions extensions = new Extensions(store, registrations, secrets, id -> runnerRef.get().submit(id), catalog, build, clock,
          new io.daprx.manager.engine.ExtensionHealth(target::podsView, kube::workloads, clock));
      runner = new OperationRunner(store, extensions, targets, clock, options.reconcileTimeout());
      runnerRef.set(runner);
      LocalClusters local = new LocalClusters(store, clusters, extensions, runner, target, clock);
      ManagementApi api = new ManagementApi(subscription, token, readerToken, registrations, clusters, extensions, local,
          new io.daprx.manager.engine.ClusterResources(store, clock), connected, targets);
      schedulerJobs = new io.daprx.manager.engine.SchedulerJobs(
          schedulerLocator != null ? schedulerLocator : io.daprx.manager.engine.SchedulerLocator.local(local), clock);
      api.withScheduler(schedulerJobs);
      // kubectl sends its token only over TLS: the API answers TLS and plain HTTP on one port
      io.daprx.manager.api.ApiTls tls = io.daprx.manager.api.ApiTls.loadOrCreate(options.home().resolve("api-tls"), clock);
      api.withKubernetesApi(clock, local, tls);
      app = Javalin.create(cfg -> {
        cfg.showJavalinBanner = false;
        cfg.startupWatcherEnabled = false;
        cfg.router.caseInsensitiveRoutes = true;
        // threads, connections, read/write deadlines and a 1 MB body limit counted on the bytes read (chunked included)
        io.daprx.common.runtime.HttpLimits.api(1_000_000L).apply(cfg, "manager-http");
        cfg.jetty.addConnector((server, http) -> tls.connector(server, http, options.listenAddress(), options.port()));
        // clients without PATCH (Java's HttpURLConnection, some proxies) send POST with X-HTTP-Method-Override
        cfg.jetty.modifyServletContextHandler(h -> h.addFilter(new org.eclipse.jetty.servlet.FilterHolder(new MethodOverride()), "/*",
            java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST)));
      });
      api.install(app);
      app.get("/daprx/info", ctx -> ctx.json(info(subscription)));
      app.post("/daprx/shutdown", ctx -> {
        stopClustersOnClose = !"false".equalsIgnoreCase(ctx.queryParam("stopClusters"));
        ctx.status(202).json(Json.object().put("stopping", true));
        Thread t = new Thread(() -> {
          close();
          stopped.countDown();
        }, "shutdown");
        t.start();
      });
      app.start(options.listenAddress(), options.port());
      this.subscription = subscription;
      writeServerFile();
      int resumed = runner.resumeInterrupted();
      upgrader = new AutoUpgrader(store, extensions, catalog, clock, options.autoUpgradeInterval(), options.autoUpgradeRetry());
      upgrader.start();
      Thread restore = new Thread(local::restoreAll, "restore-clusters");
      restore.setDaemon(true);
      restore.start();
      LOG.info("management server {} listening on http://{}:{} (store {}, {} interrupted operation(s) resumed)", Versions.CURRENT,
          options.listenAddress(), app.port(), options.storeUrl() == null ? "sqlite" : "jdbc", resumed);
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  public int port() {
    return app.port();
  }

  public String url() {
    return "http://" + options.listenAddress() + ":" + port();
  }

  /** Blocks until a shutdown request has stopped the server. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  private ObjectNode info(String subscription) {
    ObjectNode o = Json.object();
    o.put("version", Versions.CURRENT);
    o.put("subscription", subscription);
    o.put("pid", ProcessHandle.current().pid());
    o.put("home", options.home().toString());
    return o;
  }

  private void writeServerFile() {
    ObjectNode o = Json.object();
    o.put("url", url());
    o.put("pid", ProcessHandle.current().pid());
    o.put("subscription", subscription);
    try {
      Path tmp = Files.createTempFile(options.home(), ".server", ".json");
      Files.writeString(tmp, Json.MAPPER.writeValueAsString(o));
      Files.move(tmp, options.serverFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      wroteServerFile = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + options.serverFile() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The store, after checking its SQLite file: a missing or empty one in a home where a server ran before would start a
   * new subscription over clusters that may still run, and a damaged one is a message saying what to do, not a trace.
   */
  private JdbcStore openStore() {
    Path db = options.storeUrl() == null ? options.sqliteFile() : null;
    if (db != null) {
      checkSqliteFile(db);
    }
    try {
      return JdbcStore.open(options.effectiveStoreUrl(), options.storeUser(), options.storePassword(), clock);
    } catch (RuntimeException e) {
      if (db == null) {
        throw e;
      }
      LOG.debug("opening the store {} failed", db, e);
      throw unreadableStore(db, StoreFiles.reason(e));
    }
  }

  private void checkSqliteFile(Path db) {
    try {
      long size = Files.exists(db) ? Files.size(db) : -1;
      if (size <= 0) {
        if (home.hasRunBefore()) {
          throw new IllegalStateException("the store " + db + " is " + (size < 0 ? "missing" : "empty") + ", but " + options.home()
              + " holds the state of an earlier server (its clusters' files, maybe still running processes): a new store would"
              + " give it a new subscription and orphan them. Either restore " + db + " from a backup, or, to start afresh,"
              + " stop what still runs and move " + options.home() + " aside.");
        }
        if (size < 0) {
          Files.createFile(db, ServerHome.OWNER_ONLY_FILE); // SQLite takes an empty file as a new database, and keeps its mode
        }
        return;
      }
      if (!StoreFiles.isSqlite(db)) {
        throw unreadableStore(db, "it is not a SQLite database");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the store " + db + ": " + e.getMessage(), e);
    }
  }

  private IllegalStateException unreadableStore(Path db, String reason) {
    return new IllegalStateException("the store " + db + " cannot be read (" + reason + "): restore it from a backup, or, to start"
        + " afresh, stop what still runs and move " + options.home() + " aside.");
  }

  /**
   * The key that seals protected settings, checked against the one the store was sealed with (its fingerprint is recorded
   * there at first use). A lost or swapped key file is refused, and a key made just now for a store that had one is taken
   * back: otherwise every protected setting stored would silently become unreadable.
   */
  private SecretBox openSecrets() {
    Path keyFile = options.keyFile();
    boolean existed = Files.exists(keyFile);
    SecretBox box = SecretBox.open(keyFile);
    String recorded = store.settingIfAbsent(SECRET_KEY_SETTING, box.fingerprint());
    if (recorded.equals(box.fingerprint())) {
      return box;
    }
    if (!existed) {
      try {
        Files.deleteIfExists(keyFile);
      } catch (IOException e) {
        LOG.warn("cannot delete the key file {} made for a store that has one: {}", keyFile, e.getMessage());
      }
      throw new IllegalStateException("the key file " + keyFile + " is missing, and this store's protected settings were sealed"
          + " with it (" + recorded + "); restore it from a backup of the home. Without it those settings cannot be read;"
          + " no new key was made");
    }
    throw new IllegalStateException("the key file " + keyFile + " (" + box.fingerprint() + ") is not the one this store's"
        + " protected settings were sealed with (" + recorded + "); restore the right one from a backup of the home");
  }

  /**
   * The bearer token, created on first start in an owner-only file and kept across restarts. One shorter than
   * {@link #MIN_TOKEN_BYTES} is refused: an empty one would match an empty header, a short one a guess.
   */
  static String loadOrCreateToken(Path file) {
    try {
      if (!Files.exists(file)) {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        Path tmp = Files.createTempFile(file.getParent(), ".token", ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, Base64.getUrlEncoder().withoutPadding().encodeToString(b));
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
          Files.deleteIfExists(tmp);
        }
      }
      String token = Files.readString(file).trim();
      int bytes = token.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (bytes < MIN_TOKEN_BYTES) {
        throw new IllegalStateException("the token file " + file + " holds " + bytes + " bytes; a token must be at least "
            + MIN_TOKEN_BYTES + " bytes: delete it and the server makes a new one at start, or write one with"
            + " 'head -c 32 /dev/urandom | base64 > " + file + "' (mode 600)");
      }
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the token file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Stops the server; with a shutdown request that asked for it, every local cluster process too. */
  @Override
  public synchronized void close() {
    // once: a shutdown request closes the server, then the JVM's shutdown hook calls again as the process exits
    if (closed) {
      return;
    }
    closed = true;
    if (app != null) {
      app.stop();
      app = null;
    }
    if (upgrader != null) {
      upgrader.close();
    }
    if (schedulerJobs != null) {
      schedulerJobs.close();
    }
    if (runner != null) {
      runner.close();
    }
    if (target != null) {
      target.closeServices();
    }
    if (supervisor != null) {
      if (stopClustersOnClose) {
        supervisor.shutdownAll();
        supervisor.killRemainingUnder(options.clustersDir());
      }
      supervisor.close();
    }
    if (archives != null) {
      archives.close();
    }
    if (store != null) {
      store.close();
      store = null;
    }
    if (wroteServerFile) {
      wroteServerFile = false;
      try {
        Files.deleteIfExists(options.serverFile());
      } catch (IOException ignored) {
        // best effort: a stale file is detected by the CLI (its pid is gone)
      }
    }
    if (home != null) {
      home.close(); // last: the next server may take the home only once this one let go of everything in it
      home = null;
    }
  }
}
