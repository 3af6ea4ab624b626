package io.daprx.common.trust;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A checked CA bundle: the trust anchors, the issuer chain (issuer first) and the issuer's key, with the
 * PEM texts kept so that issuing a certificate never re-encodes them.
 */
public record CaBundle(
    List<X509Certificate> trustAnchors,
    List<X509Certificate> issuerChain,
    PrivateKey issuerKey,
    KeyAlgorithm issuerKeyAlgorithm,
    String trustAnchorsPem,
    String issuerChainPem) {

  public CaBundle {
    trustAnchors = List.copyOf(trustAnchors);
    issuerChain = List.copyOf(issuerChain);
    // the signing provider's own key object: translating it on every signature cost ~10 us and a lock
    issuerKey = io.daprx.common.pki.CryptoProviders.nativeKey(issuerKey, issuerKeyAlgorithm);
  }

  public X509Certificate issuer() {
    return issuerChain.get(0);
  }

  /** The anchor the issuer chains to most directly (the current root). */
  public X509Certificate root() {
    return trustAnchors.get(0);
  }

  public Instant issuerNotAfter() {
    return issuer().getNotAfter().toInstant();
  }

  /** The earliest expiry among the anchors still needed: the current root's. */
  public Instant rootNotAfter() {
    return root().getNotAfter().toInstant();
  }

  public RawBundle toRaw() {
    return new RawBundle(trustAnchorsPem, issuerChainPem, Pem.encodePrivateKey(issuerKey));
  }

  @Override
  public String toString() {
    return "CaBundle[issuer=" + issuer().getSubjectX500Principal() + ", anchors=" + trustAnchors.size() + ", key=<redacted>]";
  }
}
