package io.daprx.sentry.jwt;

/** Where the JWT signing key and JWKS live: beside the CA, in the issuer-credentials directory or the trust-bundle Secret. */
public interface JwtKeyStore {

  /** What is stored; {@link JwtKeyMaterial#NONE} when nothing is. */
  JwtKeyMaterial load();

  /** Writes both (a rotation); the JWKS is also published where the store publishes the trust anchors. */
  void save(JwtKeyMaterial material);

  /** Writes {@code material} only if the store holds no key yet, safely against replicas starting together; returns what it holds afterwards. */
  JwtKeyMaterial saveIfAbsent(JwtKeyMaterial material);

  /** Where, in words, for messages. */
  String describe();
}
