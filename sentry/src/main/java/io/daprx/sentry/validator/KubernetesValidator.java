package io.daprx.sentry.validator;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.fabric8.kubernetes.client.KubernetesClient;

/** KUBERNETES validator (being written). */
public final class KubernetesValidator implements Validator {

  public KubernetesValidator(KubernetesClient client, SpiffeId sentryId, String controlPlaneNamespace, String controlPlaneTrustDomain) {
  }

  @Override
  public SpiffeId validate(SignCertificateRequest request) throws ValidationException {
    throw new ValidationException("the KUBERNETES validator is not available yet");
  }
}
