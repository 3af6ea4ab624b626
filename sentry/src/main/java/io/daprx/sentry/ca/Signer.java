package io.daprx.sentry.ca;

import io.daprx.common.pki.Certs;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.trust.CaBundle;
import java.io.IOException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * Signs SVIDs with the current issuer: URI SAN only (plus DNS SANs for control-plane serving certs),
 * digitalSignature, serverAuth+clientAuth, NotBefore = now − skew, NotAfter = now + TTL (never past the
 * issuer's own expiry). TTL and skew come with each call ({@link IssuancePolicy}): their owner may change
 * them while sentry runs.
 */
public final class Signer {

  private static final X500Name EMPTY_SUBJECT = new X500Name(new org.bouncycastle.asn1.x500.RDN[0]);

  private final Supplier<CaBundle> ca;
  private final Clock clock;

  public Signer(Supplier<CaBundle> ca, Clock clock) {
    this.ca = ca;
    this.clock = clock;
  }

  public IssuedCertificate sign(PublicKey subjectKey, SpiffeId id, List<String> dnsNames, IssuancePolicy policy) {
    return sign(SubjectPublicKeyInfo.getInstance(subjectKey.getEncoded()), id, dnsNames, policy);
  }

  /** Signs straight from the CSR's key structure, sparing a key conversion on the hot path. */
  public IssuedCertificate sign(SubjectPublicKeyInfo subjectKey, SpiffeId id, List<String> dnsNames, IssuancePolicy policy) {
    CaBundle bundle = ca.get();
    Prepared prep = prepare(bundle);
    X509Certificate issuer = bundle.issuer();
    Instant now = clock.instant();
    Instant notAfter = now.plus(policy.workloadCertTtl());
    Instant issuerEnd = issuer.getNotAfter().toInstant();
    if (notAfter.isAfter(issuerEnd)) {
      notAfter = issuerEnd;
    }
    try {
      GeneralName[] names = new GeneralName[1 + dnsNames.size()];
      names[0] = new GeneralName(GeneralName.uniformResourceIdentifier, id.toString());
      for (int i = 0; i < dnsNames.size(); i++) {
        names[i + 1] = new GeneralName(GeneralName.dNSName, dnsNames.get(i));
      }
      X509v3CertificateBuilder b = new X509v3CertificateBuilder(
          prep.issuerName(), Certs.serial(),
          CertTime.of(now.minus(policy.allowedClockSkew())), CertTime.of(notAfter), EMPTY_SUBJECT, subjectKey)
          // The subject is empty, so RFC 5280 wants the SAN extension critical (Go's x509 does the same).
          .addExtension(Extension.subjectAlternativeName, true, new GeneralNames(names))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.authorityKeyIdentifier, false, prep.aki());
      X509CertificateHolder holder = b.build(Certs.signer(bundle.issuerKey(), bundle.issuerKeyAlgorithm()));
      byte[] der = holder.getEncoded();
      String chain = Pem.encode("CERTIFICATE", der) + bundle.issuerChainPem();
      return new IssuedCertificate(der, chain, bundle.trustAnchorsPem(), notAfter);
    } catch (IOException e) {
      throw new IllegalStateException("cannot sign a certificate for " + id + ": " + e.getMessage(), e);
    }
  }

  /** Per-bundle values computed once rather than per certificate; one field, so it swaps atomically. */
  private record Prepared(CaBundle bundle, X500Name issuerName, AuthorityKeyIdentifier aki) {}

  private volatile Prepared prepared;

  private Prepared prepare(CaBundle bundle) {
    Prepared p = prepared;
    if (p == null || p.bundle() != bundle) {
      try {
        p = new Prepared(bundle, X500Name.getInstance(bundle.issuer().getSubjectX500Principal().getEncoded()),
            new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(bundle.issuer().getPublicKey()));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      prepared = p;
    }
    return p;
  }
}
