package io.daprx.sentry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.daprx.common.pki.Certs;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.proto.sentry.v1.SignCertificateResponse;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundles;
import io.daprx.sentry.ca.IssuancePolicy;
import io.daprx.sentry.ca.Signer;
import io.daprx.sentry.validator.InsecureValidator;
import io.grpc.Status;
import io.grpc.StatusException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The signing path in-process: leaf shape as daprd expects it, and every bad input refused with a clear status. */
class CaServiceTest {

  private final Clock clock = Clock.systemUTC();
  private final CaBundle ca = CaBundles.generate("cluster.local", "dapr-system", CaBundles.DEFAULT_CA_TTL, clock);
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CaService service = new CaService(new Signer(() -> ca, clock),
      Map.of(TokenValidator.INSECURE, new InsecureValidator()), TokenValidator.INSECURE,
      () -> new IssuancePolicy(Duration.ofHours(24), Duration.ofMinutes(15)), "dapr-system", "cluster.local",
      new SentryMetrics(registry, () -> ca, "test"));

  @TempDir
  Path tmp;

  static SignCertificateRequest.Builder request(String id, String ns, PKCS10CertificationRequest csr) {
    return SignCertificateRequest.newBuilder().setId(id).setNamespace(ns)
        .setTokenValidator(TokenValidator.INSECURE)
        .setCertificateSigningRequest(ByteString.copyFromUtf8(Pem.encodeCsr(csr)));
  }

