package io.daprx.manager.install;

import java.nio.file.Path;

/**
 * What the desired state of a local install needs to know about its cluster: where its files live,
 * which block of loopback ports it owns (so several clusters coexist on one machine) and, for the dashboard,
 * how to read the management server (null: no dashboard, it would have nothing to read).
 */
public record LocalCluster(String id, Path dir, int portBase, ManagerAccess manager) {

  public LocalCluster(String id, Path dir, int portBase) {
    this(id, dir, portBase, null);
  }

  public LocalCluster withManager(ManagerAccess access) {
    return new LocalCluster(id, dir, portBase, access);
  }

  /** Ports a cluster owns: {@link #COMPONENT_STRIDE} per component, then the Services. */
  public static final int PORT_BLOCK = 192;
  public static final int COMPONENT_STRIDE = 32;
  public static final int PORTS_PER_POD = 4;
  public static final int SERVICE_OFFSET = 160;

  public Path trustBundleDir() {
    return dir.resolve("trust-bundle");
  }

  /**
   * The cluster's {@code dapr.io} resources (Components, Configurations, ...), one YAML file each: what the API
   * server's custom resources are on Kubernetes. Operators of every install on the cluster read it.
   */
  public Path resourcesDir() {
    return dir.resolve("resources");
  }

  public Path logDir() {
    return dir.resolve("logs");
  }
}
