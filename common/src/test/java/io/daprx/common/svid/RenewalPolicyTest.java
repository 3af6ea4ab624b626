package io.daprx.common.svid;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RenewalPolicyTest {

  @Test
  void renewsHalfWayThroughValidity() {
    Instant nb = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(RenewalPolicy.renewAt(nb, nb.plus(Duration.ofHours(24)))).isEqualTo(nb.plus(Duration.ofHours(12)));
  }

  @Test
  void backOffGrowsAndIsCappedAtTenSeconds() {
    assertThat(RenewalPolicy.retryDelay(1)).isEqualTo(Duration.ofMillis(500));
    assertThat(RenewalPolicy.retryDelay(2)).isEqualTo(Duration.ofSeconds(1));
    assertThat(RenewalPolicy.retryDelay(3)).isEqualTo(Duration.ofSeconds(2));
    assertThat(RenewalPolicy.retryDelay(6)).isEqualTo(Duration.ofSeconds(10));
    assertThat(RenewalPolicy.retryDelay(1000)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aPastRenewalTimeMeansNow() {
    Instant now = Instant.parse("2026-01-01T12:00:00Z");
    assertThat(RenewalPolicy.delayUntil(now, now.minusSeconds(5))).isZero();
    assertThat(RenewalPolicy.delayUntil(now, now.plusSeconds(5))).isEqualTo(Duration.ofSeconds(5));
  }
}
