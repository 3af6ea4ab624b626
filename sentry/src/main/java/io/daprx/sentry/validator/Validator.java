package io.daprx.sentry.validator;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.sentry.v1.SignCertificateRequest;

/**
 * Decides whether a signing request proves the identity it asks for (Dapr's {@code validator.Validator}).
 * Implementations return the SPIFFE ID to put in the certificate, or throw {@link ValidationException}.
 * The request's id, namespace and CSR are already checked for form when a validator runs.
 */
public interface Validator {
  SpiffeId validate(SignCertificateRequest request) throws ValidationException;
}
