package io.daprx.manager.model;

import io.daprx.common.runtime.ComponentFlags;
import io.daprx.common.runtime.GoDuration;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.dashboard.DashboardFlags;
import io.daprx.injector.InjectorFlags;
import io.daprx.manager.model.Component.DataVolume;
import io.daprx.manager.model.Component.NamedPort;
import io.daprx.manager.model.Component.ServicePort;
import io.daprx.manager.model.Component.ServiceSpec;
import io.daprx.manager.model.Component.Shape;
import io.daprx.operator.OperatorFlags;
import io.daprx.placement.PlacementFlags;
import io.daprx.scheduler.SchedulerFlags;
import io.daprx.sentry.SentryFlags;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The Dapr control plane, once: every component in install order (sentry first, since every other component gets its
 * identity from it; the injector last of the four, since the sidecars it injects need all the others; the dashboard
 * after them), with everything both targets need to run it. The local renderer ({@code install.InstallPlan}) turns it
 * into processes, the Kubernetes renderer ({@code kube.ControlPlaneManifests}) into objects; adding a component is one
 * entry here plus its launcher ({@code daprx <name>}).
 */
public final class ControlPlane {

  /** The control plane's SPIFFE trust domain; sidecars and sentry agree on it, so it is not a setting. */
  public static final String TRUST_DOMAIN = SpiffeId.CONTROL_PLANE_TRUST_DOMAIN;
  /** Where every component container serves {@code /healthz} and {@code /metrics} on Kubernetes (upstream's ports). */
  public static final int HEALTHZ_PORT = 8080;
  public static final int METRICS_PORT = 9090;
  /** Installed whatever the settings say. */
  private static final Predicate<DaprSettings> ALWAYS = s -> true;

  public static final Component SENTRY = new Component("sentry", "dapr-sentry", "dapr_sentry", "dapr-sentry", Shape.DEPLOYMENT,
      true, null, ALWAYS, false, new NamedPort("grpc", 50001), true, List.of(),
      List.of(new ServiceSpec("dapr-sentry", List.of(new ServicePort("grpc", 443, 50001)), 0, false, false)),
      null, "448Mi", "768Mi", 0, ControlPlane::sentryFlags);

  public static final Component OPERATOR = new Component("operator", "dapr-operator", "dapr_operator", "dapr-operator",
      Shape.DEPLOYMENT, true, null, ALWAYS, true, new NamedPort("grpc", 6500), true, List.of(new NamedPort("webhook", 19443)),
      List.of(new ServiceSpec("dapr-api", List.of(new ServicePort("grpc", 443, 6500)), 2, false, false),
          // the CRDs' conversion webhook: the API server calls it, never a local process
          new ServiceSpec("dapr-webhook", List.of(new ServicePort("webhook", 443, 19443)), null, false, false)),
      null, "192Mi", "512Mi", 1, l -> optional(OperatorFlags.RESOURCES_PATH, l.resourcesPath()));

  /**
   * Stable replica names: each replica knows every peer's raft address from the start. Its leader-election log is its
   * data (on Kubernetes a volume per replica in HA unless {@code forceInMemoryLog}, as upstream). It requests 256Mi:
   * an HA replica measured 207-219 MiB RSS at rest with C2 (bench/footprint.sh), 128-132 MiB peak under 1,000 sidecars
   * with C1 only (bench/placement-bench.sh), 259 MiB under 1,000 mTLS streams (versus-upstream.sh).
   */
  public static final Component PLACEMENT = new Component("placement", "dapr-placement-server", "dapr_placement",
      "dapr-placement", Shape.STATEFUL_SET, true, null, ALWAYS, true, new NamedPort("api", 50005), true, List.of(new NamedPort("raft-node", 8201)),
      List.of(new ServiceSpec("dapr-placement-server", List.of(new ServicePort("api", 50005, 50005),
          new ServicePort("raft-node", 8201, 8201)), 1, true, true)),
      new DataVolume("raft-log", "/var/run/dapr/raft-log", "placement-raft"), "256Mi", "512Mi", 2, ControlPlane::placementFlags);

