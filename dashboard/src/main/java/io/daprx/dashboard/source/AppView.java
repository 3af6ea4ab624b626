package io.daprx.dashboard.source;

import java.util.List;

/**
 * A dapr-enabled workload (or, on a local cluster, a sidecar connected to placement).
 *
 * @param workload the Deployment/StatefulSet/pod name, or the sidecar's host address on a local cluster
 * @param appPort {@code dapr.io/app-port}, or null
 * @param injected whether the pod has the {@code daprd} sidecar
 * @param actorTypes actor types it hosts (from placement), empty when unknown
 */
public record AppView(String namespace, String appId, String workload, String appPort, boolean injected, String ready,
    List<String> actorTypes) {

  public AppView {
    actorTypes = List.copyOf(actorTypes);
  }
}
