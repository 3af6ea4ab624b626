package io.daprx.common.tls;

import io.daprx.common.pki.Certs;
import io.daprx.common.spiffe.SpiffeId;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * An X.509 SVID: the private key, the chain (leaf first, then the issuer chain) and the trust anchors
 * that were current when it was issued.
 */
public record Svid(PrivateKey privateKey, List<X509Certificate> chain, List<X509Certificate> trustAnchors) {

  public Svid {
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("an SVID needs at least its leaf certificate");
    }
    chain = List.copyOf(chain);
    trustAnchors = List.copyOf(trustAnchors);
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  public SpiffeId id() {
    return Certs.spiffeId(leaf()).orElseThrow(() -> new IllegalStateException("SVID leaf has no SPIFFE URI SAN"));
  }

  public Instant notBefore() {
    return Certs.notBefore(leaf());
  }

  public Instant notAfter() {
    return Certs.notAfter(leaf());
  }
}
