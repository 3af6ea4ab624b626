package io.daprx.manager.deploy;

import io.daprx.common.testing.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.daprx.manager.install.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneTokensTest {

  static final List<String> ASKING_SENTRY = List.of("dapr-operator", "dapr-placement", "dapr-scheduler", "dapr-injector");

  @TempDir
  Path dir;

  final TestClock clock = new TestClock(Instant.parse("2026-12-07T09:00:00Z"));
  final ControlPlaneTokens tokens = new ControlPlaneTokens(clock);

  @AfterEach
  void close() {
    tokens.close();
  }

  @Test
  void anInstallGetsAnOwnerOnlyKeyItsJwksAndAShortLivedTokenPerIdentitySignedByIt() throws Exception {
    LocalCluster cluster = new LocalCluster("rg/c", dir.resolve("c"), 32000);

    tokens.issue("c.dapr-system", cluster, "dapr-system");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cluster.identityDir()))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cluster.identityDir().resolve("signing-key.jwk"))))
        .isEqualTo("rw-------");
    ECKey published = (ECKey) JWKSet.load(cluster.controlPlaneJwks().toFile()).getKeys().get(0);
    assertThat(published.isPrivate()).isFalse();
    for (String id : ASKING_SENTRY) {
      Path file = cluster.sentryTokenFile("dapr-system", id);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      SignedJWT jwt = SignedJWT.parse(Files.readString(file));
      assertThat(jwt.verify(new ECDSAVerifier(published))).as(id).isTrue();
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      assertThat(claims.getSubject()).isEqualTo("spiffe://cluster.local/ns/dapr-system/" + id);
      assertThat(claims.getAudience()).containsExactly("spiffe://cluster.local/ns/dapr-system/dapr-sentry");
      assertThat(claims.getExpirationTime().toInstant()).isEqualTo(clock.instant().plus(ControlPlaneTokens.TTL));
    }
    assertThat(cluster.sentryTokenFile("dapr-system", "dapr-sentry")).doesNotExist();
  }

  @Test
  void theKeyIsMadeOnceAndKeptAcrossInstallsAndServerRestarts() throws Exception {
    LocalCluster cluster = new LocalCluster("rg/c", dir.resolve("c"), 32000);
    tokens.issue("c.dapr-system", cluster, "dapr-system");
    String key = Files.readString(cluster.identityDir().resolve("signing-key.jwk"));

    try (ControlPlaneTokens restarted = new ControlPlaneTokens(clock)) {
      restarted.issue("c.dapr-system", cluster, "dapr-system");
    }

    assertThat(Files.readString(cluster.identityDir().resolve("signing-key.jwk"))).isEqualTo(key);
  }

  @Test
  void tokensAreRenewedAtHalfTheirLifeAndDeletedWhenTheInstallStops() throws Exception {
    LocalCluster cluster = new LocalCluster("rg/c", dir.resolve("c"), 32000);
    tokens.issue("c.dapr-system", cluster, "dapr-system");
    Path operator = cluster.sentryTokenFile("dapr-system", "dapr-operator");
    String first = Files.readString(operator);

    clock.advance(ControlPlaneTokens.TTL.dividedBy(2).minusSeconds(1));
    tokens.renewDue();
    assertThat(Files.readString(operator)).isEqualTo(first);

    clock.advance(Duration.ofSeconds(1));
    tokens.renewDue();
    String renewed = Files.readString(operator);
    assertThat(renewed).isNotEqualTo(first);
    assertThat(SignedJWT.parse(renewed).getJWTClaimsSet().getExpirationTime().toInstant())
        .isEqualTo(clock.instant().plus(ControlPlaneTokens.TTL));

    tokens.revoke("c.dapr-system", cluster, "dapr-system");
    assertThat(operator).doesNotExist();
    clock.advance(ControlPlaneTokens.TTL);
    tokens.renewDue();
    assertThat(operator).doesNotExist();
  }

  @Test
  void aDamagedKeyIsAClearErrorNamingTheFixAndNeverSilentlyReplaced() throws Exception {
    LocalCluster cluster = new LocalCluster("rg/c", dir.resolve("c"), 32000);
    tokens.issue("c.dapr-system", cluster, "dapr-system");
    Path key = cluster.identityDir().resolve("signing-key.jwk");
    Files.writeString(key, "{\"kty\":\"EC\"");

    assertThatThrownBy(() -> tokens.issue("c.dapr-system", cluster, "dapr-system"))
        .isInstanceOf(IOException.class).hasMessageContaining(key.toString()).hasMessageContaining("is not an EC private JWK")
        .hasMessageContaining("delete " + cluster.identityDir());
    assertThat(Files.readString(key)).isEqualTo("{\"kty\":\"EC\"");
  }
}
