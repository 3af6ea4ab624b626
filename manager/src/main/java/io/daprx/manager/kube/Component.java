package io.daprx.manager.kube;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;

/**
 * The control-plane components as Kubernetes knows them: upstream Dapr's workload, Service account and port
 * names, so tools and runbooks written for Dapr find the same objects.
 */
enum Component {
  SENTRY("dapr-sentry", "sentry", "dapr_sentry", "dapr-sentry", 50001, true, false, "448Mi", "768Mi"),
  OPERATOR("dapr-operator", "operator", "dapr_operator", "dapr-operator", 6500, true, true, "192Mi", "512Mi"),
  PLACEMENT("dapr-placement-server", "placement", "dapr_placement", "dapr-placement", 50005, true, true, "192Mi", "512Mi"),
  INJECTOR("dapr-sidecar-injector", "injector", "dapr_sidecar_injector", "dapr-injector", 4000, true, true, "192Mi", "512Mi"),
  // the dashboard reads the API server only: no sentry identity, and one replica even in HA (as upstream)
  DASHBOARD("dapr-dashboard", "dashboard", "dapr_dashboard", "dapr-dashboard", 8080, false, false, "128Mi", "384Mi");

  static final int HEALTHZ_PORT = 8080;
  static final int METRICS_PORT = 9090;

  /** Workload name, {@code app} label and pod-name prefix. */
  final String workload;
  /** {@code daprx <command>} and the {@code dapr.io/control-plane} annotation sentry checks. */
  final String command;
  /** Prefix of the component's own settings, e.g. {@code dapr_operator.replicaCount}. */
  final String settingsKey;
  final String serviceAccount;
  /** The container port of the component's main (gRPC/HTTPS) server. */
  final int port;
  /** Follows {@code global.ha.*}: HA replica count, a PodDisruptionBudget, zone anti-affinity. */
  final boolean highlyAvailable;
  /** Gets its certificate from sentry, so it mounts the trust anchors and a projected token. */
  final boolean asksSentry;
  // The JVM launch flags (bin/daprx) cap sentry's heap at 512m and the others' at 256m; the limits leave room
  // for metaspace, thread stacks and Netty's direct buffers.
  private final String memoryRequest;
  private final String memoryLimit;

  Component(String workload, String command, String settingsKey, String serviceAccount, int port, boolean highlyAvailable,
      boolean asksSentry, String memoryRequest, String memoryLimit) {
    this.workload = workload;
    this.command = command;
    this.settingsKey = settingsKey;
    this.serviceAccount = serviceAccount;
    this.port = port;
    this.highlyAvailable = highlyAvailable;
    this.asksSentry = asksSentry;
    this.memoryRequest = memoryRequest;
    this.memoryLimit = memoryLimit;
  }

  /** No CPU limit on purpose: a throttled JVM misses gRPC keepalives and leader-election heartbeats. */
  ResourceRequirements resources() {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity(memoryRequest))
        .addToLimits("memory", new Quantity(memoryLimit))
        .build();
  }
}
