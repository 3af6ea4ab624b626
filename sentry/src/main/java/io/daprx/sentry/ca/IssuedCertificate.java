package io.daprx.sentry.ca;

import io.daprx.common.pki.Pem;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * A signed workload certificate: the leaf's DER, the PEM of leaf + issuer chain, and the anchors it chains
 * to. The leaf is parsed only when asked for ({@link #leaf()}): the hot path needs the PEM alone, and the
 * JDK's certificate factory serialises callers on its cache.
 */
public record IssuedCertificate(byte[] leafDer, String chainPem, String trustAnchorsPem, Instant notAfter) {

  public X509Certificate leaf() {
    return Pem.parseCertificates(Pem.encode("CERTIFICATE", leafDer)).get(0);
  }
}
