package io.daprx.sentry.validator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwksValidatorTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final SpiffeId SENTRY = SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry");
  static final String SUB = "spiffe://public/ns/shop/cart";

  static RSAKey rsa;
  static ECKey ec;
  static KeyPair ed;
  static OctetKeyPair edJwk;

  @TempDir
  Path dir;
  HttpServer http;

  @BeforeAll
  static void keys() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] spki = ed.getPublic().getEncoded();
    edJwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(Arrays.copyOfRange(spki, spki.length - 32, spki.length)))
        .keyID("ed-1").build();
  }

  @AfterEach
  void stopHttp() {
    if (http != null) {
      http.stop(0);
    }
  }

  @Test
  void rsaTokenFromAJwksFileProvesTheRequestedIdInThePublicTrustDomain() throws Exception {
    JwksValidator validator = fromFile();

    assertThat(validator.validate(request("shop", "cart", "", signed(rsa, claims(SUB)))))
        .isEqualTo(SpiffeId.of("public", "shop", "cart"));
  }

  @Test
  void ecTokenFromAJwksUrlProvesTheRequestedIdInTheRequestedTrustDomain() throws Exception {
    JwksValidator validator = fromUrl();
    String token = signed(ec, claims("spiffe://example.org/ns/shop/cart"));

    assertThat(validator.validate(request("shop", "cart", "example.org", token))).isEqualTo(SpiffeId.of("example.org", "shop", "cart"));
  }

  @Test
  void ed25519TokenIsVerifiedWithTheJdk() throws Exception {
    JwksValidator validator = fromFile();

    assertThat(validator.validate(request("shop", "cart", "", signedEd25519(claims(SUB))))).isEqualTo(SpiffeId.of("public", "shop", "cart"));
  }

  @Test
  void ed25519TokenWithAnotherKeyIsRefused() throws Exception {
    KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();

    assertThat(refused(fromFile(), request("shop", "cart", "", signedEd25519(claims(SUB), other)))).hasMessage("token is not valid");
  }

  @Test
  void subjectOfAnotherIdentityIsRefused() throws Exception {
    String token = signed(rsa, claims("spiffe://public/ns/shop/orders"));

    ValidationException e = refused(fromFile(), request("shop", "cart", "", token));

    assertThat(e).hasMessage("token subject does not match the requested identity");
  }

  @Test
  void subjectInAnotherTrustDomainIsRefused() throws Exception {
    String token = signed(rsa, claims("spiffe://example.org/ns/shop/cart"));

    assertThat(refused(fromFile(), request("shop", "cart", "", token))).hasMessage("token subject does not match the requested identity");
  }

  @Test
  void audienceOtherThanSentryIsRefused() throws Exception {
    String token = signed(rsa, claims(SUB).audience(List.of("dapr.io/sentry", "https://kubernetes.default.svc")));

    assertThat(refused(fromFile(), request("shop", "cart", "", token))).hasMessage("token is not valid");
  }

  @Test
  void tokenExpiredWithinTheFiveMinuteSkewIsAccepted() throws Exception {
    String token = signed(rsa, claims(SUB).expirationTime(Date.from(NOW.minus(Duration.ofMinutes(4)))));

    assertThat(fromFile().validate(request("shop", "cart", "", token)).appId()).isEqualTo("cart");
  }

  @Test
  void tokenExpiredBeyondTheSkewIsRefused() throws Exception {
    String token = signed(rsa, claims(SUB).expirationTime(Date.from(NOW.minus(Duration.ofMinutes(6)))));

    ValidationException e = refused(fromFile(), request("shop", "cart", "", token));

    assertThat(e).hasMessage("token is not valid");
    assertThat(e.detail()).containsIgnoringCase("expired");
  }

  @Test
  void tokenNotYetValidBeyondTheSkewIsRefused() throws Exception {
    String token = signed(rsa, claims(SUB).notBeforeTime(Date.from(NOW.plus(Duration.ofMinutes(6)))));

    assertThat(refused(fromFile(), request("shop", "cart", "", token))).hasMessage("token is not valid");
  }

  @Test
  void tokenWithoutExpiryIsRefused() throws Exception {
    String token = signed(rsa, claims(SUB).expirationTime(null));

    assertThat(refused(fromFile(), request("shop", "cart", "", token))).hasMessage("token is not valid");
  }

  @Test
  void forgedSignatureUnderAKnownKeyIdIsRefused() throws Exception {
    RSAKey impostor = new RSAKeyGenerator(2048).keyID(rsa.getKeyID()).generate();
    String forged = signed(impostor, claims(SUB));

    assertThat(refused(fromFile(), request("shop", "cart", "", forged))).hasMessage("token is not valid");
    assertThat(refused(fromUrl(), request("shop", "cart", "", forged))).hasMessage("token is not valid");
  }

  @Test
  void hmacTokenIsRefused() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(rsa.getKeyID()).build(), claims(SUB).build());
    jwt.sign(new MACSigner(new byte[32]));

    assertThat(refused(fromFile(), request("shop", "cart", "", jwt.serialize()))).hasMessage("token is not valid");
  }

  @Test
  void garbageTokenIsRefused() throws Exception {
    assertThat(refused(fromFile(), request("shop", "cart", "", "not-a-jwt"))).hasMessage("token is not valid");
  }

  @Test
  void emptyTokenIsRequired() throws Exception {
    assertThat(refused(fromFile(), request("shop", "cart", "", ""))).hasMessage("token is required");
  }

  @Test
  void unreachableJwksUrlIsARefusal() throws Exception {
    JwksValidator validator = fromUrl();
    http.stop(0);
    http = null;

    assertThat(refused(validator, request("shop", "cart", "", signed(ec, claims(SUB))))).hasMessage("could not fetch the keys to verify the token");
  }

  @Test
  void missingJwksFileIsAClearError() {
    Path missing = dir.resolve("nope.json");

    assertThatThrownBy(() -> new JwksValidator(missing.toString(), SENTRY, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope.json")
        .hasMessageContaining("does not exist");
  }

  @Test
  void fileThatIsNotAJwksIsAClearError() throws IOException {
    Path notJwks = Files.writeString(dir.resolve("keys.json"), "{\"hello\": \"world\"}");

    assertThatThrownBy(() -> new JwksValidator(notJwks.toString(), SENTRY, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keys.json")
        .hasMessageContaining("not a JSON Web Key Set");
  }

  private String jwksJson() {
    List<JWK> keys = List.of(rsa.toPublicJWK(), ec.toPublicJWK(), edJwk);
    return new JWKSet(keys).toString();
  }

  private JwksValidator fromFile() throws IOException {
    Path file = Files.writeString(dir.resolve("jwks.json"), jwksJson());
    return new JwksValidator(file.toString(), SENTRY, CLOCK);
  }

  private JwksValidator fromUrl() throws IOException {
    byte[] body = jwksJson().getBytes(StandardCharsets.UTF_8);
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/jwks.json", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    http.start();
    return new JwksValidator("http://127.0.0.1:" + http.getAddress().getPort() + "/jwks.json", SENTRY, CLOCK);
  }

  private static JWTClaimsSet.Builder claims(String sub) {
    return new JWTClaimsSet.Builder()
        .issuer("https://issuer.example")
        .subject(sub)
        .audience(SENTRY.toString())
        .issueTime(Date.from(NOW.minusSeconds(60)))
        .expirationTime(Date.from(NOW.plusSeconds(600)));
  }

  private static String signed(JWK key, JWTClaimsSet.Builder claims) throws JOSEException {
    JWSSigner signer = key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key);
    JWSAlgorithm alg = key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256;
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims.build());
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static String signedEd25519(JWTClaimsSet.Builder claims) throws Exception {
    return signedEd25519(claims, ed);
  }

  /** By hand with the JDK: nimbus's Ed25519Signer needs Google Tink, which is not on the classpath. */
  private static String signedEd25519(JWTClaimsSet.Builder claims, KeyPair keys) throws Exception {
    String input = new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID("ed-1").build().toBase64URL()
        + "." + Base64URL.encode(claims.build().toString());
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(keys.getPrivate());
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + Base64URL.encode(s.sign());
  }

  private static SignCertificateRequest request(String ns, String id, String td, String token) {
    return SignCertificateRequest.newBuilder()
        .setNamespace(ns).setId(id).setTrustDomain(td).setToken(token)
        .setTokenValidator(SignCertificateRequest.TokenValidator.JWKS)
        .build();
  }

  private static ValidationException refused(JwksValidator validator, SignCertificateRequest req) {
    ValidationException e = catchThrowableOfType(ValidationException.class, () -> validator.validate(req));
    assertThat(e).as("validation should fail").isNotNull();
    if (!req.getToken().isEmpty()) {
      assertThat(e.getMessage()).doesNotContain(req.getToken());
      assertThat(e.detail()).doesNotContain(req.getToken());
    }
    return e;
  }
}
