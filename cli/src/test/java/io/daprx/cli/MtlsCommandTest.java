package io.daprx.cli;

import io.daprx.cli.InProcessCli.Result;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundles;
import io.daprx.common.trust.FileBundleStore;
import io.daprx.common.trust.RawBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MtlsCommandTest {

  @TempDir
  Path dir;



  private CaBundle stored() {
    CaBundle b = CaBundles.generate("cluster.local", "dapr-system", Duration.ofDays(30), Clock.systemUTC());
    new FileBundleStore(dir).save(b.toRaw());
    return b;
  }

  @Test
  void renewingRotatesSentrysJwtKeyAndKeepsThePreviousOneInTheJwks() throws Exception {
    stored();
    io.daprx.sentry.jwt.FileJwtKeyStore jwt = new io.daprx.sentry.jwt.FileJwtKeyStore(dir, "jwt.key", "jwks.json");
    jwt.save(io.daprx.sentry.jwt.JwtKeys.generate(com.nimbusds.jose.JWSAlgorithm.RS256, null));
    String oldKey = Files.readString(dir.resolve("jwt.key"));
    String oldKid = com.nimbusds.jose.jwk.JWKSet.parse(Files.readString(dir.resolve("jwks.json"))).getKeys().get(0).getKeyID();
    Result r = run("mtls", "renew-certificate", "--issuer-credentials", dir.toString(), "--new-root");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("JWT signing key rotated").doesNotContain(oldKey.lines().skip(1).findFirst().orElseThrow());
    assertThat(Files.readString(dir.resolve("jwt.key"))).isNotEqualTo(oldKey);
    var keys = com.nimbusds.jose.jwk.JWKSet.parse(Files.readString(dir.resolve("jwks.json"))).getKeys();
    assertThat(keys).hasSize(2);
    assertThat(keys.get(1).getKeyID()).isEqualTo(oldKid);
    // what sentry checks when it picks the pair up
    assertThat(io.daprx.sentry.jwt.JwtKeys.open(jwt.load(), com.nimbusds.jose.JWSAlgorithm.RS256, null, "d").keyId()).isEqualTo(keys.get(0).getKeyID());
  }

  @Test
  void expiryShowsRootAndIssuer() {
    CaBundle b = stored();
    Result r = run("mtls", "expiry", "--issuer-credentials", dir.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Root certificate expires in 71").contains("Issuer certificate expires in 71")
        .contains(b.rootNotAfter().toString());
    Result json = run("mtls", "expiry", "--issuer-credentials", dir.toString(), "-o", "json");
    assertThat(json.out()).as("az's JSON style, as every command prints").contains("  \"issuerExpiry\": \"" + b.issuerNotAfter() + "\"");
  }

  @Test
  void expiryOfAnEmptyDirectorySaysSentryMakesOne() {
    Result r = run("mtls", "expiry", "--issuer-credentials", dir.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("ERROR: no CA bundle in directory").contains("generates one when it first starts");
  }

  @Test
  void renewingWithoutRootKeyOrNewRootExplainsTheChoice() {
    stored();
    Result r = run("mtls", "renew-certificate", "--issuer-credentials", dir.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("--root-key FILE").contains("--new-root");
  }

  @Test
  void newRootKeepsTheOldRootTrusted() throws Exception {
    CaBundle before = stored();
    Result r = run("mtls", "renew-certificate", "--issuer-credentials", dir.toString(), "--new-root", "--valid-until", "100");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Renewed the CA").contains("the new root and the old one");
    List<X509Certificate> anchors = Pem.parseCertificates(Files.readString(dir.resolve("ca.crt")));
    assertThat(anchors).hasSize(2).contains(before.root());
    CaBundle after = CaBundles.parse(new FileBundleStore(dir).load(), "d", Clock.systemUTC());
    assertThat(after.issuerNotAfter()).isAfter(before.issuerNotAfter());
    assertThat(run("mtls", "expiry", "--issuer-credentials", dir.toString()).out()).contains("Trust anchors: 2");
  }

  @Test
  void issuerRenewalUnderTheSameRootNeedsTheMatchingRootKey() throws Exception {
    // a user-provided root whose key the user keeps, with a sentry-shaped issuer under it
    KeyPair rootKeys = KeyAlgorithm.EC_P256.generate();
    X509Certificate root = CaBundles.newRoot("cluster.local", rootKeys, Duration.ofDays(365), Clock.systemUTC());
    CaBundle start = CaBundles.underRoot(root, rootKeys.getPrivate(), "cluster.local", "dapr-system", Duration.ofDays(10), Clock.systemUTC());
    FileBundleStore store = new FileBundleStore(dir);
    store.save(start.toRaw());
    RawBundle before = store.load();

    Path wrongKey = dir.resolve("wrong.key");
    Files.writeString(wrongKey, Pem.encodePrivateKey(KeyAlgorithm.EC_P256.generate().getPrivate()));
    Result wrong = run("mtls", "renew-certificate", "--issuer-credentials", dir.toString(), "--root-key", wrongKey.toString());
    assertThat(wrong.code()).isEqualTo(1);
    assertThat(wrong.err()).contains("is not the private key of the current root certificate");
    assertThat(store.load()).isEqualTo(before);

    Path rootKey = dir.resolve("root.key");
    Files.writeString(rootKey, Pem.encodePrivateKey(rootKeys.getPrivate()));
    Result ok = run("mtls", "renew-certificate", "--issuer-credentials", dir.toString(), "--root-key", rootKey.toString());
    assertThat(ok.code()).as(ok.err()).isZero();
    CaBundle after = CaBundles.parse(store.load(), "d", Clock.systemUTC());
    assertThat(after.trustAnchors()).containsExactly(root);
    assertThat(after.issuer()).isNotEqualTo(start.issuer());
    assertThat(after.issuerNotAfter()).isAfter(start.issuerNotAfter());
  }

  @Test
  void badFlagValuesAreUsageErrorsThatSayWhatIsAccepted() {
    Result r = run("sentry", "--mode", "cloud", "--issuer-credentials", dir.toString(), "--port", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("invalid --mode 'cloud': use standalone or kubernetes");
    Result d = run("sentry", "--workload-cert-ttl", "1d", "--issuer-credentials", dir.toString());
    assertThat(d.code()).isEqualTo(2);
    assertThat(d.err()).contains("invalid duration '1d'");
  }

  private static Result run(String... args) {
    return InProcessCli.run(args);
  }
}
