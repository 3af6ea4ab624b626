package io.daprx.manager.kube;

import io.daprx.manager.model.Component;
import io.daprx.manager.model.Component.ServiceSpec;
import io.daprx.manager.model.ControlPlane;
import io.daprx.manager.model.DaprSettings;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.ArrayList;
import java.util.List;

/** A component's workload, its Services and disruption budget, in the order they are applied, from its table entry. */
final class Workloads {

  private Workloads() {}

  static List<HasMetadata> of(Component c, InstallSpec spec) {
    List<HasMetadata> out = new ArrayList<>();
    out.add(c.shape() == Component.Shape.STATEFUL_SET ? statefulSet(c, spec) : deployment(c, spec));
    c.services().forEach(s -> out.add(service(c, s, spec)));
    if (c.ha(spec.settings())) {
      out.add(Pods.disruptionBudget(c, spec));
    }
    if (c == ControlPlane.INJECTOR) {
      out.add(InjectorWebhook.configuration(spec));
    }
    return out;
  }

  /**
   * A StatefulSet for stable replica names: each replica knows every peer's address from the start. Its data lives on a
   * volume per replica — placement's in HA unless {@code forceInMemoryLog}, the scheduler's unless
   * {@code inMemoryStorage}, as upstream — else in an emptyDir (the file system is read-only; the scheduler's in memory,
   * as upstream's).
   */
  private static HasMetadata statefulSet(Component c, InstallSpec spec) {
    boolean persistent = persistent(c, spec.settings());
    List<EnvVar> env = List.of(Pods.fieldRef(Pods.ordinalEnv(c), "metadata.name"));
    List<Volume> volumes = c.data() == null || persistent ? List.of()
        : List.of(new VolumeBuilder().withName(c.data().name()).withNewEmptyDir()
            .withMedium(c == ControlPlane.SCHEDULER ? "Memory" : null).endEmptyDir().build());
    List<VolumeMount> mounts = c.data() == null ? List.of()
        : List.of(new VolumeMountBuilder().withName(c.data().name()).withMountPath(c.data().mountPath()).build());
    PodTemplateSpec template = Pods.template(c, spec, args(c, spec), Pods.ports(c, spec.settings()), env, volumes, mounts);
    List<PersistentVolumeClaim> claims = persistent ? List.of(claim(c, spec.settings())) : List.of();
    return new StatefulSetBuilder()
        .withMetadata(Pods.meta(c.workload(), c, spec))
        .withNewSpec()
          .withReplicas(c.replicas(spec.settings()))
          .withServiceName(c.workload())
          // replicas elect a leader among themselves: all must start together, not one after the other
          .withPodManagementPolicy("Parallel")
          .withNewSelector().addToMatchLabels(Pods.selector(c)).endSelector()
          .withTemplate(template)
          .withVolumeClaimTemplates(claims)
        .endSpec()
        .build();
  }

  private static boolean persistent(Component c, DaprSettings s) {
    if (c.data() == null) {
      return false;
    }
    return c == ControlPlane.SCHEDULER ? !s.scheduler().inMemoryStorage() : c.ha(s) && !s.placementForceInMemoryLog();
  }

  /** A replica's volume claim: the scheduler's of the size and class its settings give, placement's 1Gi. */
  private static PersistentVolumeClaim claim(Component c, DaprSettings s) {
    boolean scheduler = c == ControlPlane.SCHEDULER;
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(c.data().name()).endMetadata()
        .withNewSpec().withAccessModes("ReadWriteOnce")
          .withStorageClassName(scheduler ? s.scheduler().storageClassName() : null)
          .withNewResources().addToRequests("storage", new Quantity(scheduler ? s.scheduler().storageSize() : "1Gi")).endResources()
        .endSpec().build();
  }

  private static HasMetadata deployment(Component c, InstallSpec spec) {
    return new DeploymentBuilder()
        .withMetadata(Pods.meta(c.workload(), c, spec))
        .withNewSpec()
          .withReplicas(c.replicas(spec.settings()))
          .withNewSelector().addToMatchLabels(Pods.selector(c)).endSelector()
          .withTemplate(Pods.template(c, spec, args(c, spec), Pods.ports(c, spec.settings()), List.of(), List.of(), List.of()))
        .endSpec()
        .build();
  }

  private static List<String> args(Component c, InstallSpec spec) {
    return ControlPlane.args(c, Pods.launch(c, spec));
  }

  /**
   * A ClusterIP Service in front of the component's ready replicas, or a headless one that lists replicas before they are
   * ready: peers must find each other to elect a leader.
   */
  private static HasMetadata service(Component c, ServiceSpec s, InstallSpec spec) {
    ServicePort[] ports = s.ports().stream().map(p -> Pods.servicePort(p.name(), p.port(), p.targetPort())).toArray(ServicePort[]::new);
    if (!s.headless()) {
      return Pods.service(s.name(), c, spec, s.publishNotReadyAddresses(), ports);
    }
    return new ServiceBuilder()
        .withMetadata(Pods.meta(s.name(), c, spec))
        .withNewSpec()
          .withClusterIP("None")
          .withPublishNotReadyAddresses(s.publishNotReadyAddresses())
          .withSelector(Pods.selector(c))
          .withPorts(ports)
        .endSpec()
        .build();
  }

  /**
   * Every replica's peer address, e.g. {@code dapr-placement-server-0=dapr-placement-server-0.dapr-placement-server.<ns>.svc.cluster.local:8201,...}
   * (the scheduler's as {@code http://} URLs): its stable name under the headless Service and its peer port.
   */
  static String peers(Component c, String namespace, int replicas) {
    int peerPort = c.extraPorts().get(0).port();
    return ControlPlane.peers(c, replicas, i -> replicaHost(c, namespace, c.workload() + "-" + i) + ":" + peerPort);
  }

  /** A StatefulSet replica's stable DNS name under its headless Service. */
  static String replicaHost(Component c, String namespace, String pod) {
    return pod + "." + c.workload() + "." + namespace + ".svc.cluster.local";
  }
}
