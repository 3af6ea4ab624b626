package io.daprx.placement;

/**
 * Placement's own command-line flags (upstream's names).
 * Declared once: {@code daprx placement} parses them by these names and the manager renders placement's pods with them.
 */
public final class PlacementFlags {

  public static final String ID = "--id";
  public static final String INITIAL_CLUSTER = "--initial-cluster";
  public static final String RAFT_LOGSTORE_PATH = "--raft-logstore-path";
  public static final String TLS_ENABLED = "--tls-enabled";
  public static final String METADATA_ENABLED = "--metadata-enabled";
  public static final String DISSEMINATE_COALESCE_WINDOW = "--disseminate-coalesce-window";

  private PlacementFlags() {}
}
