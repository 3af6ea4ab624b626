package io.daprx.manager.kube;

import io.daprx.manager.model.ControlPlane;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every Kubernetes object of a Dapr install, built from the extension's settings without a client, in the
 * order they must be applied: the namespace, the CRDs, identities and rights, configuration, the trust bundle,
 * then the components in the order their dependencies start (sentry first: everyone else asks it for a
 * certificate; the injector last among them: it injects sidecars that need all the others).
 */
public final class ControlPlaneManifests {

  private ControlPlaneManifests() {}

  /** The install's objects, in apply order. */
  public static List<HasMetadata> render(InstallSpec spec, CrdSource crds) {
    List<HasMetadata> out = new ArrayList<>();
    out.add(new NamespaceBuilder().withNewMetadata().withName(spec.namespace())
        .withLabels(namespaceLabels()).endMetadata().build());
    out.addAll(crds.crds());
    out.addAll(Rbac.all(spec));
    out.add(SystemConfiguration.of(spec));
    out.addAll(TrustBundleObjects.of(spec));
    ControlPlane.COMPONENTS.forEach(c -> out.addAll(Workloads.of(c, spec)));
    return out;
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
