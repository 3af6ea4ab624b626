package io.daprx.manager.install;

import java.nio.file.Path;

/**
 * What the desired state of a local install needs to know about its cluster: where its files live and
 * which block of loopback ports it owns (so several clusters coexist on one machine).
 */
public record LocalCluster(String id, Path dir, int portBase) {

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
