package io.daprx.manager.engine;

import io.daprx.common.pki.Certs;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.Svid;
import io.daprx.common.tls.SvidSource;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundles;
import io.daprx.common.trust.FileBundleStore;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.RDN;
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
 * The manager's own short-lived client certificate for a local cluster's control plane, signed by the cluster's
 * issuer (the manager keeps that trust bundle: it made it). Shaped as sentry's SVIDs (empty subject, one critical
 * SPIFFE URI SAN, digitalSignature, client and server auth) so every SPIFFE peer check accepts it; minted here
 * rather than asked of sentry, so the admin identity exists only where the issuer key is, not for anyone who can
 * reach a sentry with an insecure token validator. Renewed at half its life on the next handshake.
 */
final class AdminCertificates implements SvidSource {

  static final Duration TTL = Duration.ofHours(1);
  private static final Duration SKEW = Duration.ofMinutes(1);

  private final Path bundleDir;
  private final SpiffeId id;
  private final Clock clock;
  private Svid current; // guarded by this

  AdminCertificates(Path bundleDir, SpiffeId id, Clock clock) {
    this.bundleDir = bundleDir;
    this.id = id;
    this.clock = clock;
  }

  @Override
  public synchronized Svid current() {
    Instant now = clock.instant();
    if (current == null || !now.isBefore(current.notAfter().minus(TTL.dividedBy(2)))) {
      current = mint(CaBundles.parse(new FileBundleStore(bundleDir).load(), "the cluster's trust bundle " + bundleDir, clock), id, now);
    }
    return current;
  }

  /** A leaf for {@code id} under the bundle's issuer, with the issuer chain and the bundle's anchors. */
  static Svid mint(CaBundle bundle, SpiffeId id, Instant now) {
    KeyPair keys = KeyAlgorithm.EC_P256.generate();
    Instant notAfter = now.plus(TTL);
    if (notAfter.isAfter(bundle.issuerNotAfter())) {
      notAfter = bundle.issuerNotAfter();
    }
    try {
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          X500Name.getInstance(bundle.issuer().getSubjectX500Principal().getEncoded()), Certs.serial(),
          Date.from(now.minus(SKEW)), Date.from(notAfter), new X500Name(new RDN[0]), keys.getPublic());
      b.addExtension(Extension.subjectAlternativeName, true,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString())));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      X509Certificate leaf = new JcaX509CertificateConverter()
          .getCertificate(b.build(Certs.signer(bundle.issuerKey(), bundle.issuerKeyAlgorithm())));
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(leaf);
      chain.addAll(bundle.issuerChain());
      return new Svid(keys.getPrivate(), chain, bundle.trustAnchors());
    } catch (Exception e) {
      throw new IllegalStateException("cannot mint the manager's certificate for " + id + ": " + e.getMessage(), e);
    }
  }
}
