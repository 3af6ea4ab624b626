package io.daprx.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.daprx.common.pki.CryptoProviders;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.trust.CaBundle;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.daprx.proto.sentry.v1.SignCertificateResponse;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
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
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * A prototype of sentry's signing path with the costs the profile found taken out, to measure what the
 * proposed changes to {@code CaService}/{@code Signer}/{@code Certs} would give before anyone makes them.
 * The leaf has the shape {@code Signer} gives it (P-256 and Ed25519 CSRs only; no id or token validation):
 *
 * <ul>
 *   <li>the JCA provider is looked up once, not per certificate through {@code Security.getProviders(filter)}
 *       (which hashes every provider's whole property table, under each provider's lock);
 *   <li>the issuer key is translated to that provider's key class once, not on every {@code initSign};
 *   <li>the CSR signature is checked with one plain JCA verify: BouncyCastle's verifier for ECDSA
 *       ({@code RawSigVerifier}) verifies a second time on a raw signature object, doubling the cost;
 *   <li>the leaf is PEM-encoded from its DER without building a {@code java.security.cert.X509Certificate}.
 * </ul>
 */
final class FastSignPath {

  private static final String ECDSA = "SHA256withECDSA";
  /** Random positive 128-bit serials, as CaBundles makes them (its helper is package-private). */
  private static final SecureRandom RANDOM = new SecureRandom();

  private final CaBundle ca;
  private final Provider provider;
  private final PrivateKey issuerKey;
  private final X500Name issuerName;
  private final AuthorityKeyIdentifier aki;
  private final KeyFactory ecKeys;
  private final KeyFactory edKeys;
  private final Duration ttl;
  private final Duration skew;

  FastSignPath(CaBundle ca, Duration ttl, Duration skew) throws GeneralSecurityException {
    this.ca = ca;
    this.ttl = ttl;
    this.skew = skew;
    this.provider = CryptoProviders.signatureProvider(ECDSA);
    this.issuerKey = KeyFactory.getInstance("EC", provider).generatePrivate(new PKCS8EncodedKeySpec(ca.issuerKey().getEncoded()));
    this.issuerName = X500Name.getInstance(ca.issuer().getSubjectX500Principal().getEncoded());
    this.aki = new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.issuer().getPublicKey());
    this.ecKeys = KeyFactory.getInstance("EC", CryptoProviders.signatureProvider(ECDSA));
    this.edKeys = keyFactory(CryptoProviders.signatureProvider("Ed25519"), "Ed25519", "EdDSA");
  }

  /** The signing provider's own key factory, so that initVerify gets a key it need not translate. */
  private static KeyFactory keyFactory(Provider p, String... names) throws GeneralSecurityException {
    for (String n : names) {
      if (p.getService("KeyFactory", n) != null) {
        return KeyFactory.getInstance(n, p);
      }
    }
    return KeyFactory.getInstance(names[0]);
  }

  SignCertificateResponse sign(SignCertificateRequest req) throws GeneralSecurityException, IOException, OperatorCreationException {
    PKCS10CertificationRequest csr = Pem.parseCsr(req.getCertificateSigningRequest().toByteArray());
    SubjectPublicKeyInfo spki = csr.getSubjectPublicKeyInfo();
    verifyCsr(csr, spki);
    SpiffeId id = SpiffeId.of(req.getTrustDomain().isEmpty() ? "public" : req.getTrustDomain(), req.getNamespace(), req.getId());
    Instant now = Instant.now();
    Instant notAfter = now.plus(ttl);
    if (notAfter.isAfter(ca.issuerNotAfter())) {
      notAfter = ca.issuerNotAfter();
    }
    ContentSigner signer = new JcaContentSignerBuilder(ECDSA).setProvider(provider).build(issuerKey);
    X509CertificateHolder leaf = new X509v3CertificateBuilder(issuerName, new BigInteger(128, RANDOM).setBit(0),
        Date.from(now.minus(skew)), Date.from(notAfter), new X500Name(new RDN[0]), spki)
        .addExtension(Extension.subjectAlternativeName, true,
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString())))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        .addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.authorityKeyIdentifier, false, aki)
        .build(signer);
    return SignCertificateResponse.newBuilder()
        .setWorkloadCertificate(ByteString.copyFromUtf8(Pem.encode("CERTIFICATE", leaf.getEncoded()) + ca.issuerChainPem()))
        .addTrustChainCertificates(ByteString.copyFromUtf8(ca.trustAnchorsPem()))
        .setValidUntil(Timestamp.newBuilder().setSeconds(notAfter.getEpochSecond()).setNanos(notAfter.getNano()))
        .build();
  }

  private void verifyCsr(PKCS10CertificationRequest csr, SubjectPublicKeyInfo spki) throws GeneralSecurityException, IOException {
    ASN1ObjectIdentifier keyAlg = spki.getAlgorithm().getAlgorithm();
    ASN1ObjectIdentifier sigAlg = csr.getSignatureAlgorithm().getAlgorithm();
    PublicKey key;
    String jca;
    if (keyAlg.equals(X9ObjectIdentifiers.id_ecPublicKey) && SECObjectIdentifiers.secp256r1.equals(spki.getAlgorithm().getParameters())
        && sigAlg.equals(X9ObjectIdentifiers.ecdsa_with_SHA256)) {
      key = ecKeys.generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
      jca = ECDSA;
    } else if (keyAlg.equals(EdECObjectIdentifiers.id_Ed25519) && sigAlg.equals(EdECObjectIdentifiers.id_Ed25519)) {
      key = edKeys.generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
      jca = "Ed25519";
    } else {
      throw new GeneralSecurityException("prototype accepts P-256/SHA-256 and Ed25519 CSRs only");
    }
    Signature v = Signature.getInstance(jca, provider);
    v.initVerify(key);
    v.update(csr.toASN1Structure().getCertificationRequestInfo().getEncoded());
    if (!v.verify(csr.getSignature())) {
      throw new GeneralSecurityException("CSR signature does not match its key");
    }
  }
}
