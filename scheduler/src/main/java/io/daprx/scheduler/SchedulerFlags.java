package io.daprx.scheduler;

/**
 * The scheduler's own command-line flags (upstream's names). Declared once: {@code daprx scheduler} parses them by
 * these names and the manager will render the scheduler's pods with them. Shared flags are in common's
 * {@code ComponentFlags}.
 */
public final class SchedulerFlags {

  public static final String ID = "--id";
  public static final String TLS_ENABLED = "--tls-enabled";
  public static final String OVERRIDE_BROADCAST_HOST_PORT = "--override-broadcast-host-port";
  public static final String WORKERS = "--workers";
  /** Where a replica keeps its jobs (upstream's name; the replicated store reads it when it lands). */
  public static final String ETCD_DATA_DIR = "--etcd-data-dir";
  /** The replicas: {@code id=url,...} (upstream's name). */
  public static final String ETCD_INITIAL_CLUSTER = "--etcd-initial-cluster";
  public static final String ETCD_CLIENT_PORT = "--etcd-client-port";
  /** daprx's own: the largest job a replica takes (upstream has no limit of its own below 2 GiB). */
  public static final String MAX_JOB_SIZE = "--max-job-size";

  private SchedulerFlags() {}
}
