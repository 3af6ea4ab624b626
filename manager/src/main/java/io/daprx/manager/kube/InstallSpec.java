package io.daprx.manager.kube;

import io.daprx.manager.install.DaprSettings;
import io.daprx.sentry.ca.RawBundle;
import java.util.Objects;

/**
 * What an install on Kubernetes is rendered from.
 *
 * @param namespace the control-plane (release) namespace
 * @param settings the extension's parsed configuration settings
 * @param version the daprx version being installed: the image tag unless {@code global.tag} overrides it
 * @param daprVersion the Dapr runtime version this daprx version speaks: the tag of the injected {@code daprd}
 * @param trustBundle the CA to install, or null to let sentry generate one into the (then empty) Secret
 */
public record InstallSpec(String namespace, DaprSettings settings, String version, String daprVersion, RawBundle trustBundle) {

  /** The control plane's SPIFFE trust domain; sidecars and sentry agree on it, so it is not a setting. */
  public static final String TRUST_DOMAIN = "cluster.local";

  public InstallSpec {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(daprVersion, "daprVersion");
    if (trustBundle != null && !trustBundle.complete()) {
      // half a bundle would make sentry refuse to start; say so here, where the caller can still fix it
      throw new IllegalArgumentException("a trust bundle needs ca.crt, issuer.crt and issuer.key (got " + trustBundle + ")");
    }
  }

  /** One image for every component: the entrypoint is {@code daprx}, the first argument names the component. */
  public String image() {
    return settings.registry() + "/daprx:" + (settings.tag() != null ? settings.tag() : version);
  }

  /** The {@code daprd} image the injector adds to pods. */
  public String sidecarImage() {
    return settings.registry() + "/daprd:" + daprVersion;
  }

  String serviceHost(String service) {
    return service + "." + namespace + ".svc.cluster.local";
  }

  String sentryAddress() {
    return serviceHost("dapr-sentry") + ":443";
  }

  /** The audience sentry's Kubernetes validator expects on a control-plane token. */
  String sentryAudience() {
    return "spiffe://" + TRUST_DOMAIN + "/ns/" + namespace + "/dapr-sentry";
  }
}
