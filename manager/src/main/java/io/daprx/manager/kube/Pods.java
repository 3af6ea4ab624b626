package io.daprx.manager.kube;

import io.daprx.common.runtime.JvmOptions;
import io.daprx.manager.model.Component;
import io.daprx.manager.model.ControlPlane;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.model.Launch;
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
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
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
    l.put("app.kubernetes.io/name", c.workload());
    l.put("app.kubernetes.io/component", c.name());
    l.put("app.kubernetes.io/part-of", "dapr");
    l.put("app.kubernetes.io/managed-by", "daprx");
    l.put("app.kubernetes.io/version", spec.version());
    return l;
  }

  static Map<String, String> selector(Component c) {
    return Map.of("app", c.workload());
  }

  static ObjectMeta meta(String name, Component c, InstallSpec spec) {
    return new ObjectMetaBuilder().withName(name).withNamespace(spec.namespace()).withLabels(labels(c, spec)).build();
  }

  /**
   * How a component is launched in a pod: on every address, upstream's container ports, sentry behind its Service, the
   * trust anchors from the mounted bundle; a StatefulSet replica learns its own name (its raft id) from the downward API.
   */
  static Launch launch(Component c, InstallSpec spec) {
    boolean stateful = c.shape() == Component.Shape.STATEFUL_SET;
    String id = stateful ? "$(" + ordinalEnv(c) + ")" : null;
    boolean scheduler = c == ControlPlane.SCHEDULER;
    // a scheduler replica tells sidecars its own stable name, which the headless Service resolves before it is ready
    String broadcast = scheduler ? Workloads.replicaHost(c, spec.namespace(), id) + ":" + c.mainPort().port() : null;
    // upstream keeps each install's scheduler data under its namespace on the volume
    String data = c.data() == null ? null : c.data().mountPath() + "/" + (scheduler ? spec.namespace() + "/" : "") + id;
    return new Launch(true, spec.namespace(), spec.settings(), c.healthPorts() ? "0.0.0.0" : null, c.mainPort().port(),
        ControlPlane.HEALTHZ_PORT, ControlPlane.METRICS_PORT, spec.sentryAddress(), TRUST_ANCHORS_DIR + "/ca.crt", null, null,
        id, stateful ? Workloads.peers(c, spec.namespace(), c.replicas(spec.settings())) : null, broadcast, data,
        spec.sidecarImage(), ControlPlane.SCHEDULER.installedWith(spec.settings()) ? spec.serviceHost("dapr-scheduler-server-a") + ":443" : null,
        null, null, null);
  }

  /** The variable a StatefulSet replica finds its own pod name in, e.g. {@code PLACEMENT_ID}. */
  static String ordinalEnv(Component c) {
    return c.name().toUpperCase(java.util.Locale.ROOT) + "_ID";
  }

  /** Container ports: the component's main one, then healthz and metrics, then its extra ones (raft, webhook). */
  static List<ContainerPort> ports(Component c) {
    List<ContainerPort> p = new ArrayList<>();
    p.add(port(c.mainPort().name(), c.mainPort().port()));
    if (c.healthPorts()) {
      p.add(port("healthz", ControlPlane.HEALTHZ_PORT));
      p.add(port("metrics", ControlPlane.METRICS_PORT));
    }
    c.extraPorts().forEach(x -> p.add(port(x.name(), x.port())));
    return p;
  }

  /** As {@link #ports(Component)}, plus sentry's OIDC discovery port when the settings turn it on (as upstream's chart). */
  static List<ContainerPort> ports(Component c, io.daprx.manager.model.DaprSettings settings) {
    List<ContainerPort> p = ports(c);
    if (c == ControlPlane.SENTRY && settings.sentryJwt().oidcEnabled()) {
      p.add(port("oidc", settings.sentryJwt().oidcPort()));
    }
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
    // bin/daprx (the image's entry point) adds these after the table's options, so they win: the heap follows the limit
    env.add(new EnvVarBuilder().withName("DAPRX_JAVA_OPTS").withValue(String.join(" ", heapFor(c, spec.settings()))).build());
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("64Mi")).endEmptyDir().build());
    mounts.add(mount("tmp", "/tmp"));
    if (c.asksSentry()) {
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
    annotations.put("dapr.io/control-plane", c.name());
    if (c.healthPorts()) {
      annotations.put("prometheus.io/scrape", "true");
      annotations.put("prometheus.io/port", "" + ControlPlane.METRICS_PORT);
      annotations.put("prometheus.io/path", "/metrics");
    }
    int probePort = c.healthPorts() ? ControlPlane.HEALTHZ_PORT : c.mainPort().port();
    return new PodTemplateSpecBuilder()
        .withNewMetadata().withLabels(labels(c, spec)).withAnnotations(annotations).endMetadata()
        .withNewSpec()
          .withServiceAccountName(c.serviceAccount())
          .withNewSecurityContext().withRunAsNonRoot(true).withFsGroup(NON_ROOT).endSecurityContext()
          .addToContainers(new ContainerBuilder()
              .withName(c.workload())
              .withImage(spec.image())
              .withImagePullPolicy("IfNotPresent")
              .withArgs(args)
              .withPorts(ports)
              .withEnv(env)
              .withResources(resources(c, spec.settings()))
              .withLivenessProbe(probe(probePort, 10, 5))
              .withReadinessProbe(probe(probePort, 3, 5))
              .withSecurityContext(securityContext())
              .withVolumeMounts(mounts)
              .build())
          .withVolumes(volumes)
          .withNodeSelector(spec.settings().nodeSelector().isEmpty() ? null : new LinkedHashMap<>(spec.settings().nodeSelector()))
          .withAffinity(c.ha(spec.settings()) ? antiAffinity(c) : null)
        .endSpec()
        .build();
  }

  /**
   * The container's requests and limits: the component's measured defaults ({@link Component#memoryRequest},
   * {@link Component#memoryLimit}), each replaced by its {@code <component>.resources.*} setting when set. No CPU limit
   * unless one is set: a throttled JVM misses gRPC keepalives and leader-election heartbeats.
   */
  static ResourceRequirements resources(Component c, DaprSettings settings) {
    DaprSettings.Resources r = settings.resources(c.settingsKey());
    String limit = r.limitsMemory() != null ? r.limitsMemory() : c.memoryLimit();
    String request = r.requestsMemory() != null ? r.requestsMemory() : c.memoryRequest();
    if (r.requestsMemory() == null && DaprSettings.bytes(request) > DaprSettings.bytes(limit)) {
      request = limit; // a limit set below the default request: Kubernetes refuses a request above the limit
    }
    ResourceRequirementsBuilder b = new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity(r.requestsCpu() != null ? r.requestsCpu() : "100m"))
        .addToRequests("memory", new Quantity(request))
        .addToLimits("memory", new Quantity(limit));
    if (r.limitsCpu() != null) {
      b.addToLimits("cpu", new Quantity(r.limitsCpu()));
    }
    return b.build();
  }

  /**
   * The JVM heap options that fit the container's memory limit: the table's heap ({@link JvmOptions}) scaled by the
   * limit over the component's default limit, so the default limit gives the table's own heap, a raised limit a bigger
   * heap and a lowered one a smaller heap (never below 16 MiB); an initial or young size the smaller heap cannot hold is
   * lowered with it (the JVM refuses an initial heap above the maximum).
   */
  static List<String> heapFor(Component c, DaprSettings settings) {
    List<String> table = JvmOptions.of(c.name());
    long tableHeap = mib(JvmOptions.heapMax(table).orElseThrow(() -> new IllegalStateException("jvm-options/" + c.name() + " sets no -Xmx")));
    String limit = settings.resources(c.settingsKey()).limitsMemory();
    long heap = limit == null ? tableHeap
        : Math.max(16, tableHeap * DaprSettings.bytes(limit) / DaprSettings.bytes(c.memoryLimit()));
    List<String> out = new ArrayList<>();
    out.add("-Xmx" + heap + "m");
    for (String o : table) {
      if (o.startsWith("-Xms") && mib(o.substring(4)) > heap) {
        out.add("-Xms" + heap + "m");
      } else if (o.startsWith("-Xmn") && mib(o.substring(4)) > heap / 2) {
        out.add("-Xmn" + heap / 2 + "m");
      }
    }
    return out;
  }

  /** MiB of a JVM size such as {@code 128m} or {@code 1g}. */
  private static long mib(String jvmSize) {
    String v = jvmSize.toLowerCase(java.util.Locale.ROOT);
    long n = Long.parseLong(v.replaceAll("[kmg]$", ""));
    return switch (v.charAt(v.length() - 1)) {
      case 'g' -> n * 1024;
      case 'm' -> n;
      case 'k' -> n / 1024;
      default -> n >> 20;
    };
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
  static Service service(String name, Component c, InstallSpec spec, boolean publishNotReadyAddresses, ServicePort... ports) {
    return new ServiceBuilder()
        .withMetadata(meta(name, c, spec))
        .withNewSpec().withType("ClusterIP").withSelector(selector(c)).withPorts(ports)
          .withPublishNotReadyAddresses(publishNotReadyAddresses ? true : null).endSpec()
        .build();
  }

  static ServicePort servicePort(String name, int port, int targetPort) {
    return new ServicePortBuilder().withName(name).withProtocol("TCP").withPort(port).withTargetPort(new IntOrString(targetPort)).build();
  }

  /** Keeps three quarters of an HA component up through node drains and cluster upgrades. */
  static PodDisruptionBudget disruptionBudget(Component c, InstallSpec spec) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(c.workload(), c, spec))
        .withNewSpec().withMaxUnavailable(new IntOrString("25%")).withNewSelector().addToMatchLabels(selector(c)).endSelector().endSpec()
        .build();
  }
}
