package io.daprx.manager.install;

import java.nio.file.Path;

/**
 * What the desired state of a local install needs to know about its cluster: where its files live,
 * which block of loopback ports it owns (so several clusters coexist on one machine) and, for the dashboard,
 * how to read the management server (null: no dashboard, it would have nothing to read).
 *
 * <p>The layout of a block: a slot of {@link #COMPONENT_STRIDE} ports per component (its replicas' ports, four each),
 * the first {@link #FIRST_SLOTS} slots, then {@link #SERVICE_PORTS} ports of Services, then further slots. A component
 * added later takes a slot after the Services, so no port of a running cluster ever moves.
 *
 * @param portBlock how many ports the cluster owns from {@code portBase}: {@link #PORT_BLOCK}, or
 *     {@link #LEGACY_PORT_BLOCK} for a cluster an earlier daprx created (its neighbour may start right after it)
 */
public record LocalCluster(String id, Path dir, int portBase, int portBlock, ManagerAccess manager) {

  public LocalCluster(String id, Path dir, int portBase) {
    this(id, dir, portBase, PORT_BLOCK, null);
  }

  public LocalCluster(String id, Path dir, int portBase, ManagerAccess manager) {
    this(id, dir, portBase, PORT_BLOCK, manager);
  }

  public LocalCluster {
    if (portBlock != PORT_BLOCK && portBlock != LEGACY_PORT_BLOCK) {
      throw new IllegalArgumentException("a local cluster owns " + PORT_BLOCK + " or " + LEGACY_PORT_BLOCK + " ports, not " + portBlock);
    }
  }

  public LocalCluster withManager(ManagerAccess access) {
    return new LocalCluster(id, dir, portBase, portBlock, access);
  }

  /** Ports a cluster made by this daprx owns: five slots, the Services, then two more slots. */
  public static final int PORT_BLOCK = 256;
  /** Ports a cluster made before the scheduler owns: five slots and the Services. */
  public static final int LEGACY_PORT_BLOCK = 192;
  public static final int COMPONENT_STRIDE = 32;
  public static final int PORTS_PER_POD = 4;
  public static final int FIRST_SLOTS = 5;
  public static final int SERVICE_OFFSET = FIRST_SLOTS * COMPONENT_STRIDE;
  public static final int SERVICE_PORTS = 32;
  /**
   * Where the sixth slot lies in a legacy block: the tail of its Service ports, which hold only a few Services. It fits
   * one component of up to four replicas (the scheduler's three), so such a cluster takes the scheduler without growing
   * into the block of the cluster created after it.
   */
  static final int LEGACY_SIXTH_SLOT = SERVICE_OFFSET + SERVICE_PORTS / 2;

  /** The first port of a component's slot, relative to {@link #portBase}. */
  public int slotOffset(int slot) {
    if (slot < FIRST_SLOTS) {
      return slot * COMPONENT_STRIDE;
    }
    if (portBlock == LEGACY_PORT_BLOCK) {
      if (slot > FIRST_SLOTS) {
        throw new IllegalStateException("local cluster " + id + " was created by an earlier daprx with " + LEGACY_PORT_BLOCK
            + " ports, which hold no component slot " + slot + "; delete the cluster and create it again");
      }
      return LEGACY_SIXTH_SLOT;
    }
    return SERVICE_OFFSET + SERVICE_PORTS + (slot - FIRST_SLOTS) * COMPONENT_STRIDE;
  }

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

  /**
   * What proves the cluster's control-plane replicas to its sentry, owner-only: the cluster's signing key, the JWKS of it
   * sentry reads, and one short-lived token per control-plane identity (see {@code deploy.ControlPlaneTokens}).
   */
  public Path identityDir() {
    return dir.resolve("control-plane-identity");
  }

  /** The public key sentry checks control-plane tokens with ({@code --control-plane-jwks}). */
  public Path controlPlaneJwks() {
    return identityDir().resolve("jwks.json");
  }

  /** The token a control-plane replica of {@code namespace} shows sentry to get the identity {@code appId}. */
  public Path sentryTokenFile(String namespace, String appId) {
    return identityDir().resolve("tokens").resolve(namespace).resolve(appId + ".jwt");
  }
}