  /**
   * Jobs, actor reminders and workflow timers: three peer replicas whatever {@code global.ha.enabled} says, as upstream
   * 1.17+ (they share one replicated store, whose quorum needs three), each knowing every peer's address from the start
   * and keeping its share of the store on a volume of its own (or in memory with
   * {@code dapr_scheduler.cluster.inMemoryStorage}). Installed after placement, before the injector, whose sidecars are
   * pointed at it; not at all with {@code global.scheduler.enabled=false}. Both Services list replicas before they are
   * ready, as upstream's: a replica that cannot reach its peers never becomes ready.
   */
  public static final Component SCHEDULER = new Component("scheduler", "dapr-scheduler-server", "dapr_scheduler", "dapr-scheduler",
      Shape.STATEFUL_SET, false, 3, s -> s.scheduler().enabled(), true, new NamedPort("api", 50006), true,
      List.of(new NamedPort("etcd-peer", 2380)),
      List.of(new ServiceSpec("dapr-scheduler-server-a", List.of(new ServicePort("api", 443, 50006)), 5, false, true),
          new ServiceSpec("dapr-scheduler-server", List.of(new ServicePort("api", 50006, 50006),
              new ServicePort("etcd-peer", 2380, 2380)), 6, true, true)),
      new DataVolume("dapr-scheduler-data-dir", "/var/run/data/dapr-scheduler", "scheduler-data"), "256Mi", "1Gi", 5,
      ControlPlane::schedulerFlags);

  public static final Component INJECTOR = new Component("injector", "dapr-sidecar-injector", "dapr_sidecar_injector",
      "dapr-injector", Shape.DEPLOYMENT, true, null, ALWAYS, true, new NamedPort("https", 4000), true, List.of(),
      List.of(new ServiceSpec("dapr-sidecar-injector", List.of(new ServicePort("https", 443, 4000)), 3, false, false)),
      null, "192Mi", "512Mi", 3, ControlPlane::injectorFlags);

  /** Reads the cluster only (no sentry identity), and runs one replica even in HA, as upstream. */
  public static final Component DASHBOARD = new Component("dashboard", "dapr-dashboard", "dapr_dashboard", "dapr-dashboard",
      Shape.DEPLOYMENT, false, null, ALWAYS, false, new NamedPort("http", 8080), false, List.of(),
      List.of(new ServiceSpec("dapr-dashboard", List.of(new ServicePort("http", 8080, 8080)), 4, false, false)),
      null, "128Mi", "384Mi", 4, ControlPlane::dashboardFlags);

  /** Install order. */
  public static final List<Component> COMPONENTS = List.of(SENTRY, OPERATOR, PLACEMENT, SCHEDULER, INJECTOR, DASHBOARD);

  private ControlPlane() {}

  /** The components an install with these settings runs, in install order. */
  public static List<Component> installed(DaprSettings settings) {
    return COMPONENTS.stream().filter(c -> c.installedWith(settings)).toList();
  }

  /**
   * A StatefulSet's replicas as each one's peer flag lists them: {@code <workload>-<i>=<address>}, the address where
   * replica {@code i}'s peer port listens; the scheduler's as a URL, as upstream's {@code --etcd-initial-cluster} takes it.
   */
  public static String peers(Component c, int replicas, java.util.function.IntFunction<String> peerHostPort) {
    String scheme = c == SCHEDULER ? "http://" : "";
    return IntStream.range(0, replicas).mapToObj(i -> c.workload() + "-" + i + "=" + scheme + peerHostPort.apply(i))
        .collect(Collectors.joining(","));
  }

