package io.daprx.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

  @Test
  void readsDaprStyleDurations() {
    assertThat(GoDuration.parse("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(GoDuration.parse("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDuration.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(GoDuration.parse("0")).isZero();
  }

  @Test
  void refusesWhatGoWouldRefuse() {
    assertThatThrownBy(() -> GoDuration.parse("24")).hasMessageContaining("24h");
    assertThatThrownBy(() -> GoDuration.parse("1d")).hasMessageContaining("invalid duration");
    assertThatThrownBy(() -> GoDuration.parse("h")).hasMessageContaining("invalid duration");
    assertThatThrownBy(() -> GoDuration.parse("")).hasMessageContaining("empty duration");
  }

  @Test
  void formatsLikeGo() {
    assertThat(GoDuration.format(Duration.ofHours(24))).isEqualTo("24h0m0s");
    assertThat(GoDuration.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(GoDuration.format(Duration.ofMillis(250))).isEqualTo("250ms");
  }
}
