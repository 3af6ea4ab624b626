package io.daprx.common.pki;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.Svid;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/** A tiny test CA (root signs leaves directly), independent of sentry's own code, for testing TLS plumbing. */
public final class TestPki {

  private static final AtomicLong SERIAL = new AtomicLong(1);
  private final KeyPair rootKeys = KeyAlgorithm.EC_P256.generate();
  private final X509Certificate root;

  public TestPki(String name) {
    Instant now = Instant.now();
    root = build(new X500Name("O=" + name), rootKeys, rootKeys, null, now.minusSeconds(60), now.plusSeconds(86400), true, null);
  }

  public X509Certificate root() {
    return root;
  }

  public List<X509Certificate> anchors() {
    return List.of(root);
  }

  public Svid issue(SpiffeId id) {
    Instant now = Instant.now();
    return issue(id, now.minusSeconds(60), now.plusSeconds(3600));
  }

  public Svid issue(SpiffeId id, Instant notBefore, Instant notAfter) {
    return issue(id, KeyAlgorithm.EC_P256, notBefore, notAfter);
  }

  /** A leaf with a key of {@code keyType} (daprd 1.18 and upstream's control plane use Ed25519), signed with P-256. */
  public Svid issue(SpiffeId id, KeyAlgorithm keyType) {
    Instant now = Instant.now();
    return issue(id, keyType, now.minusSeconds(60), now.plusSeconds(3600));
  }

  private Svid issue(SpiffeId id, KeyAlgorithm keyType, Instant notBefore, Instant notAfter) {
    KeyPair keys = keyType.generate();
    X509Certificate leaf = build(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), keys, rootKeys, root, notBefore, notAfter, false, id);
    return new Svid(keys.getPrivate(), List.of(leaf), List.of(root));
  }

  private static X509Certificate build(X500Name subject, KeyPair subjectKeys, KeyPair issuerKeys, X509Certificate issuer,
      Instant notBefore, Instant notAfter, boolean ca, SpiffeId id) {
    try {
      X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(SERIAL.incrementAndGet()),
          Date.from(notBefore), Date.from(notAfter), subject, subjectKeys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign : KeyUsage.digitalSignature));
      if (id != null) {
        b.addExtension(Extension.subjectAlternativeName, true,
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString())));
      }
      return new JcaX509CertificateConverter().getCertificate(b.build(Certs.signer(issuerKeys.getPrivate(), KeyAlgorithm.EC_P256)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
