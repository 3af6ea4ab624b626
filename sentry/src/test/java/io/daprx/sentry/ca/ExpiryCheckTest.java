package io.daprx.sentry.ca;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundles;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ExpiryCheckTest {

  private final Instant start = Instant.parse("2026-01-01T00:00:00Z");
  private final CaBundle bundle = CaBundles.generate("cluster.local", "dapr-system", Duration.ofDays(365), Clock.fixed(start, ZoneOffset.UTC));

  @Test
  void nothingToSayWellBeforeExpiry() {
    assertThat(ExpiryCheck.warnings(bundle, start.plus(Duration.ofDays(300)), Duration.ofDays(30))).isEmpty();
  }

  @Test
  void warnsInsideTheBandAndNamesTheFix() {
    assertThat(ExpiryCheck.warnings(bundle, start.plus(Duration.ofDays(340)), Duration.ofDays(30)))
        .singleElement().asString().contains("root certificate expires").contains("in 25 days").contains("renew-certificate --new-root");
  }

  @Test
  void anIssuerThatExpiresBeforeItsRootIsNamedOnItsOwn() {
    Clock clock = Clock.fixed(start, ZoneOffset.UTC);
    java.security.KeyPair rootKeys = io.daprx.common.pki.KeyAlgorithm.EC_P256.generate();
    java.security.cert.X509Certificate root = CaBundles.newRoot("cluster.local", rootKeys, Duration.ofDays(365), clock);
    CaBundle shortIssuer = CaBundles.underRoot(root, rootKeys.getPrivate(), "cluster.local", "dapr-system", Duration.ofDays(40), clock);
    assertThat(ExpiryCheck.warnings(shortIssuer, start.plus(Duration.ofDays(20)), Duration.ofDays(30)))
        .singleElement().asString().contains("issuer certificate expires").contains("'daprx mtls renew-certificate'");
  }
}
