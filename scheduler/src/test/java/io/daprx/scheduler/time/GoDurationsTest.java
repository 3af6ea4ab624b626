package io.daprx.scheduler.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationsTest {

  @Test
  void readsWhatGoReads() {
    assertThat(GoDurations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(GoDurations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDurations.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDurations.parse(".5s")).isEqualTo(Duration.ofMillis(500));
    assertThat(GoDurations.parse("1.s")).isEqualTo(Duration.ofSeconds(1));
    assertThat(GoDurations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(GoDurations.parse("3us")).isEqualTo(Duration.ofNanos(3000));
    assertThat(GoDurations.parse("3\u00b5s")).isEqualTo(Duration.ofNanos(3000));
    assertThat(GoDurations.parse("7ns")).isEqualTo(Duration.ofNanos(7));
    assertThat(GoDurations.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(GoDurations.parse("-0")).isEqualTo(Duration.ZERO);
    assertThat(GoDurations.parse("-1m")).isEqualTo(Duration.ofMinutes(-1));
    assertThat(GoDurations.parse("+2h1s")).isEqualTo(Duration.ofHours(2).plusSeconds(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "s", "1d", "1.2.3s", "-", "1h ", " 1h", "1H", "PT1S", "1h-1m", "9999999999h"})
  void refusesWhatGoRefuses(String text) {
    assertThatThrownBy(() -> GoDurations.parse(text)).isInstanceOf(IllegalArgumentException.class);
    assertThat(GoDurations.isDuration(text)).isFalse();
  }
}
