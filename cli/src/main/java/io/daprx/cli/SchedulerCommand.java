package io.daprx.cli;

import io.daprx.cli.commands.SchedulerJobsCommands;
import io.daprx.common.runtime.ComponentFlags;
import io.daprx.scheduler.Scheduler;
import io.daprx.scheduler.SchedulerFlags;
import io.daprx.scheduler.SchedulerOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code daprx scheduler}: runs the scheduler of jobs, actor reminders and workflow timers, with upstream's flags. */
@Command(name = "scheduler", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run the scheduler, which stores jobs, actor reminders and workflow timers and triggers them on the "
        + "sidecars' streams.", "One replica without --etcd-data-dir keeps jobs in memory; otherwise the replicas named by --etcd-initial-cluster "
            + "keep them in a store replicated with Raft, on disk.",
        "With a command, see and manage the jobs of the current cluster's scheduler, as 'dapr scheduler' does."},
    subcommands = {SchedulerJobsCommands.ListJobs.class, SchedulerJobsCommands.Get.class, SchedulerJobsCommands.Delete.class,
        SchedulerJobsCommands.DeleteAll.class, SchedulerJobsCommands.Export.class, SchedulerJobsCommands.Import.class})
final class SchedulerCommand implements Callable<Integer> {

  @Option(names = SchedulerFlags.ID, defaultValue = SchedulerOptions.DEFAULT_ID, description = "this replica's id (default: ${DEFAULT-VALUE})")
  String id;

  @Option(names = ComponentFlags.PORT, defaultValue = "" + SchedulerOptions.DEFAULT_PORT, description = "gRPC port for sidecars (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = ComponentFlags.LISTEN_ADDRESS, defaultValue = "0.0.0.0", description = "address to listen on (default: ${DEFAULT-VALUE})")
  String listenAddress;

  @Option(names = ComponentFlags.HEALTHZ_PORT, defaultValue = "" + SchedulerOptions.DEFAULT_HEALTHZ_PORT,
      description = "port of GET /healthz (default: ${DEFAULT-VALUE})")
  int healthzPort;

  @Option(names = ComponentFlags.METRICS_PORT, defaultValue = "" + SchedulerOptions.DEFAULT_METRICS_PORT,
      description = "port of GET /metrics (default: ${DEFAULT-VALUE})")
  int metricsPort;

  @Option(names = "--enable-metrics", defaultValue = "true", arity = "0..1", fallbackValue = "true", description = "serve Prometheus metrics (default: ${DEFAULT-VALUE})")
  boolean enableMetrics;

  @Option(names = SchedulerFlags.OVERRIDE_BROADCAST_HOST_PORT, paramLabel = "HOST:PORT",
      description = "the address sidecars are told to dial (default: the listen address, or this machine's, with --port)")
  String overrideBroadcastHostPort;

  @Option(names = SchedulerFlags.WORKERS, defaultValue = "" + SchedulerOptions.DEFAULT_WORKERS,
      description = "upstream's trigger worker count; accepted for compatibility (default: ${DEFAULT-VALUE})")
  int workers;

  @Option(names = SchedulerFlags.ETCD_DATA_DIR, paramLabel = "DIR",
      description = "where this replica keeps the job store and its Raft log (none and one replica: in memory)")
  Path dataDir;

  @Option(names = SchedulerFlags.ETCD_INITIAL_CLUSTER, defaultValue = SchedulerOptions.DEFAULT_INITIAL_CLUSTER, paramLabel = "ID=URL,...",
      description = "the replicas: each id and the URL whose host:port is its Raft peer address (default: ${DEFAULT-VALUE})")
  String initialCluster;

  @Option(names = SchedulerFlags.ETCD_CLIENT_PORT, defaultValue = "" + SchedulerOptions.DEFAULT_ETCD_CLIENT_PORT,
      description = "accepted for compatibility with upstream's launch flags (default: ${DEFAULT-VALUE})")
  int etcdClientPort;

  @Option(names = SchedulerFlags.TLS_ENABLED, defaultValue = "true", arity = "0..1", fallbackValue = "true",
      description = "mTLS with sidecars; --tls-enabled=false only for insecure local use (default: ${DEFAULT-VALUE})")
  boolean tlsEnabled;

  @Option(names = ComponentFlags.SENTRY_ADDRESS, defaultValue = SchedulerOptions.DEFAULT_SENTRY_ADDRESS,
      description = "sentry's gRPC address, for the scheduler's certificate (default: ${DEFAULT-VALUE})")
  String sentryAddress;

  @Option(names = ComponentFlags.SENTRY_TOKEN_FILE, paramLabel = "FILE",
      description = "standalone mode: file of the JWT that proves this replica is the control plane (JWKS validator), read at"
          + " each certificate request; a local cluster's supervisor keeps it fresh. Without it no token is sent (insecure)")
  Path sentryTokenFile;

  @Option(names = ComponentFlags.TRUST_ANCHORS_FILE, paramLabel = "FILE", description = "PEM trust anchors (sentry's ca.crt); required with mTLS")
  Path trustAnchorsFile;

  @Option(names = ComponentFlags.TRUST_DOMAIN, defaultValue = SchedulerOptions.DEFAULT_TRUST_DOMAIN,
      description = "trust domain of the control plane (default: ${DEFAULT-VALUE})")
  String trustDomain;

  @Option(names = ComponentFlags.NAMESPACE, defaultValue = "${env:NAMESPACE:-" + SchedulerOptions.DEFAULT_NAMESPACE + "}",
      description = "namespace of the control plane; env NAMESPACE is honoured (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = SchedulerFlags.MAX_JOB_SIZE, defaultValue = SchedulerOptions.DEFAULT_MAX_JOB_SIZE, paramLabel = "SIZE",
      converter = JobSizeConverter.class,
      description = "the largest job (name, metadata and data) a replica takes; each replica holds a buffer this large"
          + " in memory, so raise it only as far as your jobs need (default: ${DEFAULT-VALUE})")
  int maxJobBytes;

  @Option(names = ComponentFlags.MODE, defaultValue = "standalone", converter = ModeConverter.class,
      description = "standalone or kubernetes: how the scheduler proves its identity to sentry (default: ${DEFAULT-VALUE})")
  SchedulerOptions.Mode mode;

  @Mixin
  LogOptions log;

  @Override
  public Integer call() throws InterruptedException {
    log.configure();
    SchedulerOptions options = new SchedulerOptions(id, listenAddress, port, healthzPort, enableMetrics ? metricsPort : -1,
        overrideBroadcastHostPort, workers, dataDir, SchedulerOptions.parseInitialCluster(initialCluster), etcdClientPort,
        SchedulerOptions.DEFAULT_KEEPALIVE_TIME, SchedulerOptions.DEFAULT_KEEPALIVE_TIMEOUT, maxJobBytes,
        tlsEnabled, sentryAddress, trustAnchorsFile, trustDomain, namespace, mode, sentryTokenFile);
    Scheduler scheduler = new Scheduler(options, Clock.systemUTC()).start();
    return SentryCommand.runUntilStopped(scheduler);
  }

  static final class JobSizeConverter implements picocli.CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return Main.conversion(() -> SchedulerOptions.parseMaxJobSize(value));
    }
  }

  static final class ModeConverter implements picocli.CommandLine.ITypeConverter<SchedulerOptions.Mode> {
    @Override
    public SchedulerOptions.Mode convert(String value) {
      return Main.conversion(() -> SchedulerOptions.parseMode(value));
    }
  }
}
