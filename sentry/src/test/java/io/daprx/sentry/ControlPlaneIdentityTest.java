package io.daprx.sentry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standalone sentry told which key vouches for the control plane ({@code --control-plane-jwks}), on loopback with real
 * TLS: a control-plane identity is signed only for a fresh JWT of that key, an app's still without any token.
 */
class ControlPlaneIdentityTest {

  static final SpiffeId SENTRY_ID = SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry");

  static ECKey clusterKey;

  @TempDir
  Path dir;

  Sentry sentry;

  @BeforeAll
  static void key() throws Exception {
    clusterKey = new ECKeyGenerator(Curve.P_256).keyID("cluster").generate();
  }

  @BeforeEach
  void start() throws Exception {
    Path jwks = Files.writeString(dir.resolve("jwks.json"), new JWKSet(clusterKey.toPublicJWK()).toString());
    SentryOptions options = SentryOptions.defaults(dir.resolve("creds")).withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withControlPlaneJwks(jwks);
    sentry = new Sentry(options, Clock.systemUTC()).start();
  }

  @AfterEach
  void stop() {
    sentry.close();
  }

  @Test
  void aControlPlaneIdentityWithoutATokenIsRefusedNamingWhatIsMissing() throws Exception {
    for (String id : new String[] {"dapr-operator", "dapr-placement", "dapr-sentry", "dapr-injector", "dapr-scheduler"}) {
      Throwable e = refusal(id, "dapr-system", "cluster.local", TokenValidator.INSECURE, "");

      assertThat(Status.fromThrowable(e.getCause()).getCode()).as(id).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(e.getCause()).hasMessageContaining("dapr-system/" + id + " is a control-plane identity")
          .hasMessageContaining("needs a control-plane token").hasMessageContaining("no token was sent");
    }
  }

  @Test
  void theControlPlaneTrustDomainAndNamespaceAreGuardedWhateverTheValidatorNamed() throws Exception {
    assertThat(code(refusal("dapr-operator", "default", "cluster.local", TokenValidator.INSECURE, ""))).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(code(refusal("myapp", "dapr-system", "", TokenValidator.INSECURE, ""))).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(code(refusal("dapr-operator", "dapr-system", "cluster.local", TokenValidator.UNKNOWN, ""))).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(code(refusal("dapr-operator", "dapr-system", "cluster.local", TokenValidator.JWKS, ""))).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void aTokenSignedByAnotherKeyIsRefused() throws Exception {
    ECKey other = new ECKeyGenerator(Curve.P_256).keyID("cluster").generate();
    String forged = token(other, "dapr-operator", Instant.now().plus(Duration.ofHours(1)));

    Throwable e = refusal("dapr-operator", "dapr-system", "cluster.local", TokenValidator.JWKS, forged);

    assertThat(code(e)).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(e.getCause()).hasMessageContaining("control-plane token was refused: token is not valid");
    assertThat(e.getMessage()).doesNotContain(forged);
  }

  @Test
  void anExpiredTokenIsRefused() throws Exception {
    String expired = token(clusterKey, "dapr-operator", Instant.now().minus(Duration.ofMinutes(10)));

    assertThat(code(refusal("dapr-operator", "dapr-system", "cluster.local", TokenValidator.JWKS, expired)))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void aTokenForOneComponentDoesNotGetAnother() throws Exception {
    String placement = token(clusterKey, "dapr-placement", Instant.now().plus(Duration.ofHours(1)));

    Throwable e = refusal("dapr-operator", "dapr-system", "cluster.local", TokenValidator.JWKS, placement);

    assertThat(e.getCause()).hasMessageContaining("token subject does not match the requested identity");
  }

  @Test
  void theClustersTokenGetsTheControlPlaneIdentity() throws Exception {
    String token = token(clusterKey, "dapr-operator", Instant.now().plus(Duration.ofHours(1)));

    try (SvidClient operator = client("dapr-operator", "dapr-system", "cluster.local", TokenValidator.JWKS, token)) {
      assertThat(operator.start().current().id()).isEqualTo(SpiffeId.of("cluster.local", "dapr-system", "dapr-operator"));
    }
  }

  @Test
  void anAppStillGetsItsIdentityWithoutAToken() throws Exception {
    try (SvidClient app = client("myapp", "default", "", TokenValidator.INSECURE, "")) {
      assertThat(app.start().current().id()).isEqualTo(SpiffeId.of("public", "default", "myapp"));
    }
  }

  @Test
  void kubernetesModeKeepsItsOwnValidatorAndRefusesTheFlag() {
    assertThatThrownBy(() -> new SentryOptions("127.0.0.1", 0, 0, 0, null, "cluster.local", "dapr-system", SentryOptions.Mode.KUBERNETES,
        Duration.ofHours(24), Duration.ofMinutes(15), null, java.util.Set.of(), null, Duration.ofSeconds(5), Duration.ofDays(30),
        io.daprx.common.pki.CryptoProviders.Preference.AUTO, dir.resolve("jwks.json")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--control-plane-jwks is for standalone mode");
  }

  private static Status.Code code(Throwable e) {
    assertThat(e).as("sentry should have refused").isNotNull();
    return Status.fromThrowable(e.getCause()).getCode();
  }

  private Throwable refusal(String id, String ns, String td, TokenValidator validator, String token) throws Exception {
    try (SvidClient c = client(id, ns, td, validator, token)) {
      return catchThrowable(c::start);
    }
  }

  private SvidClient client(String id, String ns, String td, TokenValidator validator, String token) throws Exception {
    return SvidClient.connect(new SvidClient.Options("127.0.0.1:" + sentry.port(), SENTRY_ID, id, ns, td, validator, () -> token,
        KeyAlgorithm.EC_P256, Duration.ofSeconds(3), 1), Pem.parseCertificates(Files.readString(dir.resolve("creds/ca.crt"))),
        Clock.systemUTC());
  }

  /** A token as a local cluster's supervisor mints it: ES256, aud sentry, sub the replica's SPIFFE ID. */
  private static String token(ECKey key, String appId, Instant expiry) throws Exception {
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject(SpiffeId.of("cluster.local", "dapr-system", appId).toString())
        .audience(SENTRY_ID.toString())
        .issueTime(Date.from(expiry.minus(Duration.ofHours(1))))
        .expirationTime(Date.from(expiry))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }
}
