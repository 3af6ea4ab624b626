package io.daprx.manager.kube;

import io.daprx.manager.install.DaprSettings;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parts every control-plane pod shares: labels, arguments, security, probes, volumes, scheduling. */
final class Pods {

  static final String TRUST_ANCHORS_DIR = "/var/run/secrets/dapr.io/tls";
  static final String TOKEN_DIR = "/var/run/secrets/dapr.io/sentrytoken";
  static final String TRUST_BUNDLE = "dapr-trust-bundle";
  static final String ZONE = "topology.kubernetes.io/zone";
  /** The image's non-root user (distroless' "nonroot"); also the fsGroup so a placement volume is writable. */
  static final long NON_ROOT = 65532L;
  // Kubernetes' minimum; the kubelet rotates the file at 80% and components re-read it before each request.
  private static final long TOKEN_SECONDS = 600L;

  private Pods() {}

  /** Labels of every object of a component; {@link #selector} is the stable subset (a selector cannot change). */
  static Map<String, String> labels(Component c, InstallSpec spec) {
    Map<String, String> l = new LinkedHashMap<>(selector(c));
    l.put("app.kubernetes.io/name", c.workload);
    l.put("app.kubernetes.io/component", c.command);
    l.put("app.kubernetes.io/part-of", "dapr");
    l.put("app.kubernetes.io/managed-by", "daprx");
    l.put("app.kubernetes.io/version", spec.version());
    return l;
  }

  static Map<String, String> selector(Component c) {
    return Map.of("app", c.workload);
  }

  static ObjectMeta meta(String name, Component c, InstallSpec spec) {
    return new ObjectMetaBuilder().withName(name).withNamespace(spec.namespace()).withLabels(labels(c, spec)).build();
  }

  static int replicas(Component c, DaprSettings s) {
    return c.highlyAvailable ? s.replicas(c.settingsKey) : s.componentReplicas().getOrDefault(c.settingsKey, 1);
  }

  static boolean ha(Component c, DaprSettings s) {
    return c.highlyAvailable && s.haEnabled();
  }

  /** {@code [component, --mode kubernetes, ports, identity, logging]}: what every component is started with. */
  static List<String> args(Component c, InstallSpec spec) {
    List<String> a = new ArrayList<>(List.of(c.command,
        ComponentFlags.MODE, "kubernetes",
        ComponentFlags.PORT, "" + c.port));
    if (c != Component.DASHBOARD) {
      a.addAll(List.of(
          ComponentFlags.HEALTHZ_PORT, "" + Component.HEALTHZ_PORT,
          ComponentFlags.METRICS_PORT, "" + Component.METRICS_PORT,
          ComponentFlags.LISTEN_ADDRESS, "0.0.0.0",
          ComponentFlags.TRUST_DOMAIN, InstallSpec.TRUST_DOMAIN));
    }
    a.addAll(List.of(ComponentFlags.NAMESPACE, spec.namespace()));
    if (c.asksSentry) {
      a.addAll(List.of(
          ComponentFlags.SENTRY_ADDRESS, spec.sentryAddress(),
          ComponentFlags.TRUST_ANCHORS_FILE, TRUST_ANCHORS_DIR + "/ca.crt"));
    }
    a.addAll(List.of(ComponentFlags.LOG_LEVEL, spec.settings().logLevel()));
    if (spec.settings().logAsJson()) {
      a.add(ComponentFlags.LOG_AS_JSON);
    }
    return a;
  }

  /** Container ports: the component's own, then healthz and metrics, then any extra (raft, webhook). */
  static List<ContainerPort> ports(Component c, String mainName, ContainerPort... extra) {
    List<ContainerPort> p = new ArrayList<>();
    p.add(port(mainName, c.port));
    if (c != Component.DASHBOARD) {
      p.add(port("healthz", Component.HEALTHZ_PORT));
      p.add(port("metrics", Component.METRICS_PORT));
    }
    p.addAll(List.of(extra));
    return p;
  }

  static ContainerPort port(String name, int number) {
    return new ContainerPortBuilder().withName(name).withContainerPort(number).withProtocol("TCP").build();
  }

