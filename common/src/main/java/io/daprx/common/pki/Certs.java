package io.daprx.common.pki;

import io.daprx.common.spiffe.SpiffeId;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Certificate helpers shared by sentry and every SVID holder. */
public final class Certs {

  private static final int SAN_URI = 6;
  private static final SecureRandom SERIALS = new SecureRandom();

  private Certs() {}

  /** A BouncyCastle signer for a private key of one of our {@link KeyAlgorithm}s, on the fastest provider. */
  public static ContentSigner signer(java.security.PrivateKey key, KeyAlgorithm alg) {
    try {
      return new JcaContentSignerBuilder(alg.signatureAlgorithm())
          .setProvider(CryptoProviders.signatureProvider(alg.signatureAlgorithm()))
          .build(key);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign with a " + alg + " key: " + e.getMessage(), e);
    }
  }

  /** A CSR as daprd makes it: empty subject, no extensions, signed by the new key. */
  public static PKCS10CertificationRequest csr(KeyPair keys, KeyAlgorithm alg) {
    return new JcaPKCS10CertificationRequestBuilder(new X500Principal(""), keys.getPublic())
        .build(signer(keys.getPrivate(), alg));
  }

  /** The single SPIFFE URI SAN of a certificate, if it has one that parses. */
  public static Optional<SpiffeId> spiffeId(X509Certificate cert) {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return Optional.empty();
      }
      SpiffeId found = null;
      for (List<?> san : sans) {
        if (((Integer) san.get(0)) == SAN_URI && san.get(1) instanceof String uri && uri.startsWith("spiffe://")) {
          if (found != null) {
            return Optional.empty(); // SPIFFE allows exactly one URI SAN
          }
          found = SpiffeId.parse(uri);
        }
      }
      return Optional.ofNullable(found);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Verifies that {@code chain} (leaf first, then any intermediates in any order) chains up to one of
   * {@code anchors} at {@code at}, the way daprd's Go x509 verification does: path building over the
   * presented certificates, no revocation checks. Path building (not just validation of the given order)
   * is what lets a cross-signed root bridge an old and a new trust anchor during a root rotation.
   */
  public static void verifyChain(List<X509Certificate> chain, Collection<X509Certificate> anchors, Instant at)
      throws GeneralSecurityException {
    if (chain.isEmpty()) {
      throw new java.security.cert.CertificateException("empty certificate chain");
    }
    Set<TrustAnchor> trust = new HashSet<>();
    for (X509Certificate a : anchors) {
      trust.add(new TrustAnchor(a, null));
    }
    X509CertSelector target = new X509CertSelector();
    target.setCertificate(chain.get(0));
    PKIXBuilderParameters params = new PKIXBuilderParameters(trust, target);
    params.setRevocationEnabled(false);
    params.setDate(Date.from(at));
    params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(chain)));
    try {
      CertPathBuilder.getInstance("PKIX").build(params);
    } catch (java.security.cert.CertPathBuilderException e) {
      throw new java.security.cert.CertificateException("certificate does not chain to a trust anchor: " + e.getMessage(), e);
    }
  }

  /** A random positive 128-bit serial, as Dapr and Go's x509 do; CA and leaf certificates both take one. */
  public static BigInteger serial() {
    return new BigInteger(128, SERIALS).setBit(0);
  }

  public static Instant notAfter(X509Certificate c) {
    return c.getNotAfter().toInstant();
  }

  public static Instant notBefore(X509Certificate c) {
    return c.getNotBefore().toInstant();
  }
}
