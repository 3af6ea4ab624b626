package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.deploy.LocalTarget.PodsView;
import io.daprx.manager.deploy.Rollout;
import io.daprx.manager.deploy.Targets;
import io.daprx.manager.local.PodStatus;
import io.daprx.manager.local.ProcessSpec;
import io.daprx.manager.model.Component;
import io.daprx.manager.model.ControlPlane;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.store.Doc;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * How an installed control plane stands now, in the extension's {@code statuses} as az shows it: {@code provisioningState}
 * keeps az's meaning (how the last operation ended), and one status per component says whether its replicas run — with the
 * reason when they do not (which pod, its state, restarts, last exit; or which rollout is unfinished). Computed at each
 * read — on a local cluster from what the supervisor sees, on a connected one from its Deployments and StatefulSets —
 * never stored, so it cannot go stale: a control plane that crash-loops or is gone never reads as healthy. A status that
 * has not changed since the last operation keeps that operation's time, so a healthy install reads as it was stored.
 */
public final class ExtensionHealth {

  /** No live health: what the last operation stored is shown. */
  public static final ExtensionHealth NONE = new ExtensionHealth(null, null, Clock.systemUTC());

  /** The status code of a component with replicas down. */
  public static final String DEGRADED = "Degraded";

  private final BiFunction<Doc, String, PodsView> pods;
  private final BiFunction<Doc, String, Optional<List<Rollout>>> workloads;
  private final Clock clock;

  /**
   * @param pods the pods of a local cluster's install (cluster, namespace): the local target's {@code podsView}
   * @param workloads the workloads of a connected cluster's install, empty when it cannot be read now: the Kubernetes
   *     target's {@code workloads}
   */
  public ExtensionHealth(BiFunction<Doc, String, PodsView> pods, BiFunction<Doc, String, Optional<List<Rollout>>> workloads,
      Clock clock) {
    this.pods = pods;
    this.workloads = workloads;
    this.clock = clock;
  }

  /**
   * The extension as the API shows it: stored, with the readiness statuses of its last operation replaced by the
   * components' state now — when it is installed, and while a create or update rolls it out, so that a client polling
   * the operation can tell which component it waits for ({@code --verbose} prints each ready count as it changes).
   */
  ObjectNode shown(Doc cluster, Doc ext, Supplier<DaprSettings> installed) {
    ObjectNode out = Json.external(ext.body());
    Extension e = Extension.of(ext);
    String state = e.properties().provisioningState();
    boolean rollingOut = "Creating".equals(state) || "Updating".equals(state);
    if (!("Succeeded".equals(state) || rollingOut)
        || "Stopped".equals(cluster.body().path("properties").path("powerState").path("code").asText())) {
      return out;
    }
    String now = clock.instant().toString();
    List<Extension.Status> live;
    try {
      if (Targets.isConnected(cluster)) {
        DaprSettings settings = workloads == null ? null : installed.get();
        Optional<List<Rollout>> read = settings == null ? Optional.empty() : workloads.apply(cluster, e.namespace());
        if (read.isEmpty()) {
          return out; // the API server did not answer in time: what the last operation left
        }
        live = statuses(settings, read.get(), e.namespace(), now);
      } else {
        if (pods == null) {
          return out;
        }
        live = statuses(pods.apply(cluster, e.namespace()), e.namespace(), now);
      }
    } catch (RuntimeException unavailable) {
      // the supervisor is stopping with the server: show what the last operation left rather than fail the read
      return out;
    }
    List<Extension.Status> stored = e.properties().statuses();
    List<Extension.Status> st = new ArrayList<>();
    stored.stream().filter(s -> !s.code().equals("Ready") && !s.code().equals(DEGRADED)).forEach(st::add);
    for (Extension.Status s : live) {
      st.add(stored.stream().filter(old -> sameState(old, s)).findFirst().orElse(s));
    }
    ((ObjectNode) out.path("properties")).set("statuses", Json.MAPPER.valueToTree(st));
    return out;
  }

  private static boolean sameState(Extension.Status a, Extension.Status b) {
    return a.code().equals(b.code()) && a.displayStatus().equals(b.displayStatus()) && a.level().equals(b.level())
        && a.message().equals(b.message());
  }