  public static Optional<Component> component(String name) {
    return COMPONENTS.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * The app id of a component's SPIFFE ID: upstream's {@code dapr-<name>}, which sentry's Kubernetes validator expects of
   * a pod annotated {@code dapr.io/control-plane: <name>}.
   */
  public static String appId(Component c) {
    return "dapr-" + c.name();
  }

  /** A component's place in the install order. */
  public static int order(String name) {
    for (int i = 0; i < COMPONENTS.size(); i++) {
      if (COMPONENTS.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no control-plane component " + name);
  }

  /**
   * The command line of one replica, after the launcher: {@link #launcher}, the flags every component shares (mode, ports,
   * identity, logging), then its own. The same for both targets; only the facts in {@code launch} differ.
   */
  public static List<String> args(Component c, Launch l) {
    List<String> a = new ArrayList<>(launcher(c));
    a.addAll(List.of(ComponentFlags.MODE, l.kubernetes() ? "kubernetes" : standaloneMode(c),
        ComponentFlags.PORT, "" + l.port()));
    if (c.healthPorts()) {
      a.addAll(List.of(ComponentFlags.HEALTHZ_PORT, "" + l.healthzPort(), ComponentFlags.METRICS_PORT, "" + l.metricsPort()));
    }
    if (l.listenAddress() != null) {
      a.addAll(List.of(ComponentFlags.LISTEN_ADDRESS, l.listenAddress()));
    }
    if (c.healthPorts()) {
      a.addAll(List.of(ComponentFlags.TRUST_DOMAIN, TRUST_DOMAIN));
    }
    a.addAll(List.of(ComponentFlags.NAMESPACE, l.namespace()));
    if (c.asksSentry()) {
      a.addAll(List.of(ComponentFlags.SENTRY_ADDRESS, l.sentryAddress(), ComponentFlags.TRUST_ANCHORS_FILE, l.trustAnchorsFile()));
      a.addAll(optional(ComponentFlags.SENTRY_TOKEN_FILE, l.sentryTokenFile()));
    }
    a.addAll(List.of(ComponentFlags.LOG_LEVEL, c == SCHEDULER ? l.settings().scheduler().logLevel() : l.settings().logLevel()));
    if (l.settings().logAsJson()) {
      a.add(ComponentFlags.LOG_AS_JSON);
    }
    a.addAll(c.flags().apply(l));
    return a;
  }

  /**
   * The words that start a component: {@code daprx <name>}, but {@code daprx dashboard serve} for the dashboard, since a
   * user's {@code daprx dashboard} opens the running one (as {@code dapr dashboard -k}) rather than starting another.
   */
  public static List<String> launcher(Component c) {
    return c == DASHBOARD ? List.of(c.name(), "serve") : List.of(c.name());
  }

  /** The dashboard calls its standalone mode {@code local}: it reads a local cluster through the management server. */
  private static String standaloneMode(Component c) {
    return c == DASHBOARD ? "local" : "standalone";
  }

  /**
   * On Kubernetes sentry reads the certificate TTL and clock skew from the {@code daprsystem} Configuration, as upstream
   * does, and follows a user's edit of it: passing them as flags too would make two sources of truth.
   */
  private static List<String> sentryFlags(Launch l) {
    List<String> a = new ArrayList<>(optional(SentryFlags.ISSUER_CREDENTIALS, l.issuerCredentials()));
    a.addAll(optional(SentryFlags.CONTROL_PLANE_JWKS, l.controlPlaneJwks()));
    if (!l.kubernetes()) {
      a.addAll(List.of(SentryFlags.WORKLOAD_CERT_TTL, GoDuration.format(l.settings().workloadCertTtl()),
          SentryFlags.ALLOWED_CLOCK_SKEW, GoDuration.format(l.settings().allowedClockSkew())));
    }
    a.addAll(sentryJwtFlags(l));
    return a;
  }

  /**
   * Upstream chart's JWT and OIDC arguments, in its order and {@code --flag=value} form. The discovery server listens on
   * every interface of the pod (as the chart has it) or on loopback on the replica's own port locally.
   */
  static List<String> sentryJwtFlags(Launch l) {
    DaprSettings.SentryJwt j = l.settings().sentryJwt();
    List<String> a = new ArrayList<>();
    if (!j.enabled()) {
      return a;
    }
    a.add(SentryFlags.JWT_ENABLED + "=true");
    a.addAll(assigned(SentryFlags.JWT_ISSUER, j.issuer()));
    a.addAll(assigned(SentryFlags.JWT_SIGNING_ALGORITHM, j.signingAlgorithm()));
    a.addAll(assigned(SentryFlags.JWT_KEY_ID, j.keyId()));
    if (j.oidcEnabled()) {
      a.add(SentryFlags.OIDC_ENABLED + "=true");
      a.add(SentryFlags.OIDC_SERVER_LISTEN_ADDRESS + "=" + (l.kubernetes() ? "0.0.0.0" : "127.0.0.1"));
      a.add(SentryFlags.OIDC_SERVER_LISTEN_PORT + "=" + (l.oidcPort() != null ? l.oidcPort() : j.oidcPort()));
      a.addAll(assigned(SentryFlags.OIDC_JWKS_URI, j.oidcJwksUri()));
      a.addAll(assigned(SentryFlags.OIDC_PATH_PREFIX, j.oidcPathPrefix()));
      a.addAll(assigned(SentryFlags.OIDC_ALLOWED_HOSTS, j.oidcAllowedHosts().isEmpty() ? null : String.join(",", j.oidcAllowedHosts())));
      a.addAll(assigned(SentryFlags.OIDC_SERVER_TLS_CERT_FILE, j.oidcTlsCertFile()));
      a.addAll(assigned(SentryFlags.OIDC_SERVER_TLS_KEY_FILE, j.oidcTlsKeyFile()));
      // upstream's chart leaves out a false here, so its sentry serves TLS whatever the value says; ours passes it
      a.add(SentryFlags.OIDC_SERVER_TLS_ENABLED + "=" + j.oidcTlsEnabled());
    }
    return a;
  }

  private static List<String> assigned(String flag, String value) {
    return value == null ? List.of() : List.of(flag + "=" + value);
  }

  private static List<String> placementFlags(Launch l) {
    List<String> a = new ArrayList<>(List.of(PlacementFlags.ID, l.replicaId(), PlacementFlags.INITIAL_CLUSTER, l.peers(),
        PlacementFlags.RAFT_LOGSTORE_PATH, l.dataPath(),
        // the dashboard's placement page and actor lookups read the leader's tables (GET /placement/state, healthz port)
        PlacementFlags.METADATA_ENABLED));
    // only when set: the default is placement's own, and a new flag on every install would restart every placement pod
    java.time.Duration window = l.settings().placementCoalesceWindow();
    if (!window.isZero()) {
      a.addAll(List.of(PlacementFlags.DISSEMINATE_COALESCE_WINDOW,
          window.toMillis() % 1000 == 0 ? GoDuration.format(window) : window.toMillis() + "ms"));
    }
    return a;
  }

  /**
   * The replica's id and its peers, the address sidecars dial it on (each replica's own, so WatchHosts lists every
   * replica), its share of the store (none: in memory) and mTLS with sidecars, which upstream's chart always turns on.
   */
  private static List<String> schedulerFlags(Launch l) {
    List<String> a = new ArrayList<>(List.of(SchedulerFlags.ID, l.replicaId(), SchedulerFlags.ETCD_INITIAL_CLUSTER, l.peers(),
        SchedulerFlags.OVERRIDE_BROADCAST_HOST_PORT, l.broadcastAddress()));
    a.addAll(optional(SchedulerFlags.ETCD_DATA_DIR, l.dataPath()));
    a.add(SchedulerFlags.TLS_ENABLED);
    return a;
  }

  /**
   * Whether the install has a scheduler, as upstream tells its injector; locally also where sidecars reach it (its Service's
   * loopback port). On Kubernetes the injector derives {@code dapr-scheduler-server-a.<ns>.svc.<domain>:443} itself, from
   * the cluster domain, as upstream's does.
   */
  private static List<String> injectorFlags(Launch l) {
    List<String> a = new ArrayList<>(optional(InjectorFlags.SIDECAR_IMAGE, l.sidecarImage()));
    a.add(InjectorFlags.SCHEDULER_ENABLED + "=" + (l.schedulerAddress() != null));
    if (!l.kubernetes()) {
      a.addAll(optional(InjectorFlags.SIDECAR_SCHEDULER_ADDRESS, l.schedulerAddress()));
    }
    return a;
  }

  private static List<String> dashboardFlags(Launch l) {
    return l.dashboard() == null ? List.of() : List.of(DashboardFlags.MANAGER_SERVER_FILE, l.dashboard().serverFile(),
        DashboardFlags.MANAGER_TOKEN_FILE, l.dashboard().tokenFile(), DashboardFlags.CLUSTER_ID, l.dashboard().clusterId());
  }

  private static List<String> optional(String flag, String value) {
    return value == null ? List.of() : List.of(flag, value);
  }
}
