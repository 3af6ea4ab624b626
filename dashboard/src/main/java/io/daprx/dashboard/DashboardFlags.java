package io.daprx.dashboard;

/**
 * The dashboard's own command-line flags.
 * Declared once: {@code daprx dashboard} parses them by these names and the manager renders dashboard's pods with them.
 */
public final class DashboardFlags {

  public static final String MANAGER_SERVER_FILE = "--manager-server-file";
  public static final String MANAGER_TOKEN_FILE = "--manager-token-file";
  public static final String CLUSTER_ID = "--cluster-id";
  public static final String ALLOWED_HOST = "--allowed-host";

  private DashboardFlags() {}
}