  /**
   * A connected cluster's statuses, one per component the install has, in install order: {@code Ready} when its
   * workload has rolled out as {@code kubectl rollout status} means it, else {@code Degraded} with where the rollout
   * stands (an Error when no replica is ready or the workload is gone, a Warning otherwise).
   */
  static List<Extension.Status> statuses(DaprSettings settings, List<Rollout> workloads, String namespace, String now) {
    Map<String, Rollout> byName = new LinkedHashMap<>();
    workloads.forEach(r -> byName.put(r.name(), r));
    List<Extension.Status> out = new ArrayList<>();
    for (Component c : ControlPlane.COMPONENTS) {
      if (!c.installedWith(settings)) {
        continue;
      }
      String w = c.workload();
      Rollout r = byName.get(w);
      if (r == null) {
        out.add(new Extension.Status(DEGRADED, w + " missing", "Error", w + " is not in " + namespace
            + ": its Deployment or StatefulSet was deleted. Restore it with daprx k8s-extension update (any setting), or"
            + " delete and create the extension.", now));
      } else if (r.done()) {
        out.add(new Extension.Status("Ready", w + " " + r.ready() + "/" + r.desired() + " ready", "Information",
            r.ready() + " of " + r.desired() + " replicas of " + w + " are ready", now));
      } else {
        out.add(new Extension.Status(DEGRADED, w + " " + r.ready() + "/" + r.desired() + " ready", r.ready() == 0 ? "Error" : "Warning",
            r.describe() + ". See " + r.kubectl() + " and kubectl -n " + namespace + " describe pods.", now));
      }
    }
    return out;
  }

  /**
   * One status per component, in install order: {@code Ready} (Information) when every replica it should run is ready,
   * else {@code Degraded} — a Warning while some replicas serve, an Error when none does — naming each replica that is
   * not ready and why.
   */
  static List<Extension.Status> statuses(PodsView view, String namespace, String now) {
    Map<String, List<ProcessSpec>> desired = new LinkedHashMap<>();
    ControlPlane.COMPONENTS.forEach(c -> desired.put(c.name(), new ArrayList<>()));
    view.desired().forEach(s -> desired.computeIfAbsent(s.component(), c -> new ArrayList<>()).add(s));
    Map<String, PodStatus> byName = new LinkedHashMap<>();
    view.actual().forEach(p -> byName.put(p.name(), p));
    List<Extension.Status> out = new ArrayList<>();
    if (view.desired().isEmpty()) {
      out.add(new Extension.Status(DEGRADED, "Control plane down", "Error", "No process of the control plane in " + namespace
          + " is supervised: it is not running. Bring it back with 'daprx cluster start', or update the extension.", now));
      return out;
    }
    desired.forEach((component, specs) -> {
      if (specs.isEmpty()) {
        return;
      }
      String workload = ControlPlane.component(component).map(c -> c.workload()).orElse(component);
      int ready = 0;
      List<String> problems = new ArrayList<>();
      for (ProcessSpec spec : specs) {
        PodStatus p = byName.get(spec.name());
        if (p != null && p.ready()) {
          ready++;
        } else {
          problems.add(p == null ? spec.name() + " is not running" : describe(p));
        }
      }
      int total = specs.size();
      if (problems.isEmpty()) {
        out.add(new Extension.Status("Ready", workload + " " + ready + "/" + total + " ready", "Information",
            ready + " of " + total + " replicas of " + workload + " are ready", now));
      } else {
        out.add(new Extension.Status(DEGRADED, workload + " " + ready + "/" + total + " ready", ready == 0 ? "Error" : "Warning",
            ready + " of " + total + " replicas of " + workload + " are ready: " + String.join("; ", problems)
                + ". See daprx get pods -n " + namespace + " and daprx logs POD -n " + namespace + ".", now));
      }
    });
    return out;
  }

  private static String describe(PodStatus p) {
    StringBuilder sb = new StringBuilder(p.name()).append(" is ").append(p.ready() || !PodStatus.RUNNING.equals(p.status())
        ? p.status() : "Running but not ready");
    List<String> why = new ArrayList<>();
    if (p.restarts() > 0) {
      why.add(p.restarts() + (p.restarts() == 1 ? " restart" : " restarts"));
    }
    if (p.lastExitReason() != null) {
      why.add("last exit: " + p.lastExitReason());
    }
    if (!why.isEmpty()) {
      sb.append(" (").append(String.join(", ", why)).append(')');
    }
    return sb.toString();
  }
}