  /**
   * The pod template of a component: one container {@code daprx <args>}, non-root with a read-only root file
   * system (so {@code /tmp} is an emptyDir: the JVM and Netty's native libraries write there).
   */
  static PodTemplateSpec template(Component c, InstallSpec spec, List<String> args, List<ContainerPort> ports,
      List<EnvVar> extraEnv, List<Volume> extraVolumes, List<VolumeMount> extraMounts) {
    List<EnvVar> env = new ArrayList<>();
    env.add(fieldRef("NAMESPACE", "metadata.namespace"));
    env.addAll(extraEnv);
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("64Mi")).endEmptyDir().build());
    mounts.add(mount("tmp", "/tmp"));
    if (c.asksSentry) {
      volumes.add(new VolumeBuilder().withName(TRUST_BUNDLE).withNewConfigMap().withName(TRUST_BUNDLE).endConfigMap().build());
      volumes.add(new VolumeBuilder().withName("dapr-identity-token").withNewProjected().addNewSource().withNewServiceAccountToken()
          .withAudience(spec.sentryAudience()).withExpirationSeconds(TOKEN_SECONDS).withPath("token")
          .endServiceAccountToken().endSource().endProjected().build());
      mounts.add(mount(TRUST_BUNDLE, TRUST_ANCHORS_DIR));
      mounts.add(mount("dapr-identity-token", TOKEN_DIR));
    }
    volumes.addAll(extraVolumes);
    mounts.addAll(extraMounts);
    Map<String, String> annotations = new LinkedHashMap<>();
    // sentry grants the dapr-<component> identity only to pods so annotated in the control-plane namespace
    annotations.put("dapr.io/control-plane", c.command);
    if (c != Component.DASHBOARD) {
      annotations.put("prometheus.io/scrape", "true");
      annotations.put("prometheus.io/port", "" + Component.METRICS_PORT);
      annotations.put("prometheus.io/path", "/metrics");
    }
    int probePort = c == Component.DASHBOARD ? c.port : Component.HEALTHZ_PORT;
    return new PodTemplateSpecBuilder()
        .withNewMetadata().withLabels(labels(c, spec)).withAnnotations(annotations).endMetadata()
        .withNewSpec()
          .withServiceAccountName(c.serviceAccount)
          .withNewSecurityContext().withRunAsNonRoot(true).withFsGroup(NON_ROOT).endSecurityContext()
          .addToContainers(new ContainerBuilder()
              .withName(c.workload)
              .withImage(spec.image())
              .withImagePullPolicy("IfNotPresent")
              .withArgs(args)
              .withPorts(ports)
              .withEnv(env)
              .withResources(c.resources())
              .withLivenessProbe(probe(probePort, 10, 5))
              .withReadinessProbe(probe(probePort, 3, 5))
              .withSecurityContext(securityContext())
              .withVolumeMounts(mounts)
              .build())
          .withVolumes(volumes)
          .withNodeSelector(spec.settings().nodeSelector().isEmpty() ? null : new LinkedHashMap<>(spec.settings().nodeSelector()))
          .withAffinity(ha(c, spec.settings()) ? antiAffinity(c) : null)
        .endSpec()
        .build();
  }

  /** Spreads replicas over zones when the scheduler can; never refuses to schedule (one-zone clusters are common). */
  static Affinity antiAffinity(Component c) {
    return new AffinityBuilder().withNewPodAntiAffinity().addNewPreferredDuringSchedulingIgnoredDuringExecution()
        .withWeight(100)
        .withNewPodAffinityTerm().withNewLabelSelector().addToMatchLabels(selector(c)).endLabelSelector().withTopologyKey(ZONE)
        .endPodAffinityTerm()
        .endPreferredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().build();
  }

  static SecurityContext securityContext() {
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(NON_ROOT)
        .withRunAsGroup(NON_ROOT)
        .withReadOnlyRootFilesystem(true)
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  // A JVM component takes a few seconds to start: liveness waits longer than readiness before its first check.
  private static Probe probe(int port, int initialDelaySeconds, int periodSeconds) {
    return new ProbeBuilder()
        .withNewHttpGet().withPath("/healthz").withPort(new IntOrString(port)).endHttpGet()
        .withInitialDelaySeconds(initialDelaySeconds).withPeriodSeconds(periodSeconds).withFailureThreshold(5)
        .build();
  }

  static EnvVar fieldRef(String name, String fieldPath) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withFieldPath(fieldPath).endFieldRef()
        .endValueFrom().build();
  }

  static VolumeMount mount(String name, String path) {
    return new VolumeMountBuilder().withName(name).withMountPath(path).withReadOnly(!"tmp".equals(name)).build();
  }

  /** A ClusterIP Service in front of a component: {@code port} on the Service, the container's named port behind it. */
  static Service service(String name, Component c, InstallSpec spec, ServicePort... ports) {
    return new ServiceBuilder()
        .withMetadata(meta(name, c, spec))
        .withNewSpec().withType("ClusterIP").withSelector(selector(c)).withPorts(ports).endSpec()
        .build();
  }

  static ServicePort servicePort(String name, int port, int targetPort) {
    return new ServicePortBuilder().withName(name).withProtocol("TCP").withPort(port).withTargetPort(new IntOrString(targetPort)).build();
  }

  /** Keeps three quarters of an HA component up through node drains and cluster upgrades. */
  static PodDisruptionBudget disruptionBudget(Component c, InstallSpec spec) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(c.workload, c, spec))
        .withNewSpec().withMaxUnavailable(new IntOrString("25%")).withNewSelector().addToMatchLabels(selector(c)).endSelector().endSpec()
        .build();
  }
}
