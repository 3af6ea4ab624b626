package io.daprx.manager.kube;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Each component's workload, Services and disruption budget, in the order they are applied. */
final class Workloads {

  static final int PLACEMENT_RAFT_PORT = 8201;
  static final int OPERATOR_WEBHOOK_PORT = 19443;
  static final String RAFT_LOG_DIR = "/var/run/dapr/raft-log";

  private Workloads() {}

  static List<HasMetadata> sentry(InstallSpec spec) {
    Component c = Component.SENTRY;
    List<String> args = Pods.args(c, spec);
    args.addAll(List.of(
        ComponentFlags.WORKLOAD_CERT_TTL, io.daprx.common.runtime.GoDuration.format(spec.settings().workloadCertTtl()),
        ComponentFlags.ALLOWED_CLOCK_SKEW, io.daprx.common.runtime.GoDuration.format(spec.settings().allowedClockSkew())));
    List<HasMetadata> out = new ArrayList<>();
    out.add(deployment(c, spec, Pods.template(c, spec, args, Pods.ports(c, "grpc"), List.of(), List.of(), List.of())));
    out.add(Pods.service("dapr-sentry", c, spec, Pods.servicePort("grpc", 443, c.port)));
    return withBudget(c, spec, out);
  }

  static List<HasMetadata> operator(InstallSpec spec) {
    Component c = Component.OPERATOR;
    List<ContainerPort> ports = Pods.ports(c, "grpc", Pods.port("webhook", OPERATOR_WEBHOOK_PORT));
    List<HasMetadata> out = new ArrayList<>();
    out.add(deployment(c, spec, Pods.template(c, spec, Pods.args(c, spec), ports, List.of(), List.of(), List.of())));
    out.add(Pods.service("dapr-api", c, spec, Pods.servicePort("grpc", 443, c.port)));
    out.add(Pods.service("dapr-webhook", c, spec, Pods.servicePort("webhook", 443, OPERATOR_WEBHOOK_PORT)));
    return withBudget(c, spec, out);
  }

  /**
   * A StatefulSet for stable replica names: each replica knows every peer's raft address from the start. The
   * leader-election log lives on a volume per replica in HA unless {@code forceInMemoryLog} (as upstream), else
   * in an emptyDir (the file system is read-only).
   */
  static List<HasMetadata> placement(InstallSpec spec) {
    Component c = Component.PLACEMENT;
    int replicas = Pods.replicas(c, spec.settings());
    boolean persistent = Pods.ha(c, spec.settings()) && !spec.settings().placementForceInMemoryLog();
    List<String> args = Pods.args(c, spec);
    args.addAll(List.of(
        ComponentFlags.ID, "$(PLACEMENT_ID)",
        ComponentFlags.INITIAL_CLUSTER, placementPeers(spec.namespace(), replicas),
        ComponentFlags.RAFT_LOGSTORE_PATH, RAFT_LOG_DIR + "/$(PLACEMENT_ID)",
        // the dashboard's placement page and actor lookups read the leader's tables (GET /placement/state, healthz port)
        ComponentFlags.METADATA_ENABLED));
    List<EnvVar> env = List.of(Pods.fieldRef("PLACEMENT_ID", "metadata.name"));
    List<Volume> volumes = persistent ? List.of()
        : List.of(new VolumeBuilder().withName("raft-log").withNewEmptyDir().endEmptyDir().build());
    List<VolumeMount> mounts = List.of(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
        .withName("raft-log").withMountPath(RAFT_LOG_DIR).build());
    List<ContainerPort> ports = Pods.ports(c, "api", Pods.port("raft-node", PLACEMENT_RAFT_PORT));
    PodTemplateSpec template = Pods.template(c, spec, args, ports, env, volumes, mounts);
    List<PersistentVolumeClaim> claims = persistent ? List.of(new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName("raft-log").endMetadata()
        .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources()
        .endSpec().build()) : List.of();
    List<HasMetadata> out = new ArrayList<>();
    out.add(new StatefulSetBuilder()
        .withMetadata(Pods.meta(c.workload, c, spec))
        .withNewSpec()
          .withReplicas(replicas)
          .withServiceName(c.workload)
          // replicas elect a leader among themselves: all must start together, not one after the other
          .withPodManagementPolicy("Parallel")
          .withNewSelector().addToMatchLabels(Pods.selector(c)).endSelector()
          .withTemplate(template)
          .withVolumeClaimTemplates(claims)
        .endSpec()
        .build());
    // headless, and listing replicas before they are ready: peers must find each other to elect a leader
    out.add(new ServiceBuilder()
        .withMetadata(Pods.meta(c.workload, c, spec))
        .withNewSpec()
          .withClusterIP("None")
          .withPublishNotReadyAddresses(true)
          .withSelector(Pods.selector(c))
          .withPorts(Pods.servicePort("api", c.port, c.port), Pods.servicePort("raft-node", PLACEMENT_RAFT_PORT, PLACEMENT_RAFT_PORT))
        .endSpec()
        .build());
    return withBudget(c, spec, out);
  }

  /** {@code dapr-placement-server-0=dapr-placement-server-0.dapr-placement-server.<ns>.svc.cluster.local:8201,...}. */
  static String placementPeers(String namespace, int replicas) {
    String name = Component.PLACEMENT.workload;
    return IntStream.range(0, replicas)
        .mapToObj(i -> name + "-" + i + "=" + name + "-" + i + "." + name + "." + namespace + ".svc.cluster.local:" + PLACEMENT_RAFT_PORT)
        .collect(Collectors.joining(","));
  }

  static List<HasMetadata> injector(InstallSpec spec) {
    Component c = Component.INJECTOR;
    List<String> args = Pods.args(c, spec);
    args.addAll(List.of(ComponentFlags.SIDECAR_IMAGE, spec.sidecarImage()));
    List<HasMetadata> out = new ArrayList<>();
    out.add(deployment(c, spec, Pods.template(c, spec, args, Pods.ports(c, "https"), List.of(), List.of(), List.of())));
    out.add(Pods.service("dapr-sidecar-injector", c, spec, Pods.servicePort("https", 443, c.port)));
    withBudget(c, spec, out);
    out.add(InjectorWebhook.configuration(spec));
    return out;
  }

  static List<HasMetadata> dashboard(InstallSpec spec) {
    Component c = Component.DASHBOARD;
    List<HasMetadata> out = new ArrayList<>();
    out.add(deployment(c, spec, Pods.template(c, spec, Pods.args(c, spec), Pods.ports(c, "http"), List.of(), List.of(), List.of())));
    out.add(Pods.service("dapr-dashboard", c, spec, Pods.servicePort("http", c.port, c.port)));
    return out;
  }

  private static HasMetadata deployment(Component c, InstallSpec spec, PodTemplateSpec template) {
    return new DeploymentBuilder()
        .withMetadata(Pods.meta(c.workload, c, spec))
        .withNewSpec()
          .withReplicas(Pods.replicas(c, spec.settings()))
          .withNewSelector().addToMatchLabels(Pods.selector(c)).endSelector()
          .withTemplate(template)
        .endSpec()
        .build();
  }

  private static List<HasMetadata> withBudget(Component c, InstallSpec spec, List<HasMetadata> out) {
    if (Pods.ha(c, spec.settings())) {
      out.add(Pods.disruptionBudget(c, spec));
    }
    return out;
  }
}
