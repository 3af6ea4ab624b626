package io.daprx.cli;

import io.daprx.common.runtime.ComponentFlags;
import io.daprx.injector.InjectorFlags;
import io.daprx.injector.patch.SidecarSettings;
import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.engine.Versions;
import picocli.CommandLine.Option;

/** What every injected sidecar gets, shared by {@code daprx injector} and {@code daprx inject}. */
final class SidecarFlags {

  @Option(names = InjectorFlags.SIDECAR_IMAGE, defaultValue = "${env:SIDECAR_IMAGE}",
      description = "daprd image unless dapr.io/sidecar-image says otherwise; env SIDECAR_IMAGE is honoured (default: "
          + SidecarSettings.DEFAULT_SIDECAR_REGISTRY + "/daprd tagged with the Dapr version of this build's catalog entry;"
          + " an install by the manager passes the one of the release it installs)")
  String sidecarImage;

  @Option(names = "--sidecar-image-pull-policy", defaultValue = "${env:SIDECAR_IMAGE_PULL_POLICY:-}",
      description = "Always, IfNotPresent or Never (default: Kubernetes decides)")
  String imagePullPolicy;

  @Option(names = ComponentFlags.TRUST_DOMAIN, defaultValue = SidecarSettings.DEFAULT_CONTROL_PLANE_TRUST_DOMAIN,
      description = "trust domain of the control plane (default: ${DEFAULT-VALUE})")
  String trustDomain;

  @Option(names = {"--namespace", "--control-plane-namespace"}, defaultValue = "${env:NAMESPACE:-" + SidecarSettings.DEFAULT_CONTROL_PLANE_NAMESPACE + "}",
      description = "namespace of the control plane; env NAMESPACE is honoured (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = "--kube-cluster-domain", defaultValue = "${env:KUBE_CLUSTER_DOMAIN:-" + SidecarSettings.DEFAULT_CLUSTER_DOMAIN + "}",
      description = "the cluster's DNS domain, for the control-plane addresses (default: ${DEFAULT-VALUE})")
  String clusterDomain;

  @Option(names = "--sidecar-sentry-address", paramLabel = "HOST:PORT",
      description = "sentry as sidecars dial it (default: dapr-sentry.<namespace>.svc.<domain>:443)")
  String sentryAddress;

  @Option(names = "--sidecar-control-plane-address", paramLabel = "HOST:PORT",
      description = "the operator as sidecars dial it (default: dapr-api.<namespace>.svc.<domain>:443)")
  String operatorAddress;

  @Option(names = InjectorFlags.SIDECAR_PLACEMENT_ADDRESS, paramLabel = "HOST:PORT",
      description = "placement as sidecars dial it (default: dapr-placement-server.<namespace>.svc.<domain>:50005)")
  String placementAddress;

  @Option(names = InjectorFlags.SCHEDULER_ENABLED, defaultValue = "true", arity = "0..1", fallbackValue = "true",
      description = "the cluster runs a scheduler: sidecars get --scheduler-host-address unless dapr.io/scheduler-host-address"
          + " says otherwise; false when it has none, since a sidecar pointed at a scheduler that does not answer never"
          + " becomes ready (default: ${DEFAULT-VALUE})")
  boolean schedulerEnabled;

  @Option(names = InjectorFlags.SIDECAR_SCHEDULER_ADDRESS, paramLabel = "HOST:PORT",
      description = "the scheduler as sidecars dial it (default: dapr-scheduler-server-a.<namespace>.svc.<domain>:443)")
  String schedulerAddress;

  @Option(names = "--sidecar-run-as-non-root", defaultValue = "true", arity = "0..1", fallbackValue = "true", description = "(default: ${DEFAULT-VALUE})")
  boolean runAsNonRoot;

  @Option(names = "--sidecar-read-only-root-filesystem", defaultValue = "true", arity = "0..1", fallbackValue = "true", description = "(default: ${DEFAULT-VALUE})")
  boolean readOnlyRootFilesystem;

  @Option(names = "--sidecar-drop-all-capabilities", defaultValue = "false", arity = "0..1", fallbackValue = "true", description = "(default: ${DEFAULT-VALUE})")
  boolean dropAllCapabilities;

  @Option(names = "--enable-native-sidecar", defaultValue = "false", arity = "0..1", fallbackValue = "true",
      description = "inject daprd as a native sidecar (an init container with restartPolicy Always) unless"
          + " dapr.io/enable-native-sidecar says otherwise (default: ${DEFAULT-VALUE})")
  boolean nativeSidecar;

  SidecarSettings settings(String anchorsPem) {
    String image = sidecarImage == null || sidecarImage.isBlank() ? defaultSidecarImage() : sidecarImage;
    return new SidecarSettings(image, imagePullPolicy == null || imagePullPolicy.isEmpty() ? null : imagePullPolicy,
        namespace, trustDomain, clusterDomain, anchorsPem, sentryAddress, operatorAddress, placementAddress, schedulerEnabled,
        schedulerAddress, runAsNonRoot, readOnlyRootFilesystem, dropAllCapabilities, nativeSidecar);
  }

  /**
   * The daprd this build speaks: the Dapr version of its own entry in the built-in catalog (the newest stable one when a
   * development build is not listed), so a new catalog entry moves the default without a second place to edit.
   */
  static String defaultSidecarImage() {
    Catalog catalog = Catalog.builtIn();
    Release own = catalog.find(Semver.parse(Versions.CURRENT)).orElseGet(() -> catalog.defaultVersion(Catalog.DEFAULT_TRAIN));
    return SidecarSettings.image(SidecarSettings.DEFAULT_SIDECAR_REGISTRY, own.daprVersion());
  }
}
