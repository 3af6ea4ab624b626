package io.daprx.manager.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.util.ArrayList;
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
        .withLabels(Map.of("app.kubernetes.io/part-of", "dapr", "app.kubernetes.io/managed-by", "daprx")).endMetadata().build());
    out.addAll(crds.crds());
    out.addAll(Rbac.all(spec));
    out.add(SystemConfiguration.of(spec));
    out.addAll(TrustBundleObjects.of(spec));
    out.addAll(Workloads.sentry(spec));
    out.addAll(Workloads.operator(spec));
    out.addAll(Workloads.placement(spec));
    out.addAll(Workloads.injector(spec));
    out.addAll(Workloads.dashboard(spec));
    return out;
  }
}
