package io.daprx.interop.kube;

import io.daprx.common.pki.Certs;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * A one-level CA for the kube tests' TLS servers (the API server's serving certificate, the injector's webhook
 * certificate): what a cluster's installer or cert-manager would issue. P-256 keys: fast to make, accepted by Go's TLS.
 */
final class TestCa {

  /** A server certificate and its key, PEM. */
  record Leaf(String certPem, String keyPem) {}

  private final PrivateKey signingKey;
  private final KeyAlgorithm signingAlgorithm;
  private final X509Certificate root;
  /** Appended to every leaf: the issuer when it is not itself the root a client trusts. */
  private final String chainPem;
  private long serial = 1;

  TestCa(String name) {
    KeyPair keys = KeyAlgorithm.EC_P256.generate();
    signingKey = keys.getPrivate();
    signingAlgorithm = KeyAlgorithm.EC_P256;
    root = build(new X500Name("CN=" + name), keys.getPublic(), null, Instant.now(), true, List.of());
    chainPem = "";
  }

  /**
   * Issues under an existing CA, e.g. sentry's issuer: the webhook certificate a cluster's injector gets from sentry, so
   * the caBundle the injector writes (sentry's anchors) verifies it; the leaves carry the issuer's certificate.
   */
  TestCa(X509Certificate issuer, PrivateKey issuerKey) {
    signingKey = issuerKey;
    signingAlgorithm = KeyAlgorithm.of(issuer.getPublicKey());
    root = issuer;
    chainPem = Pem.encodeCertificate(issuer);
  }

  String certPem() {
    return Pem.encodeCertificate(root);
  }

  /** A serving certificate for these DNS names and IP addresses (entries that parse as IPv4 are IP SANs). */
  synchronized Leaf serving(String commonName, List<String> names) {
    KeyPair leafKeys = KeyAlgorithm.EC_P256.generate();
    X509Certificate leaf = build(new X500Name("CN=" + commonName), leafKeys.getPublic(), root, Instant.now(), false, names);
    return new Leaf(Pem.encodeCertificate(leaf) + chainPem, Pem.encodePrivateKey(leafKeys.getPrivate()));
  }

  private X509Certificate build(X500Name subject, PublicKey subjectKey, X509Certificate issuer, Instant now, boolean ca, List<String> names) {
    try {
      X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(serial++),
          Date.from(now.minusSeconds(300)), Date.from(now.plusSeconds(86_400)), subject, subjectKey);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
      if (!ca) {
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        List<GeneralName> sans = new ArrayList<>();
        for (String n : names) {
          sans.add(n.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
      }
      return new JcaX509CertificateConverter().getCertificate(b.build(Certs.signer(signingKey, signingAlgorithm)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue a test certificate: " + e.getMessage(), e);
    }
  }
}
