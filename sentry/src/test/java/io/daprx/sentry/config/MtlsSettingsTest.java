package io.daprx.sentry.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.sentry.ca.IssuancePolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MtlsSettingsTest {

  private final IssuancePolicy flags = new IssuancePolicy(Duration.ofHours(24), Duration.ofMinutes(15));
  private final IssuancePolicy inForce = new IssuancePolicy(Duration.ofHours(2), Duration.ofMinutes(1));

  private static Map<String, Object> spec(Object ttl, Object skew) {
    Map<String, Object> mtls = new HashMap<>();
    mtls.put("enabled", true);
    mtls.put("workloadCertTTL", ttl);
    mtls.put("allowedClockSkew", skew);
    return Map.of("mtls", mtls);
  }

  @Test
  void theConfigurationsValuesWinOverTheFlags() {
    MtlsSettings.Resolved r = MtlsSettings.resolve(spec("1h30m", "30s"), flags, inForce);
    assertThat(r.policy()).isEqualTo(new IssuancePolicy(Duration.ofMinutes(90), Duration.ofSeconds(30)));
    assertThat(r.warnings()).isEmpty();
  }

  @Test
  void aMissingOrEmptyFieldLeavesTheFlagsValue() {
    assertThat(MtlsSettings.resolve(spec(null, "1m"), flags, inForce).policy())
        .isEqualTo(new IssuancePolicy(Duration.ofHours(24), Duration.ofMinutes(1)));
    assertThat(MtlsSettings.resolve(spec("", " "), flags, inForce).policy()).isEqualTo(flags);
    assertThat(MtlsSettings.resolve(Map.of("features", "x"), flags, inForce).policy()).isEqualTo(flags);
  }

  @Test
  void withoutTheConfigurationTheFlagsApply() {
    MtlsSettings.Resolved r = MtlsSettings.resolve(null, flags, inForce);
    assertThat(r.policy()).isEqualTo(flags);
    assertThat(r.warnings()).isEmpty();
  }

  @Test
  void anUnusableDurationKeepsTheValueInForceAndSaysWhy() {
    MtlsSettings.Resolved r = MtlsSettings.resolve(spec("2 hours", "5m"), flags, inForce);
    assertThat(r.policy()).isEqualTo(new IssuancePolicy(Duration.ofHours(2), Duration.ofMinutes(5)));
    assertThat(r.warnings()).singleElement().asString()
        .contains("spec.mtls.workloadCertTTL", "'2 hours' is not a duration", "keeping 2h0m0s");
  }

  @Test
  void aZeroTtlOrANegativeSkewIsRefusedButAZeroSkewIsFine() {
    MtlsSettings.Resolved zeroTtl = MtlsSettings.resolve(spec("0s", "0s"), flags, inForce);
    assertThat(zeroTtl.policy()).isEqualTo(new IssuancePolicy(Duration.ofHours(2), Duration.ZERO));
    assertThat(zeroTtl.warnings()).singleElement().asString().contains("workloadCertTTL", "not positive");

    MtlsSettings.Resolved negative = MtlsSettings.resolve(spec("1h", "-5m"), flags, inForce);
    assertThat(negative.policy()).isEqualTo(new IssuancePolicy(Duration.ofHours(1), Duration.ofMinutes(1)));
    assertThat(negative.warnings()).singleElement().asString().contains("allowedClockSkew", "keeping 1m0s");
  }

  @Test
  void aValueThatIsNotTextIsRefused() {
    MtlsSettings.Resolved r = MtlsSettings.resolve(spec(3600, "1m"), flags, inForce);
    assertThat(r.policy().workloadCertTtl()).isEqualTo(Duration.ofHours(2));
    assertThat(r.warnings()).singleElement().asString().contains("3600 is not a duration");
  }
}
