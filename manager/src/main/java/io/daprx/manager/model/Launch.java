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
 * @param replicaId a StatefulSet replica's id among its peers (its pod name); {@code peers} every replica's id and peer
 *     address, in the form the component's flag takes
 * @param broadcastAddress the {@code host:port} a scheduler replica tells sidecars to dial
 * @param dataPath where this replica keeps its data volume; null when it keeps its data in memory
 * @param sidecarImage the {@code daprd} image the injector adds to pods
 * @param schedulerAddress what the injector gives sidecars as {@code --scheduler-host-address}; null when the install
 *     has no scheduler (a sidecar pointed at a scheduler that does not answer never becomes ready)
 * @param dashboard how a local dashboard reads the management server
 * @param controlPlaneJwks sentry's: the JWKS of the key that vouches for control-plane replicas (local clusters); null on
 *     Kubernetes, where the KUBERNETES validator checks them
 * @param sentryTokenFile where a replica that asks sentry finds the token proving it is the control plane (local
 *     clusters); null on Kubernetes, where it shows its service-account token
 * @param oidcPort sentry's: where a local replica serves OIDC discovery (each replica its own port); null: the setting's port
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
    String replicaId,
    String peers,
    String broadcastAddress,
    String dataPath,
    String sidecarImage,
    String schedulerAddress,
    DashboardAccess dashboard,
    String controlPlaneJwks,
    String sentryTokenFile,
    Integer oidcPort) {

  /** A local dashboard's way to the management server and the cluster it shows. */
  public record DashboardAccess(String serverFile, String tokenFile, String clusterId) {}

  /** A launch whose sentry serves OIDC discovery on the port the settings name (Kubernetes: one per pod). */
  public Launch(boolean kubernetes, String namespace, DaprSettings settings, String listenAddress, int port, int healthzPort,
      int metricsPort, String sentryAddress, String trustAnchorsFile, String issuerCredentials, String resourcesPath, String replicaId,
      String peers, String broadcastAddress, String dataPath, String sidecarImage, String schedulerAddress, DashboardAccess dashboard,
      String controlPlaneJwks, String sentryTokenFile) {
    this(kubernetes, namespace, settings, listenAddress, port, healthzPort, metricsPort, sentryAddress, trustAnchorsFile,
        issuerCredentials, resourcesPath, replicaId, peers, broadcastAddress, dataPath, sidecarImage, schedulerAddress, dashboard,
        controlPlaneJwks, sentryTokenFile, null);
  }

  public Launch {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(settings, "settings");
  }
}
