package io.daprx.sentry.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.daprx.common.pki.Certs;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundles;
import io.daprx.common.trust.FileBundleStore;
import io.daprx.proto.sentry.v1.CAGrpc;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.proto.sentry.v1.SignCertificateResponse;
import io.daprx.sentry.Sentry;
import io.daprx.sentry.SentryOptions;
import io.daprx.sentry.ca.IssuancePolicy;
import io.daprx.sentry.ca.IssuedCertificate;
import io.daprx.sentry.ca.Signer;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * JWT SVIDs as a relying party (a cloud's workload identity federation) sees them: a real sentry on loopback, a daprd-style
 * request over TLS asking for audiences, and every token verified with nimbus against the JWKS fetched from sentry's OIDC
 * discovery endpoint over HTTPS.
 */
class JwtSvidTest {

  private static final SpiffeId SENTRY_ID = SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry");
  private static final SpiffeId APP = SpiffeId.of("public", "default", "myapp");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path creds;

  private final Clock clock = Clock.systemUTC();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger daprx = (Logger) LoggerFactory.getLogger("io.daprx");
  private Level daprxLevel;

  @BeforeEach
  void captureLogs() {
    logs.start();
    daprxLevel = daprx.getLevel();
    daprx.setLevel(Level.DEBUG);
    daprx.addAppender(logs);
  }

  @AfterEach
  void closeAll() throws Exception {
    daprx.detachAppender(logs);
    daprx.setLevel(daprxLevel);
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void tokensVerifyAgainstTheJwksOfOidcDiscoveryWithTheAudiencesSubjectIssuerAndExpiryExpected() throws Exception {
    CaBundle ca = CaBundles.generate("cluster.local", "dapr-system", CaBundles.DEFAULT_CA_TTL, clock);
    new FileBundleStore(creds).saveIfAbsent(ca.toRaw());
    Path[] tls = oidcServingCertificate(ca);
    Sentry sentry = start(options().withJwt(
        new JwtOptions(true, null, null, "https://issuer.example", JWSAlgorithm.RS256, null, Duration.ofHours(24)),
        new OidcOptions(true, "127.0.0.1", 0, true, tls[0], tls[1], null, "/oidc", List.of())));

    SignCertificateResponse res = sign(sentry, "api://AzureADTokenExchange", "sts.amazonaws.com");

    HttpClient https = HttpClient.newBuilder().sslContext(trusting(ca)).build();
    String base = "https://localhost:" + sentry.oidcPort();
    JsonNode discovery = JSON.readTree(get(https, base + "/oidc/.well-known/openid-configuration").body());
    assertThat(discovery.get("issuer").asText()).isEqualTo("https://issuer.example");
    assertThat(discovery.get("jwks_uri").asText()).isEqualTo("https://issuer.example/oidc/jwks.json");
    assertThat(discovery.get("id_token_signing_alg_values_supported").get(0).asText()).isEqualTo("RS256");
    HttpResponse<String> jwksResponse = get(https, base + "/oidc/jwks.json");
    assertThat(jwksResponse.headers().firstValue("content-type")).hasValue("application/json");
    JWKSet jwks = JWKSet.parse(jwksResponse.body());
    assertThat(jwks.getKeys()).hasSize(1).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
    assertThat(jwksResponse.body()).doesNotContain("\"d\"");

    Instant certNotAfter = Instant.ofEpochSecond(res.getValidUntil().getSeconds(), res.getValidUntil().getNanos());
    assertThat(res.hasJwt()).isTrue();
    JWTClaimsSet all = verify(res.getJwt().getValue(), jwks);
    assertThat(all.getAudience()).containsExactly("public", "api://AzureADTokenExchange", "sts.amazonaws.com");
    assertThat(all.getSubject()).isEqualTo(APP.toString());
    assertThat(all.getIssuer()).isEqualTo("https://issuer.example");
    assertThat(all.getExpirationTime().toInstant()).isAfter(Instant.now()).isBeforeOrEqualTo(certNotAfter);
    assertThat(all.getNotBeforeTime()).isBeforeOrEqualTo(all.getIssueTime());
    assertThat(all.getJWTID()).hasSize(32);
    assertThat(all.getStringClaim("use")).isEqualTo("sig");
    SignedJWT parsed = SignedJWT.parse(res.getJwt().getValue());
    assertThat(parsed.getHeader().getKeyID()).isEqualTo(jwks.getKeys().get(0).getKeyID());
    assertThat(parsed.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);

    assertThat(res.getPerAudienceJwtsMap()).containsOnlyKeys("public", "api://AzureADTokenExchange", "sts.amazonaws.com");
    res.getPerAudienceJwtsMap().forEach((aud, token) -> {
      JWTClaimsSet one = verify(token.getValue(), jwks);
      assertThat(one.getAudience()).containsExactly(aud);
      assertThat(one.getSubject()).isEqualTo(APP.toString());
      assertThat(one.getExpirationTime().toInstant()).isBeforeOrEqualTo(certNotAfter);
    });

    // the key beside the CA, readable by its owner only; the JWKS public
    assertThat(Files.getPosixFilePermissions(creds.resolve("jwt.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(JWKSet.parse(Files.readString(creds.resolve("jwks.json"))).getKeys()).hasSize(1);
    // relying parties are answered only on the prefixed paths
    assertThat(get(https, base + "/.well-known/openid-configuration").statusCode()).isEqualTo(404);
    assertNoSecretLogged(res, creds.resolve("jwt.key"));
  }

  @Test
  void aTokenNeverOutlivesItsCertificate() throws Exception {
    Sentry sentry = start(options().withTtl(Duration.ofMinutes(10), Duration.ofMinutes(15)).withJwt(
        new JwtOptions(true, null, null, null, JWSAlgorithm.ES256, null, Duration.ofHours(24)), OidcOptions.DISABLED));
    SignCertificateResponse res = sign(sentry);
    JWKSet jwks = JWKSet.parse(Files.readString(creds.resolve("jwks.json")));
    JWTClaimsSet claims = verify(res.getJwt().getValue(), jwks);
    assertThat(claims.getExpirationTime().toInstant()).isBeforeOrEqualTo(Instant.ofEpochSecond(res.getValidUntil().getSeconds(), res.getValidUntil().getNanos()));
    assertThat(claims.getIssuer()).as("no iss unless --jwt-issuer, as upstream").isNull();
    assertThat(claims.getAudience()).containsExactly("public");
    assertThat(SignedJWT.parse(res.getJwt().getValue()).getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
  }

  @Test
  void withJwtIssuingOffTheAnswerCarriesNoTokenAndNoKeyIsMade() throws Exception {
    Sentry sentry = start(options());
    SignCertificateResponse res = sign(sentry, "sts.amazonaws.com");
    assertThat(res.getWorkloadCertificate().isEmpty()).isFalse();
    assertThat(res.hasJwt()).isFalse();
    assertThat(res.getPerAudienceJwtsMap()).isEmpty();
    assertThat(creds.resolve("jwt.key")).doesNotExist();
    assertThat(sentry.oidcPort()).isEqualTo(-1);
  }

  @Test
  void aRotatedKeyIsServedAtOnceAndTokensSignedBeforeTheRotationStillVerify() throws Exception {
    Sentry sentry = start(options().withJwt(
        new JwtOptions(true, null, null, null, JWSAlgorithm.RS256, null, Duration.ofHours(1)),
        new OidcOptions(true, "127.0.0.1", 0, false, null, null, null, null, List.of("localhost"))));
    HttpClient http = HttpClient.newHttpClient();
    String jwksUrl = "http://localhost:" + sentry.oidcPort() + "/jwks.json";
    String before = sign(sentry, "sts.amazonaws.com").getJwt().getValue();
    String oldKid = SignedJWT.parse(before).getHeader().getKeyID();

    // what `daprx mtls renew-certificate` does to the key beside the CA
    FileJwtKeyStore store = new FileJwtKeyStore(creds, "jwt.key", "jwks.json");
    store.save(JwtKeys.rotate(store.load(), store.describe()));

    // discovery reads the JWKS at each request; signing moves to the new key at sentry's next poll of the store
    await().atMost(Duration.ofSeconds(10)).until(() -> JWKSet.parse(get(http, jwksUrl).body()).size() == 2);
    String after = await().atMost(Duration.ofSeconds(10)).until(() -> sign(sentry, "sts.amazonaws.com").getJwt().getValue(),
        t -> !oldKid.equals(kid(t)));
    JWKSet served = JWKSet.parse(get(http, jwksUrl).body());
    assertThat(SignedJWT.parse(after).getHeader().getKeyID()).isNotEqualTo(oldKid).isEqualTo(served.getKeys().get(0).getKeyID());
    assertThat(verify(before, served).getSubject()).isEqualTo(APP.toString());
    assertThat(verify(after, served).getSubject()).isEqualTo(APP.toString());
    // discovery also answers for the allowed host only
    HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(jwksUrl)).header("X-Forwarded-Host", "evil.example").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(403);
    assertNoSecretLogged(null, creds.resolve("jwt.key"));
  }

  @Test
  void aStoredKeyItsJwksDoesNotPublishStopsStartUpSayingWhatToDo() {
    JwtKeyMaterial a = JwtKeys.generate(JWSAlgorithm.RS256, null);
    JwtKeyMaterial b = JwtKeys.generate(JWSAlgorithm.RS256, null);
    new FileJwtKeyStore(creds, "jwt.key", "jwks.json").save(new JwtKeyMaterial(a.signingKeyPem(), b.jwksJson()));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(options().withJwt(
            new JwtOptions(true, null, null, null, JWSAlgorithm.RS256, null, Duration.ofHours(1)), OidcOptions.DISABLED)))
        .hasMessageContaining("jwks.json").hasMessageContaining("remove both");
  }

  @Test
  void aKeyBroughtWithoutItsJwksIsPublishedAndSignsTheTokens() throws Exception {
    String ownKey = JwtKeys.generate(JWSAlgorithm.ES256, null).signingKeyPem();
    Files.writeString(creds.resolve("jwt.key"), ownKey);
    Sentry sentry = start(options().withJwt(
        new JwtOptions(true, null, null, null, JWSAlgorithm.ES256, "my-key", Duration.ofHours(1)), OidcOptions.DISABLED));
    String token = sign(sentry, "sts.amazonaws.com").getJwt().getValue();
    JWKSet published = JWKSet.parse(Files.readString(creds.resolve("jwks.json")));
    assertThat(published.getKeys()).hasSize(1).allSatisfy(k -> assertThat(k.getKeyID()).isEqualTo("my-key"));
    assertThat(SignedJWT.parse(token).getHeader().getKeyID()).isEqualTo("my-key");
    assertThat(verify(token, published).getAudience()).containsExactly("public", "sts.amazonaws.com");
    assertThat(Files.readString(creds.resolve("jwt.key"))).isEqualTo(ownKey);
  }

  @Test
  void aRotationKeepsTheKindOfKeyAndItsAlgorithm() throws Exception {
    JwtKeyMaterial ps = JwtKeys.withJwks(new JwtKeyMaterial(JwtKeys.generate(JWSAlgorithm.PS256, null).signingKeyPem(), null),
        JWSAlgorithm.PS256, null, "test");
    JWKSet rotated = JWKSet.parse(JwtKeys.rotate(ps, "test").jwksJson());
    assertThat(rotated.getKeys()).hasSize(2).allSatisfy(k -> assertThat(k.getAlgorithm().getName()).isEqualTo("PS256"));
    JwtKeyMaterial es = JwtKeys.generate(JWSAlgorithm.ES384, null);
    JwtKeyMaterial esRotated = JwtKeys.rotate(es, "test");
    assertThat(JwtKeys.open(esRotated, JWSAlgorithm.ES384, null, "test").algorithm()).isEqualTo(JWSAlgorithm.ES384);
  }

  private SentryOptions options() {
    SentryOptions d = SentryOptions.defaults(creds).withPorts(0, 0, 0).withListenAddress("127.0.0.1");
    return new SentryOptions(d.listenAddress(), d.port(), d.healthzPort(), d.metricsPort(), d.issuerCredentials(), d.trustDomain(),
        d.namespace(), d.mode(), d.workloadCertTtl(), d.allowedClockSkew(), d.configName(), d.tokenValidators(), d.jwksSource(),
        Duration.ofMillis(200), d.expiryWarning(), d.cryptoProvider(), null);
  }

  private Sentry start(SentryOptions options) {
    Sentry s = new Sentry(options, clock).start();
    toClose.add(s);
    return s;
  }

  /** As daprd 1.18 asks: an Ed25519 CSR, empty trust domain, INSECURE, with its --sentry-request-jwt-audiences. */
  private SignCertificateResponse sign(Sentry sentry, String... audiences) throws Exception {
    List<X509Certificate> anchors = Pem.parseCertificates(Files.readString(creds.resolve("ca.crt")));
    ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", sentry.port(), TlsCredentials.client(() -> anchors, SENTRY_ID, clock)).build();
    try {
      KeyPair keys = KeyAlgorithm.ED25519.generate();
      return CAGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS).signCertificate(SignCertificateRequest.newBuilder()
          .setId(APP.appId()).setNamespace(APP.namespace()).setTokenValidator(TokenValidator.INSECURE)
          .setCertificateSigningRequest(ByteString.copyFromUtf8(Pem.encodeCsr(Certs.csr(keys, KeyAlgorithm.ED25519))))
          .addAllJwtAudiences(List.of(audiences)).build());
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** What a relying party does: the key by the token's kid from the JWKS, the signature, then the claims' times. */
  private static JWTClaimsSet verify(String token, JWKSet jwks) {
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), new ImmutableJWKSet<>(jwks)));
    try {
      return p.process(token, null);
    } catch (Exception e) {
      throw new AssertionError("token does not verify against the JWKS: " + e.getMessage(), e);
    }
  }

  /** A serving certificate for the discovery server, for host name localhost, from the test's CA. */
  private Path[] oidcServingCertificate(CaBundle ca) throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate();
    IssuedCertificate cert = new Signer(() -> ca, clock).sign(keys.getPublic(), SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry"),
        List.of("localhost"), new IssuancePolicy(Duration.ofHours(1), Duration.ZERO));
    Path crt = Files.writeString(creds.resolve("oidc.crt"), cert.chainPem());
    Path key = Files.writeString(creds.resolve("oidc.key"), Pem.encodePrivateKey(keys.getPrivate()));
    return new Path[] {crt, key};
  }

  private static SSLContext trusting(CaBundle ca) throws Exception {
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("root", ca.root());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** No token, no part of a token's signature, no line of the signing key in anything sentry logged. */
  private void assertNoSecretLogged(SignCertificateResponse res, Path keyFile) throws Exception {
    List<String> secrets = new ArrayList<>();
    if (res != null) {
      secrets.add(res.getJwt().getValue());
      for (var t : res.getPerAudienceJwtsMap().values()) {
        secrets.add(t.getValue().substring(t.getValue().lastIndexOf('.') + 1));
      }
    }
    Files.readAllLines(keyFile).stream().filter(l -> !l.startsWith("-----")).forEach(secrets::add);
    assertThat(logs.list).isNotEmpty();
    for (ILoggingEvent e : logs.list) {
      String text = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
      for (String s : secrets) {
        assertThat(text).doesNotContain(s);
      }
    }
  }


  private static String kid(String jwt) {
    try {
      return SignedJWT.parse(jwt).getHeader().getKeyID();
    } catch (java.text.ParseException e) {
      throw new AssertionError("not a JWT: " + e.getMessage(), e);
    }
  }
}