  static PKCS10CertificationRequest csr(KeyAlgorithm alg) {
    return Certs.csr(alg.generate(), alg);
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"ED25519", "EC_P256"})
  void signsDaprdCsrsIntoSpiffeLeavesWithDaprsShape(KeyAlgorithm alg) throws Exception {
    KeyPair keys = alg.generate();
    Instant before = Instant.now().minusSeconds(1);
    SignCertificateResponse resp = service.sign(request("myapp", "default", Certs.csr(keys, alg)).build());
    Instant after = Instant.now().plusSeconds(1);

    List<X509Certificate> chain = Pem.parseCertificates(resp.getWorkloadCertificate().toByteArray());
    assertThat(chain).hasSize(2);
    X509Certificate leaf = chain.get(0);
    assertThat(chain.get(1)).isEqualTo(ca.issuer());
    assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
    // URI SAN only, the app trust domain defaulting to "public"
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://public/ns/default/myapp"));
    assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.17");
    assertThat(leaf.getSubjectX500Principal().getName()).isEmpty();
    boolean[] ku = leaf.getKeyUsage();
    assertThat(ku[0]).as("digitalSignature").isTrue();
    assertThat(ku[5]).as("keyCertSign").isFalse();
    assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getSerialNumber().bitLength()).isBetween(100, 128);
    assertThat(leaf.getNotBefore().toInstant()).isBetween(before.minus(Duration.ofMinutes(15)).minusSeconds(1), after.minus(Duration.ofMinutes(15)));
    assertThat(leaf.getNotAfter().toInstant()).isBetween(before.plus(Duration.ofHours(24)).minusSeconds(1), after.plus(Duration.ofHours(24)));
    assertThat(resp.getValidUntil().getSeconds()).isEqualTo(leaf.getNotAfter().toInstant().getEpochSecond());
    assertThat(resp.getTrustChainCertificatesCount()).isEqualTo(1);
    assertThat(Pem.parseCertificates(resp.getTrustChainCertificates(0).toByteArray())).containsExactly(ca.root());

    // an independent verifier: the JDK's PKIX validator
    CertPathValidator v = CertPathValidator.getInstance("PKIX");
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca.root(), null)));
    params.setRevocationEnabled(false);
    v.validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);

    // and openssl
    Files.writeString(tmp.resolve("ca.pem"), Pem.encodeCertificate(ca.root()));
    Files.writeString(tmp.resolve("issuer.pem"), Pem.encodeCertificate(ca.issuer()));
    Files.writeString(tmp.resolve("leaf.pem"), Pem.encodeCertificate(leaf));
    Process p = new ProcessBuilder("openssl", "verify", "-CAfile", "ca.pem", "-untrusted", "issuer.pem", "-purpose", "sslclient", "leaf.pem")
        .directory(tmp.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out).contains("leaf.pem: OK");
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void appRequestsMayAskForTheirTrustDomain() throws Exception {
    SignCertificateResponse resp = service.sign(request("myapp", "default", csr(KeyAlgorithm.ED25519)).setTrustDomain("example.org").build());
    X509Certificate leaf = Pem.parseCertificates(resp.getWorkloadCertificate().toByteArray()).get(0);
    assertThat(Certs.spiffeId(leaf)).contains(SpiffeId.of("example.org", "default", "myapp"));
  }

  @Test
  void controlPlaneServingCertificatesGetTheirServiceDnsNames() throws Exception {
    SignCertificateResponse injector = service.sign(request("dapr-injector", "dapr-system", csr(KeyAlgorithm.EC_P256)).setTrustDomain("cluster.local").build());
    X509Certificate leaf = Pem.parseCertificates(injector.getWorkloadCertificate().toByteArray()).get(0);
    assertThat(leaf.getSubjectAlternativeNames()).contains(List.of(2, "dapr-sidecar-injector.dapr-system.svc"),
        List.of(6, "spiffe://cluster.local/ns/dapr-system/dapr-injector"));
    SignCertificateResponse operator = service.sign(request("dapr-operator", "dapr-system", csr(KeyAlgorithm.EC_P256)).setTrustDomain("cluster.local").build());
    assertThat(Pem.parseCertificates(operator.getWorkloadCertificate().toByteArray()).get(0).getSubjectAlternativeNames())
        .contains(List.of(2, "dapr-webhook.dapr-system.svc"));
    // the same id outside the control-plane namespace gets no DNS names
    SignCertificateResponse elsewhere = service.sign(request("dapr-injector", "default", csr(KeyAlgorithm.EC_P256)).build());
    assertThat(Pem.parseCertificates(elsewhere.getWorkloadCertificate().toByteArray()).get(0).getSubjectAlternativeNames()).hasSize(1);
  }

  @Test
  void schedulerCertificatesNameTheThreeReplicasForItsEmbeddedEtcdPeers() throws Exception {
    // upstream's scheduler refuses to start without them ("peer certificate does not contain the expected DNS name
    // dapr-scheduler-server-0.dapr-scheduler-server.dapr-system.svc.cluster.local"): found running it against daprx's sentry
    SignCertificateResponse scheduler = service.sign(request("dapr-scheduler", "dapr-system", csr(KeyAlgorithm.ED25519)).setTrustDomain("cluster.local").build());
    assertThat(Pem.parseCertificates(scheduler.getWorkloadCertificate().toByteArray()).get(0).getSubjectAlternativeNames()).containsExactly(
        List.of(6, "spiffe://cluster.local/ns/dapr-system/dapr-scheduler"),
        List.of(2, "dapr-scheduler-server-0.dapr-scheduler-server.dapr-system.svc.cluster.local"),
        List.of(2, "dapr-scheduler-server-1.dapr-scheduler-server.dapr-system.svc.cluster.local"),
        List.of(2, "dapr-scheduler-server-2.dapr-scheduler-server.dapr-system.svc.cluster.local"));
    SignCertificateResponse elsewhere = service.sign(request("dapr-scheduler", "default", csr(KeyAlgorithm.ED25519)).build());
    assertThat(Pem.parseCertificates(elsewhere.getWorkloadCertificate().toByteArray()).get(0).getSubjectAlternativeNames()).hasSize(1);
  }

  @Test
  void theManagersAdminIdentityIsNeverSignedButTheSameIdElsewhereIsAnApp() throws Exception {
    // the scheduler's admin API trusts dapr-system/daprx-manager; the manager mints it from the issuer itself
    assertRefused(request(SpiffeId.MANAGER_APP_ID, "dapr-system", csr(KeyAlgorithm.ED25519)), Status.Code.PERMISSION_DENIED,
        "reserved to the management server");
    assertThat(service.sign(request(SpiffeId.MANAGER_APP_ID, "default", csr(KeyAlgorithm.ED25519)).build())
        .getWorkloadCertificate().isEmpty()).isFalse();
  }

  @Test
  void blockTypeCertificateIsAcceptedForTheCsr() throws Exception {
    PKCS10CertificationRequest csr = csr(KeyAlgorithm.ED25519);
    String pem = Pem.encode("CERTIFICATE", csr.getEncoded());
    SignCertificateResponse resp = service.sign(request("myapp", "default", csr).setCertificateSigningRequest(ByteString.copyFromUtf8(pem)).build());
    assertThat(resp.getWorkloadCertificate().isEmpty()).isFalse();
  }

  @Test
  void emptyGarbageAndOversizedCsrsAreInvalidArguments() {
    SignCertificateRequest.Builder base = request("myapp", "default", csr(KeyAlgorithm.ED25519));
    assertRefused(base.clone().setCertificateSigningRequest(ByteString.EMPTY), Status.Code.INVALID_ARGUMENT, "certificate_signing_request is required");
    assertRefused(base.clone().setCertificateSigningRequest(ByteString.copyFromUtf8("hello")), Status.Code.INVALID_ARGUMENT, "not a PEM PKCS#10 request");
    assertRefused(base.clone().setCertificateSigningRequest(ByteString.copyFromUtf8(
        "-----BEGIN CERTIFICATE REQUEST-----\nAAECAwQ=\n-----END CERTIFICATE REQUEST-----\n")), Status.Code.INVALID_ARGUMENT, "not a PEM PKCS#10 request");
    assertRefused(base.clone().setCertificateSigningRequest(ByteString.copyFrom(new byte[CaService.MAX_CSR_BYTES + 1])),
        Status.Code.INVALID_ARGUMENT, "at most " + CaService.MAX_CSR_BYTES);
  }

  @Test
  void csrSignedByAnotherKeyIsRefused() throws Exception {
    KeyPair claimed = KeyAlgorithm.EC_P256.generate();
    KeyPair signing = KeyAlgorithm.EC_P256.generate();
    // the CSR carries `claimed`'s public key but is signed with another key: no proof of possession
    PKCS10CertificationRequest forged = new JcaPKCS10CertificationRequestBuilder(new X500Principal(""), claimed.getPublic())
        .build(Certs.signer(signing.getPrivate(), KeyAlgorithm.EC_P256));
    assertRefused(request("myapp", "default", forged), Status.Code.INVALID_ARGUMENT, "signature does not match its public key");
  }

  @Test
  void aCsrSignedWithAnAlgorithmThatDoesNotGoWithItsKeyIsRefused() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate();
    PKCS10CertificationRequest sha1 = new JcaPKCS10CertificationRequestBuilder(new X500Principal(""), keys.getPublic())
        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA1withECDSA").build(keys.getPrivate()));
    assertRefused(request("myapp", "default", sha1), Status.Code.INVALID_ARGUMENT, "does not go with its EC_P256 key");
  }

  @Test
  void unsupportedKeyTypesAreRefused() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair p384 = g.generateKeyPair();
    PKCS10CertificationRequest csr384 = new JcaPKCS10CertificationRequestBuilder(new X500Principal(""), p384.getPublic())
        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA384withECDSA").build(p384.getPrivate()));
    assertRefused(request("myapp", "default", csr384), Status.Code.INVALID_ARGUMENT, "only P-256");

    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    KeyPair small = rsa.generateKeyPair();
    PKCS10CertificationRequest csrRsa = new JcaPKCS10CertificationRequestBuilder(new X500Principal(""), small.getPublic())
        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA").build(small.getPrivate()));
    assertRefused(request("myapp", "default", csrRsa), Status.Code.INVALID_ARGUMENT, "1024 bits");

    KeyPair ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair();
    PKCS10CertificationRequest csr448 = new JcaPKCS10CertificationRequestBuilder(new X500Principal(""), ed448.getPublic())
        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("Ed448").build(ed448.getPrivate()));
    assertRefused(request("myapp", "default", csr448), Status.Code.INVALID_ARGUMENT, "unsupported key type");
  }

  @Test
  void rsaCsrsForWebhookServingCertificatesAreSigned() throws Exception {
    SignCertificateResponse resp = service.sign(request("dapr-injector", "dapr-system", csr(KeyAlgorithm.RSA)).build());
    assertThat(Pem.parseCertificates(resp.getWorkloadCertificate().toByteArray()).get(0).getPublicKey().getAlgorithm()).isEqualTo("RSA");
  }

  @Test
  void badIdsAndNamespacesAreRefused() {
    PKCS10CertificationRequest csr = csr(KeyAlgorithm.ED25519);
    assertRefused(request("a".repeat(65), "default", csr), Status.Code.INVALID_ARGUMENT, "at most 64");
    assertRefused(request("my app!", "default", csr), Status.Code.INVALID_ARGUMENT, "invalid id");
    assertRefused(request("", "default", csr), Status.Code.INVALID_ARGUMENT, "id is required");
    assertRefused(request("myapp", "", csr), Status.Code.INVALID_ARGUMENT, "namespace is required");
    assertRefused(request("myapp", "Not_A_Namespace", csr), Status.Code.INVALID_ARGUMENT, "invalid namespace");
    assertRefused(request("myapp", "default", csr).setTrustDomain("Bad Domain"), Status.Code.INVALID_ARGUMENT, "invalid trust domain");
  }

  @Test
  void validatorsThatAreNotEnabledAreRefused() {
    assertRefused(request("myapp", "default", csr(KeyAlgorithm.ED25519)).setTokenValidator(TokenValidator.KUBERNETES),
        Status.Code.INVALID_ARGUMENT, "KUBERNETES) is not enabled");
    assertRefused(request("myapp", "default", csr(KeyAlgorithm.ED25519)).setTokenValidatorValue(42),
        Status.Code.INVALID_ARGUMENT, "not enabled");
  }

  @Test
  void unknownValidatorMeansTheModesDefault() throws Exception {
    SignCertificateResponse resp = service.sign(request("myapp", "default", csr(KeyAlgorithm.ED25519)).setTokenValidator(TokenValidator.UNKNOWN).build());
    assertThat(resp.getWorkloadCertificate().isEmpty()).isFalse();
  }

  @Test
  void failuresAreCountedByReason() {
    assertRefused(request("myapp", "", csr(KeyAlgorithm.ED25519)), Status.Code.INVALID_ARGUMENT, "namespace");
    assertThat(registry.scrape()).contains("dapr_sentry_cert_sign_failure_total{reason=\"invalid_request\"} 1.0");
  }

  @Test
  void leafNeverOutlivesItsIssuer() throws Exception {
    CaBundle shortCa = CaBundles.generate("cluster.local", "dapr-system", Duration.ofHours(2), clock);
    Signer signer = new Signer(() -> shortCa, clock);
    KeyPair k = KeyAlgorithm.ED25519.generate();
    X509Certificate leaf = signer.sign(k.getPublic(), SpiffeId.of("public", "default", "a"), List.of(), new IssuancePolicy(Duration.ofHours(24), Duration.ofMinutes(15))).leaf();
    assertThat(leaf.getNotAfter()).isEqualTo(shortCa.issuer().getNotAfter());
    assertThat(leaf.getSerialNumber()).isPositive().isNotEqualTo(BigInteger.ZERO);
  }

  private void assertRefused(SignCertificateRequest.Builder req, Status.Code code, String text) {
    assertThatThrownBy(() -> service.sign(req.build()))
        .isInstanceOfSatisfying(StatusException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(code);
          assertThat(e.getStatus().getDescription()).contains(text);
        });
  }
}
