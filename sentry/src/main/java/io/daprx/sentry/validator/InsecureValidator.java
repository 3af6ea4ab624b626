package io.daprx.sentry.validator;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.sentry.v1.SignCertificateRequest;

/**
 * Standalone mode's validator: accepts the identity a caller asks for. Only safe where every process
 * that can reach sentry is trusted (one machine, loopback), which is why it is never on in Kubernetes mode
 * unless named explicitly.
 */
public final class InsecureValidator implements Validator {

  /** Trust domain of apps that do not ask for one (Dapr's default). */
  public static final String DEFAULT_APP_TRUST_DOMAIN = "public";

  @Override
  public SpiffeId validate(SignCertificateRequest request) throws ValidationException {
    String td = request.getTrustDomain().isEmpty() ? DEFAULT_APP_TRUST_DOMAIN : request.getTrustDomain();
    try {
      return SpiffeId.of(td, request.getNamespace(), request.getId());
    } catch (IllegalArgumentException e) {
      throw new ValidationException(e.getMessage());
    }
  }
}
