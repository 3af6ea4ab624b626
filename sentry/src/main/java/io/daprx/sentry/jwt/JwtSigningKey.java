package io.daprx.sentry.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * A checked signing key: its signer, algorithm and {@code kid}, and the public JWKS that verifies it (and, after a
 * rotation, tokens of the previous key). Made by {@link JwtKeys#open}.
 *
 * @param publicJwksJson the JWKS as served: public members only, whatever the stored file held
 */
public record JwtSigningKey(JWSSigner signer, JWSAlgorithm algorithm, String keyId, JWKSet publicJwks, String publicJwksJson) {

  @Override
  public String toString() {
    return "JwtSigningKey[kid=" + keyId + ", alg=" + algorithm + ", jwks keys=" + publicJwks.size() + ", key=<redacted>]";
  }
}
