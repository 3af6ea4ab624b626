package io.daprx.dashboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CaExpiryTest {

  final Instant now = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void warningBandBeforeExpiryAndExpiredAfter() {
    Duration band = Duration.ofDays(30);
    assertThat(CaExpiry.state(now.plus(Duration.ofDays(365)), now, band)).isEqualTo("ok");
    assertThat(CaExpiry.state(now.plus(Duration.ofDays(29)), now, band)).isEqualTo("warning");
    assertThat(CaExpiry.state(now, now, band)).isEqualTo("expired");
    assertThat(CaExpiry.state(now.minusSeconds(1), now, band)).isEqualTo("expired");
    assertThat(CaExpiry.entry("issuer", null, now.plus(Duration.ofDays(10)), now, band).path("daysLeft").asLong()).isEqualTo(10);
  }

  @Test
  void sentrysIssuerGaugeIsReadFromPrometheusText() {
    String text = """
        # HELP dapr_sentry_issuercert_expiry_timestamp issuer expiry
        # TYPE dapr_sentry_issuercert_expiry_timestamp gauge
        dapr_sentry_issuercert_expiry_timestamp 1.7672256E9
        dapr_sentry_rootcert_expiry_timestamp{ca="x"} 2.0E9
        """;
    assertThat(CaExpiry.gauge(text, "dapr_sentry_issuercert_expiry_timestamp")).isEqualTo(1.7672256E9);
    assertThat(CaExpiry.gauge(text, "dapr_sentry_rootcert_expiry_timestamp")).isEqualTo(2.0E9);
    assertThat(CaExpiry.gauge(text, "missing")).isNull();
  }
}
