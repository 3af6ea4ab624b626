package io.daprx.sentry.jwt;

/**
 * The JWT signing key and its JWKS as stored beside the CA: {@code jwt.key} (PEM PKCS#8) and {@code jwks.json} (the public
 * keys relying parties verify with: the signing key's, and after a rotation the previous one's). A field is null when the
 * store has no such key.
 */
public record JwtKeyMaterial(String signingKeyPem, String jwksJson) {

  public static final JwtKeyMaterial NONE = new JwtKeyMaterial(null, null);

  public boolean empty() {
    return signingKeyPem == null && jwksJson == null;
  }

  public boolean complete() {
    return signingKeyPem != null && jwksJson != null;
  }

  /** Never print the key. */
  @Override
  public String toString() {
    return "JwtKeyMaterial[key=" + (signingKeyPem != null ? "<redacted>" : "none") + ", jwks=" + (jwksJson != null) + "]";
  }
}
