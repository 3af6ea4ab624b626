package io.daprx.common.trust;

/**
 * The three PEM texts of a CA bundle as stored: {@code ca.crt} (trust anchors), {@code issuer.crt}
 * (issuer certificate, optionally followed by intermediates up to the root) and {@code issuer.key}.
 * A field is null when the store has no such key.
 */
public record RawBundle(String caCrt, String issuerCrt, String issuerKey) {

  public static final String CA_CRT = "ca.crt";
  public static final String ISSUER_CRT = "issuer.crt";
  public static final String ISSUER_KEY = "issuer.key";

  public boolean empty() {
    return caCrt == null && issuerCrt == null && issuerKey == null;
  }

  public boolean complete() {
    return caCrt != null && issuerCrt != null && issuerKey != null;
  }

  /** Never print the key. */
  @Override
  public String toString() {
    return "RawBundle[ca.crt=" + (caCrt != null) + ", issuer.crt=" + (issuerCrt != null) + ", issuer.key=" + (issuerKey != null ? "<redacted>" : "false") + "]";
  }
}
