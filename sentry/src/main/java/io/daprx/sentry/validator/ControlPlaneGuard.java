package io.daprx.sentry.validator;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.sentry.v1.SignCertificateRequest;

/**
 * Keeps the control plane's identities to those its supervisor vouches for: a request for an identity in the
 * control-plane namespace or trust domain is checked by {@code controlPlane} (the JWKS validator over the cluster's
 * key), whatever validator it names; any other request goes to the validator it names. Without it a standalone
 * sentry's INSECURE validator hands {@code dapr-operator}, {@code dapr-placement} or {@code dapr-sentry} to any local
 * process that asks.
 */
public final class ControlPlaneGuard implements Validator {

  private final Validator controlPlane;
  private final Validator others;
  private final String namespace;
  private final String trustDomain;

  /**
   * @param controlPlane decides every request for a control-plane identity
   * @param others decides the rest (the validator the request names)
   * @param namespace the control plane's namespace
   * @param trustDomain the control plane's trust domain
   */
  public ControlPlaneGuard(Validator controlPlane, Validator others, String namespace, String trustDomain) {
    this.controlPlane = controlPlane;
    this.others = others;
    this.namespace = namespace;
    this.trustDomain = trustDomain;
  }

  @Override
  public SpiffeId validate(SignCertificateRequest request) throws ValidationException {
    if (!covers(request)) {
      return others.validate(request);
    }
    String who = request.getNamespace() + "/" + request.getId();
    if (request.getToken().isEmpty()) {
      throw new ValidationException(who + " is a control-plane identity: it needs a control-plane token signed by the cluster's key"
          + " (its supervisor gives one to each control-plane replica); no token was sent");
    }
    try {
      return controlPlane.validate(request);
    } catch (ValidationException e) {
      throw new ValidationException(who + " is a control-plane identity and its control-plane token was refused: " + e.getMessage(),
          e.detail());
    }
  }

  /** An identity in the control plane's namespace or in its trust domain (an empty one is the apps' default). */
  private boolean covers(SignCertificateRequest request) {
    String td = request.getTrustDomain().isEmpty() ? InsecureValidator.DEFAULT_APP_TRUST_DOMAIN : request.getTrustDomain();
    return request.getNamespace().equals(namespace) || td.equals(trustDomain);
  }
}
