package io.daprx.manager.model;

import java.util.Objects;

/**
 * What a target tells the control-plane table about one replica it launches: the mode, where the replica listens and
 * finds sentry, and the target's facts some components need (null where a target has none of that kind). The table
 * turns it into the command line ({@link ControlPlane#args}).
 *
 * @param kubernetes launched as a pod of a Kubernetes cluster, else as a local process (the components' standalone mode)
 * @param listenAddress null to leave it to the component's default
 * @param issuerCredentials sentry's CA directory (standalone)
 * @param resourcesPath the operator's directory of Dapr resources (standalone)
 * @param placementId this placement replica's raft id; {@code placementPeers} every replica's raft address
 * @param dataPath where this replica keeps its data volume
 * @param sidecarImage the {@code daprd} image the injector adds to pods
 * @param dashboard how a local dashboard reads the management server
 */
public record Launch(
    boolean kubernetes,
    String namespace,
    DaprSettings settings,
    String listenAddress,
    int port,
    int healthzPort,
    int metricsPort,
    String sentryAddress,
    String trustAnchorsFile,
    String issuerCredentials,
    String resourcesPath,
    String placementId,
    String placementPeers,
    String dataPath,
    String sidecarImage,
    DashboardAccess dashboard) {

  /** A local dashboard's way to the management server and the cluster it shows. */
  public record DashboardAccess(String serverFile, String tokenFile, String clusterId) {}

  public Launch {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(settings, "settings");
  }
}
