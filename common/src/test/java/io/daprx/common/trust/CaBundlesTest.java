package io.daprx.common.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.common.pki.Certs;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaBundlesTest {

  private final Instant now = Instant.parse("2026-11-24T10:00:00Z");
  private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);

  @TempDir
  Path dir;

  private CaBundle fresh() {
    return CaBundles.generate("cluster.local", "dapr-system", CaBundles.DEFAULT_CA_TTL, clock);
  }

  @Test
  void generatedRootAndIssuerHaveDaprsShape() throws Exception {
    CaBundle b = fresh();
    X509Certificate root = b.root();
    X509Certificate issuer = b.issuer();
    assertThat(root.getSubjectX500Principal().getName()).isEqualTo("O=cluster.local");
    assertThat(root.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
    assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(root.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(issuer.getSubjectX500Principal().getName()).isEqualTo("O=spiffe://cluster.local/ns/dapr-system/dapr-sentry");
    assertThat(issuer.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(issuer.getKeyUsage()[6]).as("cRLSign").isTrue();
    issuer.verify(root.getPublicKey());
    assertThat(Duration.between(now, issuer.getNotAfter().toInstant())).isEqualTo(Duration.ofDays(365));
    assertThat(Duration.between(now, root.getNotAfter().toInstant())).isEqualTo(Duration.ofDays(365));
    assertThat(KeyAlgorithm.of(issuer.getPublicKey())).isEqualTo(KeyAlgorithm.EC_P256);
    assertThat(CaBundles.issuerIdentity(b)).contains(SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry"));
  }

  @Test
  void storedBundleReadsBackTheSame() {
    CaBundle b = fresh();
    FileBundleStore store = new FileBundleStore(dir);
    store.save(b.toRaw());
    CaBundle back = CaBundles.parse(store.load(), store.describe(), clock);
    assertThat(back.issuer()).isEqualTo(b.issuer());
    assertThat(back.trustAnchors()).isEqualTo(b.trustAnchors());
    assertThat(CaBundles.keyMatches(back.issuerKey(), b.issuer())).isTrue();
  }

  @Test
  void keyFileIsPrivateAndCertificatesAreReadable() throws Exception {
    new FileBundleStore(dir).save(fresh().toRaw());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("issuer.key")))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.crt")))).isEqualTo("rw-r--r--");
  }

  @Test
  void incompleteBundleIsAnErrorNamingTheMissingFile() {
    RawBundle raw = fresh().toRaw();
    assertThatThrownBy(() -> CaBundles.parse(new RawBundle(raw.caCrt(), raw.issuerCrt(), null), "dir X", clock))
        .isInstanceOf(CaBundleException.class)
        .hasMessageContaining("incomplete").hasMessageContaining("issuer.key missing").hasMessageContaining("dir X");
  }

  @Test
  void corruptFilesAreErrorsThatSayWhichFile() {
    RawBundle raw = fresh().toRaw();
    assertThatThrownBy(() -> CaBundles.parse(new RawBundle("garbage", raw.issuerCrt(), raw.issuerKey()), "d", clock))
        .hasMessageContaining("ca.crt").hasMessageContaining("not a PEM certificate");
    assertThatThrownBy(() -> CaBundles.parse(new RawBundle(raw.caCrt(), raw.issuerCrt(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "d", clock))
        .hasMessageContaining("issuer.key").hasMessageContaining("not a usable private key");
  }

  @Test
  void keyOfAnotherIssuerIsRefused() {
    RawBundle a = fresh().toRaw();
    RawBundle b = fresh().toRaw();
    assertThatThrownBy(() -> CaBundles.parse(new RawBundle(a.caCrt(), a.issuerCrt(), b.issuerKey()), "d", clock))
        .hasMessageContaining("does not belong to the certificate in issuer.crt");
  }

  @Test
  void issuerOfAnotherRootIsRefused() {
    RawBundle a = fresh().toRaw();
    RawBundle b = fresh().toRaw();
    assertThatThrownBy(() -> CaBundles.parse(new RawBundle(a.caCrt(), b.issuerCrt(), b.issuerKey()), "d", clock))
        .hasMessageContaining("does not chain to the root").hasMessageContaining("different CAs");
  }

  @Test
  void expiredBundleIsRefusedButCanStillBeReadForRenewal() {
    RawBundle raw = fresh().toRaw();
    Clock later = Clock.fixed(now.plus(Duration.ofDays(400)), ZoneOffset.UTC);
    assertThatThrownBy(() -> CaBundles.parse(raw, "d", later)).hasMessageContaining("expired").hasMessageContaining("renew-certificate");
    assertThat(CaBundles.parse(raw, "d", later, false).issuer()).isNotNull();
  }

  @Test
  void renewingTheIssuerKeepsTheAnchorsSoOldAndNewLeavesBothVerify() throws Exception {
    KeyPair rootKeys = KeyAlgorithm.EC_P256.generate();
    CaBundle start = bundleWithKnownRoot(rootKeys);
    X509Certificate oldLeaf = leaf(start);
    CaBundle renewed = CaBundles.renewIssuer(start, rootKeys.getPrivate(), "cluster.local", "dapr-system", Duration.ofDays(30), clock);
    assertThat(renewed.trustAnchors()).isEqualTo(start.trustAnchors());
    assertThat(renewed.issuer()).isNotEqualTo(start.issuer());
    X509Certificate newLeaf = leaf(renewed);
    Certs.verifyChain(List.of(oldLeaf, start.issuer()), renewed.trustAnchors(), now);
    Certs.verifyChain(chainOf(newLeaf, renewed), start.trustAnchors(), now);
  }

  @Test
  void newRootWithOldRootKeyIsTrustedByWorkloadsThatOnlyKnowTheOldRoot() throws Exception {
    KeyPair rootKeys = KeyAlgorithm.EC_P256.generate();
    CaBundle start = bundleWithKnownRoot(rootKeys);
    X509Certificate oldLeaf = leaf(start);
    CaBundle rotated = CaBundles.renewRoot(start, rootKeys.getPrivate(), "cluster.local", "dapr-system", Duration.ofDays(365), clock);
    assertThat(rotated.trustAnchors()).hasSize(2).contains(start.root());
    assertThat(rotated.root()).isNotEqualTo(start.root());
    X509Certificate newLeaf = leaf(rotated);
    // a workload still holding only the old anchors accepts the new leaf through the cross-signed root
    Certs.verifyChain(chainOf(newLeaf, rotated), start.trustAnchors(), now);
    // a renewed workload (new anchors) still accepts leaves of the old issuer
    Certs.verifyChain(List.of(oldLeaf, start.issuer()), rotated.trustAnchors(), now);
    // and the rotated bundle is a valid bundle
    CaBundles.parse(rotated.toRaw(), "d", clock);
  }

  @Test
  void newRootWithoutOldRootKeyStillTrustsOldLeaves() throws Exception {
    CaBundle start = fresh();
    X509Certificate oldLeaf = leaf(start);
    CaBundle rotated = CaBundles.renewRoot(start, null, "cluster.local", "dapr-system", Duration.ofDays(365), clock);
    assertThat(rotated.issuerChain()).hasSize(1);
    Certs.verifyChain(List.of(oldLeaf, start.issuer()), rotated.trustAnchors(), now);
    Certs.verifyChain(chainOf(leaf(rotated), rotated), rotated.trustAnchors(), now);
  }

  /** A bundle whose root key the test keeps (sentry never stores it). */
  private CaBundle bundleWithKnownRoot(KeyPair rootKeys) {
    X509Certificate root = CaBundles.newRoot("cluster.local", rootKeys, Duration.ofDays(365), clock);
    return CaBundles.underRoot(root, rootKeys.getPrivate(), "cluster.local", "dapr-system", Duration.ofDays(365), clock);
  }

  /** A bare leaf under the bundle's issuer: enough to check chains without sentry's signer. */
  private X509Certificate leaf(CaBundle b) throws Exception {
    KeyPair k = KeyAlgorithm.ED25519.generate();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(b.issuer(), Certs.serial(),
        Date.from(now.minus(Duration.ofMinutes(15))), Date.from(now.plus(Duration.ofHours(1))),
        new X500Name(new RDN[0]), k.getPublic())
        .addExtension(Extension.subjectAlternativeName, true,
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, SpiffeId.of("public", "default", "app").toString())))
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    return new JcaX509CertificateConverter().getCertificate(builder.build(Certs.signer(b.issuerKey(), b.issuerKeyAlgorithm())));
  }

  private static List<X509Certificate> chainOf(X509Certificate leaf, CaBundle b) {
    List<X509Certificate> chain = new java.util.ArrayList<>();
    chain.add(leaf);
    chain.addAll(b.issuerChain());
    return chain;
  }
}
