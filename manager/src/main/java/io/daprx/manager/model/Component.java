package io.daprx.manager.model;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One control-plane component as both targets run it: what it is called (upstream's names, so tools and runbooks
 * written for Dapr find the same objects), the shape of its workload, how many replicas it gets, how it is launched,
 * which ports and Services it has and where it keeps data. An entry of {@link ControlPlane#COMPONENTS}; the local and
 * the Kubernetes renderers read it and add only what is particular to their target.
 *
 * @param name {@code daprx <name>} and the {@code dapr.io/control-plane} annotation sentry checks
 * @param workload the Deployment's or StatefulSet's name, its {@code app} label and pod-name prefix
 * @param settingsKey prefix of the component's own settings, e.g. {@code dapr_operator.replicaCount}
 * @param shape replicas with generated names, or with stable ordinals (that find their peers by name)
 * @param highlyAvailable follows {@code global.ha.*}: the HA replica count, a PodDisruptionBudget, zone anti-affinity
 * @param fixedReplicas a replica count no setting changes (the scheduler's three, as upstream 1.17+), or null
 * @param installed whether an install with these settings runs the component at all
 * @param asksSentry gets its certificate from sentry: it is launched with sentry's address and the trust anchors
 * @param mainPort the port of its main server (gRPC, HTTPS or HTTP) in a container, and that port's name
 * @param healthPorts serves {@code /healthz} and {@code /metrics} on ports of their own; else health on the main port
 * @param extraPorts further container ports (placement's raft, the operator's conversion webhook)
 * @param services the Services in front of it
 * @param data a volume of its own that outlives a restart, or null
 * @param memoryRequest memory the container requests on Kubernetes
 * @param memoryLimit its memory limit (the JVM's options, {@code io.daprx.common.runtime.JvmOptions}, cap the heap below it)
 * @param localSlot its block of loopback ports on a local cluster: fixed, so adding a component never moves the ports
 *     of a running one
 * @param flags its own launch flags, after the shared ones (see {@link ControlPlane#args})
 */
public record Component(
    String name,
    String workload,
    String settingsKey,
    String serviceAccount,
    Shape shape,
    boolean highlyAvailable,
    Integer fixedReplicas,
    Predicate<DaprSettings> installed,
    boolean asksSentry,
    NamedPort mainPort,
    boolean healthPorts,
    List<NamedPort> extraPorts,
    List<ServiceSpec> services,
    DataVolume data,
    String memoryRequest,
    String memoryLimit,
    int localSlot,
    Function<Launch, List<String>> flags) {

  /** How a component's replicas are named and rolled. */
  public enum Shape {
    /** Replicas with generated names, replaced one at a time on a change (a Deployment). */
    DEPLOYMENT,
    /** Replicas named {@code <workload>-<ordinal>} that know each other from the start (a StatefulSet). */
    STATEFUL_SET
  }

  public record NamedPort(String name, int port) {}

  /**
   * A Service in front of the component's ready replicas.
   *
   * @param port the Service's port on Kubernetes; the container's {@code targetPort} (a named port) behind it
   * @param localOffset its loopback port on a local cluster, as an offset in the cluster's Service ports; null when the
   *     Service exists on Kubernetes only
   * @param headless a headless Service (peers find each other through it)
   * @param publishNotReadyAddresses lists replicas before they are ready: peers must reach each other to become ready
   */
  public record ServiceSpec(String name, List<ServicePort> ports, Integer localOffset, boolean headless, boolean publishNotReadyAddresses) {}

  public record ServicePort(String name, int port, int targetPort) {}

  /**
   * Data a replica keeps across restarts.
   *
   * @param name the volume's (and its claim's) name on Kubernetes
   * @param mountPath where a container mounts it
   * @param localDir the folder under a local cluster's directory that holds one subfolder per replica
   */
  public record DataVolume(String name, String mountPath, String localDir) {}

  public Component {
    extraPorts = List.copyOf(extraPorts);
    services = List.copyOf(services);
  }

  /**
   * The replica rule: a fixed count, else the HA count when HA is on and the component follows it, else its own
   * {@code replicaCount}.
   */
  public int replicas(DaprSettings settings) {
    if (fixedReplicas != null) {
      return fixedReplicas;
    }
    return highlyAvailable && settings.haEnabled() ? settings.haReplicaCount() : settings.componentReplicas().getOrDefault(settingsKey, 1);
  }

  /**
   * Whether this install runs the component highly available (PodDisruptionBudget, anti-affinity): a component with a
   * fixed count of several replicas always is, since its peers share one state whatever {@code global.ha.enabled} says.
   */
  public boolean ha(DaprSettings settings) {
    return fixedReplicas != null ? fixedReplicas > 1 : highlyAvailable && settings.haEnabled();
  }

  /** Whether an install with these settings runs the component. */
  public boolean installedWith(DaprSettings settings) {
    return installed.test(settings);
  }

  /** The name of the port that answers {@code /healthz}. */
  public String healthPortName() {
    return healthPorts ? "healthz" : mainPort.name();
  }
}
