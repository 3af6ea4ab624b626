package io.daprx.manager.kube;

import io.daprx.manager.catalog.Release;
import io.daprx.manager.model.DaprSettings;
import io.daprx.common.trust.RawBundle;
import java.util.Objects;

/**
 * What an install on Kubernetes is rendered from.
 *
 * @param namespace the control-plane (release) namespace
 * @param settings the extension's parsed configuration settings
 * @param release the daprx version being installed (from the catalog): its image tag, unless {@code global.tag}
 *     overrides it, and the Dapr runtime version it speaks, the tag of the injected {@code daprd}
 * @param trustBundle the CA to install, or null to let sentry generate one into the (then empty) Secret
 */
public record InstallSpec(String namespace, DaprSettings settings, Release release, RawBundle trustBundle) {

  public InstallSpec {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(release, "release");
    if (trustBundle != null && !trustBundle.complete()) {
      // half a bundle would make sentry refuse to start; say so here, where the caller can still fix it
      throw new IllegalArgumentException("a trust bundle needs ca.crt, issuer.crt and issuer.key (got " + trustBundle + ")");
    }
  }

  /** One image for every component: the entrypoint is {@code daprx}, the first argument names the component. */
  public String image() {
    return settings.registry() + "/daprx:" + (settings.tag() != null ? settings.tag() : release.imageTag());
  }

  /** The {@code daprd} image the injector adds to pods. */
  public String sidecarImage() {
    return settings.sidecarImage(release.daprVersion());
  }

  /** The daprx version, as the {@code app.kubernetes.io/version} label shows it. */
  public String version() {
    return release.version().toString();
  }

  String serviceHost(String service) {
    return service + "." + namespace + ".svc.cluster.local";
  }

  String sentryAddress() {
    return serviceHost("dapr-sentry") + ":443";
  }

  /** The audience sentry's Kubernetes validator expects on a control-plane token. */
  String sentryAudience() {
    return "spiffe://" + io.daprx.manager.model.ControlPlane.TRUST_DOMAIN + "/ns/" + namespace + "/dapr-sentry";
  }
}
