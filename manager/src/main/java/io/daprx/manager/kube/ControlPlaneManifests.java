package io.daprx.manager.kube;

import io.daprx.manager.model.Component;
import io.daprx.manager.model.ControlPlane;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every Kubernetes object of a Dapr install, built from the extension's settings without a client, in the
 * order they must be applied: the namespace, the CRDs, identities and rights, configuration, the trust bundle,
 * then the components in the order their dependencies start (sentry first: everyone else asks it for a
 * certificate; the injector last among them: it injects sidecars that need all the others). A component the settings
 * turn off (the scheduler) has a step that deletes its objects instead.
 */
public final class ControlPlaneManifests {

  private ControlPlaneManifests() {}

  /**
   * One named step of an install: objects applied together, then the step's gate — each of its workloads rolled out —
   * before the next step begins.
   *
   * @param removed objects of a component the settings turn off (the scheduler with {@code global.scheduler.enabled=false}):
   *     deleted at this step, so an update that turns it off removes what an earlier install made
   */
  public record Step(String name, List<HasMetadata> objects, List<HasMetadata> removed) {

    public Step {
      objects = List.copyOf(objects);
      removed = List.copyOf(removed);
    }

    public Step(String name, List<HasMetadata> objects) {
      this(name, objects, List.of());
    }

    /** What the step's gate waits for. */
    public List<HasMetadata> workloads() {
      return objects.stream().filter(o -> o instanceof Deployment || o instanceof StatefulSet).toList();
    }
  }

  /** The install as a straight chain of named steps: namespace, CRDs, RBAC, configuration, trust bundle, each component. */
  public static List<Step> steps(InstallSpec spec, CrdSource crds) {
    List<Step> out = new ArrayList<>();
    out.add(new Step("namespace", List.of(new NamespaceBuilder().withNewMetadata().withName(spec.namespace())
        .withLabels(namespaceLabels()).endMetadata().build())));
    out.add(new Step("crds", new ArrayList<HasMetadata>(crds.crds())));
    out.add(new Step("rbac", Rbac.all(spec)));
    out.add(new Step("configuration", List.of(SystemConfiguration.of(spec))));
    out.add(new Step("trust-bundle", TrustBundleObjects.of(spec)));
    for (Component c : ControlPlane.COMPONENTS) {
      if (c.installedWith(spec.settings())) {
        out.add(new Step(c.name(), Workloads.of(c, spec)));
      } else {
        List<HasMetadata> gone = new ArrayList<>(Workloads.of(c, spec));
        gone.addAll(Rbac.of(c, spec));
        out.add(new Step(c.name(), List.of(), gone));
      }
    }
    return out;
  }

  /** The install's objects, in apply order. */
  public static List<HasMetadata> render(InstallSpec spec, CrdSource crds) {
    return steps(spec, crds).stream().flatMap(s -> s.objects().stream()).collect(java.util.stream.Collectors.toCollection(ArrayList::new));
  }

  // In a fixed order: Map.of iterates differently from one JVM to the next, and a render must print the same bytes each
  // time (GitOps diffs it).
  private static Map<String, String> namespaceLabels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/part-of", "dapr");
    labels.put("app.kubernetes.io/managed-by", "daprx");
    return labels;
  }
}
