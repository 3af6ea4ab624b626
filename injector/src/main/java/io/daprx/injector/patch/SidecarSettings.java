package io.daprx.injector.patch;

import java.util.Objects;

/**
 * What the injector puts into every sidecar regardless of annotations: the image, the control plane's namespace,
 * trust domain, addresses and trust anchors. Addresses left null are derived as upstream does
 * ({@code dapr-api.<ns>.svc.<cluster domain>:443} and so on).
 *
 * @param sidecarImage daprd image unless {@code dapr.io/sidecar-image} overrides it
 * @param imagePullPolicy Always, IfNotPresent or Never; null leaves it to Kubernetes
 * @param trustAnchorsPem PEM of the current trust anchors, the value of {@code DAPR_TRUST_ANCHORS}
 * @param schedulerEnabled the cluster runs a scheduler: sidecars get {@code --scheduler-host-address} unless
 *     {@code dapr.io/scheduler-host-address} says otherwise
 * @param schedulerAddress where sidecars dial it (default: {@code dapr-scheduler-server-a.<ns>.svc.<domain>:443}, as upstream)
 * @param nativeSidecar inject daprd as a native sidecar unless {@code dapr.io/enable-native-sidecar} says otherwise
 */
public record SidecarSettings(
    String sidecarImage,
    String imagePullPolicy,
    String controlPlaneNamespace,
    String controlPlaneTrustDomain,
    String clusterDomain,
    String trustAnchorsPem,
    String sentryAddress,
    String operatorAddress,
    String placementAddress,
    boolean schedulerEnabled,
    String schedulerAddress,
    boolean runAsNonRoot,
    boolean readOnlyRootFilesystem,
    boolean dropAllCapabilities,
    boolean nativeSidecar) {

  /** Upstream's registry of {@code daprd}: {@code daprx inject} and {@code daprx injector} take the image from it by default. */
  public static final String DEFAULT_SIDECAR_REGISTRY = "ghcr.io/dapr";
  public static final String DEFAULT_CONTROL_PLANE_NAMESPACE = "dapr-system";
  public static final String DEFAULT_CONTROL_PLANE_TRUST_DOMAIN = io.daprx.common.spiffe.SpiffeId.CONTROL_PLANE_TRUST_DOMAIN;
  public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";

  public SidecarSettings {
    Objects.requireNonNull(sidecarImage, "sidecarImage");
    Objects.requireNonNull(controlPlaneNamespace, "controlPlaneNamespace");
    Objects.requireNonNull(controlPlaneTrustDomain, "controlPlaneTrustDomain");
    Objects.requireNonNull(clusterDomain, "clusterDomain");
    trustAnchorsPem = trustAnchorsPem == null ? "" : trustAnchorsPem;
    String svc = "." + controlPlaneNamespace + ".svc." + clusterDomain;
    sentryAddress = blank(sentryAddress) ? "dapr-sentry" + svc + ":443" : sentryAddress;
    operatorAddress = blank(operatorAddress) ? "dapr-api" + svc + ":443" : operatorAddress;
    placementAddress = blank(placementAddress) ? "dapr-placement-server" + svc + ":50005" : placementAddress;
    schedulerAddress = blank(schedulerAddress) ? "dapr-scheduler-server-a" + svc + ":443" : schedulerAddress;
    if (imagePullPolicy != null && !imagePullPolicy.isEmpty()
        && !(imagePullPolicy.equals("Always") || imagePullPolicy.equals("IfNotPresent") || imagePullPolicy.equals("Never"))) {
      throw new IllegalArgumentException("invalid sidecar image pull policy '" + imagePullPolicy + "': use Always, IfNotPresent or Never");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /**
   * The {@code daprd} image of a Dapr version. No fixed tag lives here: the version is the one of the catalog release
   * being installed (the manager passes it) or of this build's own catalog entry ({@code daprx inject}).
   */
  public static String image(String registry, String daprVersion) {
    return registry + "/daprd:" + daprVersion;
  }

  /** Upstream's defaults with this image and trust anchors: non-root, read-only root file system, classic sidecar. */
  public static SidecarSettings defaults(String sidecarImage, String trustAnchorsPem) {
    return new SidecarSettings(sidecarImage, null, DEFAULT_CONTROL_PLANE_NAMESPACE, DEFAULT_CONTROL_PLANE_TRUST_DOMAIN,
        DEFAULT_CLUSTER_DOMAIN, trustAnchorsPem, null, null, null, true, null, true, true, false, false);
  }

  /** The audience of daprd's projected token: sentry's SPIFFE ID. */
  public String sentryAudience() {
    return "spiffe://" + controlPlaneTrustDomain + "/ns/" + controlPlaneNamespace + "/dapr-sentry";
  }

  public SidecarSettings withTrustAnchors(String pem) {
    return new SidecarSettings(sidecarImage, imagePullPolicy, controlPlaneNamespace, controlPlaneTrustDomain, clusterDomain, pem,
        sentryAddress, operatorAddress, placementAddress, schedulerEnabled, schedulerAddress, runAsNonRoot, readOnlyRootFilesystem,
        dropAllCapabilities, nativeSidecar);
  }

  public SidecarSettings withNativeSidecar(boolean enabled) {
    return new SidecarSettings(sidecarImage, imagePullPolicy, controlPlaneNamespace, controlPlaneTrustDomain, clusterDomain,
        trustAnchorsPem, sentryAddress, operatorAddress, placementAddress, schedulerEnabled, schedulerAddress, runAsNonRoot,
        readOnlyRootFilesystem, dropAllCapabilities, enabled);
  }
}
