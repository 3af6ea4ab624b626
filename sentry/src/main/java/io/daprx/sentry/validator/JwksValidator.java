package io.daprx.sentry.validator;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import java.time.Clock;

/** JWKS validator (being written). */
public final class JwksValidator implements Validator {

  public JwksValidator(String source, SpiffeId sentryId, Clock clock) {
  }

  @Override
  public SpiffeId validate(SignCertificateRequest request) throws ValidationException {
    throw new ValidationException("the JWKS validator is not available yet");
  }
}
