package io.daprx.common.trust;

import io.daprx.common.pki.Certs;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * Makes, checks and rotates CA bundles. Everything here is a function of its inputs and the clock: no
 * store is touched, so the caller (sentry's CA holder, the manager, {@code daprx mtls}) decides what to read
 * and write.
 */
public final class CaBundles {

  /** Validity of a generated root and issuer (Dapr: one year). */
  public static final Duration DEFAULT_CA_TTL = Duration.ofDays(365);

  private static final SecureRandom RANDOM = new SecureRandom();

  private CaBundles() {}

  /** A new self-signed root ({@code O=<trust domain>}) and an issuer ({@code O=<sentry SPIFFE ID>}) signed by it. */
  public static CaBundle generate(String trustDomain, String namespace, Duration ttl, Clock clock) {
    KeyPair rootKeys = KeyAlgorithm.EC_P256.generate();
    X509Certificate root = newRoot(trustDomain, rootKeys, ttl, clock);
    return withNewIssuer(root, List.of(root), List.of(), rootKeys.getPrivate(), trustDomain, namespace, ttl, clock);
  }

  /** A self-signed root {@code O=<trust domain>} for the given keys (for users who keep their root key). */
  public static X509Certificate newRoot(String trustDomain, KeyPair rootKeys, Duration ttl, Clock clock) {
    X500Name rootName = org(trustDomain);
    return caCertificate(rootName, rootKeys.getPublic(), rootName, rootKeys.getPrivate(), null, clock.instant(), ttl, -1,
        KeyUsage.keyCertSign | KeyUsage.cRLSign);
  }

  /** A bundle under a root whose key the caller holds: a fresh issuer signed by it. */
  public static CaBundle underRoot(X509Certificate root, PrivateKey rootKey, String trustDomain, String namespace, Duration ttl, Clock clock) {
    return withNewIssuer(root, List.of(root), List.of(), rootKey, trustDomain, namespace, ttl, clock);
  }

  /**
   * A bundle with a fresh issuer under the same root: running workloads keep trusting it because the
   * anchors do not change.
   */
  public static CaBundle renewIssuer(CaBundle current, PrivateKey rootKey, String trustDomain, String namespace, Duration ttl, Clock clock) {
    List<X509Certificate> bridge = current.issuerChain().subList(1, current.issuerChain().size());
    return withNewIssuer(current.root(), current.trustAnchors(), bridge, rootKey, trustDomain, namespace, ttl, clock);
  }

  /**
   * A new root and issuer with an overlap: the anchors become {new root, old root} so new workloads trust
   * certificates from the old issuer. With the old root's key, the issuer chain also carries the new root
   * cross-signed by the old root, so workloads that only know the old root trust certificates from the new
   * issuer at once; without it ({@code oldRootKey} null) they trust them from their next renewal, which
   * hands them the new anchors.
   */
  public static CaBundle renewRoot(CaBundle current, PrivateKey oldRootKey, String trustDomain, String namespace, Duration ttl, Clock clock) {
    Instant now = clock.instant();
    KeyPair rootKeys = KeyAlgorithm.EC_P256.generate();
    X500Name rootName = org(trustDomain);
    X509Certificate newRoot = newRoot(trustDomain, rootKeys, ttl, clock);
    X509Certificate oldRoot = current.root();
    List<X509Certificate> bridge = new ArrayList<>();
    if (oldRootKey != null) {
      Instant crossUntil = min(now.plus(ttl), oldRoot.getNotAfter().toInstant());
      bridge.add(caCertificate(rootName, rootKeys.getPublic(),
          X500Name.getInstance(oldRoot.getSubjectX500Principal().getEncoded()), oldRootKey, oldRoot, now,
          Duration.between(now, crossUntil), -1, KeyUsage.keyCertSign | KeyUsage.cRLSign));
    }
    List<X509Certificate> anchors = new ArrayList<>();
    anchors.add(newRoot);
    if (oldRoot.getNotAfter().toInstant().isAfter(now)) {
      anchors.add(oldRoot);
    }
    return withNewIssuer(newRoot, anchors, bridge, rootKeys.getPrivate(), trustDomain, namespace, ttl, clock);
  }

  private static CaBundle withNewIssuer(X509Certificate root, List<X509Certificate> anchors, List<X509Certificate> bridge,
      PrivateKey rootKey, String trustDomain, String namespace, Duration ttl, Clock clock) {
    Instant now = clock.instant();
    KeyPair issuerKeys = KeyAlgorithm.EC_P256.generate();
    Duration issuerTtl = ttl;
    Instant rootEnd = root.getNotAfter().toInstant();
    if (now.plus(issuerTtl).isAfter(rootEnd)) {
      issuerTtl = Duration.between(now, rootEnd); // an issuer cannot outlive its root
    }
    X509Certificate issuer = caCertificate(org("spiffe://" + trustDomain + "/ns/" + namespace + "/dapr-sentry"),
        issuerKeys.getPublic(), X500Name.getInstance(root.getSubjectX500Principal().getEncoded()), rootKey, root, now,
        issuerTtl, 0, KeyUsage.keyCertSign | KeyUsage.cRLSign);
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(issuer);
    chain.addAll(bridge);
    return assemble(anchors, chain, issuerKeys.getPrivate());
  }

  private static CaBundle assemble(List<X509Certificate> anchors, List<X509Certificate> chain, PrivateKey key) {
    return new CaBundle(anchors, chain, key, KeyAlgorithm.of(chain.get(0).getPublicKey()),
        Pem.encodeCertificates(anchors), Pem.encodeCertificates(chain));
  }

  /**
   * Parses and checks a stored bundle. Each failure says which file is wrong and what to do; a bundle is
   * never replaced here, because silently regenerating a CA cuts off every running workload.
   */
  public static CaBundle parse(RawBundle raw, String where, Clock clock) {
    return parse(raw, where, clock, true);
  }

  /**
   * Like {@link #parse(RawBundle, String, Clock)}, but with {@code requireUnexpired} false an expired
   * bundle is accepted (its chain is checked as of the issuer's start), so it can be renewed.
   */
  public static CaBundle parse(RawBundle raw, String where, Clock clock, boolean requireUnexpired) {
    if (!raw.complete()) {
      List<String> missing = new ArrayList<>();
      if (raw.caCrt() == null) missing.add(RawBundle.CA_CRT);
      if (raw.issuerCrt() == null) missing.add(RawBundle.ISSUER_CRT);
      if (raw.issuerKey() == null) missing.add(RawBundle.ISSUER_KEY);
      throw new CaBundleException("the CA bundle in " + where + " is incomplete: " + String.join(", ", missing)
          + " missing. Restore the missing file(s) from a backup, or remove all three to let sentry generate a new CA"
          + " (every workload certificate issued by the old CA stops being trusted).");
    }
    List<X509Certificate> anchors = parseCerts(raw.caCrt(), RawBundle.CA_CRT, where);
    List<X509Certificate> chain = parseCerts(raw.issuerCrt(), RawBundle.ISSUER_CRT, where);
    PrivateKey key;
    try {
      key = Pem.parsePrivateKey(raw.issuerKey());
    } catch (IllegalArgumentException e) {
      throw new CaBundleException(RawBundle.ISSUER_KEY + " in " + where + " is not a usable private key (" + e.getMessage()
          + "). Restore it from a backup, or run 'daprx mtls renew-certificate' to issue a new issuer.");
    }
    X509Certificate issuer = chain.get(0);
    KeyAlgorithm alg;
    try {
      alg = KeyAlgorithm.of(issuer.getPublicKey());
    } catch (IllegalArgumentException e) {
      throw new CaBundleException(RawBundle.ISSUER_CRT + " in " + where + ": " + e.getMessage());
    }
    if (!keyMatches(key, issuer.getPublicKey(), alg)) {
      throw new CaBundleException(RawBundle.ISSUER_KEY + " in " + where + " does not belong to the certificate in "
          + RawBundle.ISSUER_CRT + ". Put the matching key back, or run 'daprx mtls renew-certificate' to issue a new issuer.");
    }
    if (issuer.getBasicConstraints() < 0) {
      throw new CaBundleException(RawBundle.ISSUER_CRT + " in " + where + " is not a CA certificate (basicConstraints CA is false).");
    }
    Instant now = requireUnexpired ? clock.instant() : issuer.getNotBefore().toInstant().plusSeconds(1);
    for (X509Certificate a : anchors) {
      if (requireUnexpired && a.getNotAfter().toInstant().isBefore(now)) {
        throw new CaBundleException("the root certificate in " + RawBundle.CA_CRT + " (" + where + ") expired at "
            + a.getNotAfter().toInstant() + ". Run 'daprx mtls renew-certificate --root' to make a new root and issuer"
            + " (workloads must then be restarted to trust it).");
      }
    }
    if (requireUnexpired && issuer.getNotAfter().toInstant().isBefore(now)) {
      throw new CaBundleException("the issuer certificate in " + RawBundle.ISSUER_CRT + " (" + where + ") expired at "
          + issuer.getNotAfter().toInstant() + ". Run 'daprx mtls renew-certificate' to issue a new issuer under the same root.");
    }
    if (requireUnexpired && issuer.getNotBefore().toInstant().isAfter(now.plus(Duration.ofMinutes(15)))) {
      throw new CaBundleException("the issuer certificate in " + where + " is not valid before " + issuer.getNotBefore().toInstant()
          + "; check this machine's clock.");
    }
    try {
      Certs.verifyChain(chain, anchors, now);
    } catch (GeneralSecurityException e) {
      throw new CaBundleException(RawBundle.ISSUER_CRT + " in " + where + " does not chain to the root in " + RawBundle.CA_CRT
          + " (" + e.getMessage() + "). The files come from different CAs: restore matching files from one backup.");
    }
    return new CaBundle(anchors, chain, key, alg, raw.caCrt(), raw.issuerCrt());
  }

  /** Whether {@code key} is the private key of {@code cert}: a sign-and-verify probe. */
  public static boolean keyMatches(PrivateKey key, X509Certificate cert) {
    try {
      return keyMatches(key, cert.getPublicKey(), KeyAlgorithm.of(cert.getPublicKey()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The trust domain and control-plane namespace a bundle was made for, read back from the issuer's
   * subject {@code O=spiffe://<td>/ns/<ns>/dapr-sentry}; empty when the issuer was made elsewhere.
   */
  public static java.util.Optional<io.daprx.common.spiffe.SpiffeId> issuerIdentity(CaBundle bundle) {
    String dn = bundle.issuer().getSubjectX500Principal().getName();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("O=(spiffe://[^,]+)").matcher(dn);
    if (!m.find()) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(io.daprx.common.spiffe.SpiffeId.parse(m.group(1)));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  private static List<X509Certificate> parseCerts(String pem, String file, String where) {
    try {
      return Pem.parseCertificates(pem);
    } catch (IllegalArgumentException e) {
      throw new CaBundleException(file + " in " + where + " is not a PEM certificate (" + e.getMessage()
          + "). Restore it from a backup.");
    }
  }

  private static boolean keyMatches(PrivateKey key, PublicKey pub, KeyAlgorithm alg) {
    try {
      byte[] probe = new byte[32];
      RANDOM.nextBytes(probe);
      Signature s = Signature.getInstance(alg.signatureAlgorithm());
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg.signatureAlgorithm());
      v.initVerify(pub);
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static X509Certificate caCertificate(X500Name subject, PublicKey subjectKey, X500Name issuerName, PrivateKey issuerKey,
      X509Certificate issuerCert, Instant now, Duration ttl, int pathLen, int keyUsage) {
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, Certs.serial(),
          Date.from(now.minus(Duration.ofMinutes(15))), Date.from(now.plus(ttl)), subject, subjectKey)
          .addExtension(Extension.basicConstraints, true, pathLen >= 0 ? new BasicConstraints(pathLen) : new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
      if (issuerCert != null) {
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerCert));
      }
      KeyAlgorithm alg = KeyAlgorithm.of(issuerCert != null ? issuerCert.getPublicKey() : subjectKey);
      return new JcaX509CertificateConverter().getCertificate(b.build(Certs.signer(issuerKey, alg)));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a CA certificate: " + e.getMessage(), e);
    }
  }

  private static X500Name org(String o) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, o).build();
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
