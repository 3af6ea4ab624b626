package io.daprx.sentry.ca;

import java.security.cert.X509Certificate;
import java.time.Instant;

/** A signed workload certificate: the leaf, the PEM of leaf + issuer chain, and the anchors it chains to. */
public record IssuedCertificate(X509Certificate leaf, String chainPem, String trustAnchorsPem, Instant notAfter) {}
