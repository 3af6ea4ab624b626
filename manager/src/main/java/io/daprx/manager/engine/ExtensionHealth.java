package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.deploy.LocalTarget.PodsView;
import io.daprx.manager.deploy.Targets;
import io.daprx.manager.local.PodStatus;
import io.daprx.manager.local.ProcessSpec;
import io.daprx.manager.model.ControlPlane;
import io.daprx.manager.store.Doc;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * How an installed control plane stands now, in the extension's {@code statuses} as az shows it: {@code provisioningState}
 * keeps az's meaning (how the last operation ended), and one status per component says whether its replicas run — with the
 * reason when they do not (which pod, its state, restarts, last exit). Computed at each read from what the supervisor sees,
 * never stored, so it cannot go stale: a control plane that crash-loops or is gone never reads as healthy.
 */
public final class ExtensionHealth {

  /** Health is the supervisor's word: only local clusters have one. */
  public static final ExtensionHealth NONE = new ExtensionHealth(null, Clock.systemUTC());

  /** The status code of a component with replicas down. */
  public static final String DEGRADED = "Degraded";

  private final BiFunction<Doc, String, PodsView> pods;
  private final Clock clock;

  /** @param pods the pods of a local cluster's install (cluster, namespace): the local target's {@code podsView} */
  public ExtensionHealth(BiFunction<Doc, String, PodsView> pods, Clock clock) {
    this.pods = pods;
    this.clock = clock;
  }

  /**
   * The extension as the API shows it: stored, with the readiness statuses of its last operation replaced by the
   * components' state now — when it is installed and nothing is changing it (an operation reports its own progress).
   */
  ObjectNode shown(Doc cluster, Doc ext) {
    ObjectNode out = Json.external(ext.body());
    Extension e = Extension.of(ext);
    if (pods == null || Targets.isConnected(cluster) || !"Succeeded".equals(e.properties().provisioningState())
        || "Stopped".equals(cluster.body().path("properties").path("powerState").path("code").asText())) {
      return out;
    }
    PodsView view;
    try {
      view = pods.apply(cluster, e.namespace());
    } catch (RuntimeException unavailable) {
      // the supervisor is stopping with the server: show what the last operation left rather than fail the read
      return out;
    }
    List<Extension.Status> st = new ArrayList<>();
    e.properties().statuses().stream().filter(s -> !s.code().equals("Ready") && !s.code().equals(DEGRADED)).forEach(st::add);
    st.addAll(statuses(view, e.namespace(), clock.instant().toString()));
    ((ObjectNode) out.path("properties")).set("statuses", Json.MAPPER.valueToTree(st));
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
