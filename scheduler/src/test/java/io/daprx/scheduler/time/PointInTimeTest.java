package io.daprx.scheduler.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PointInTimeTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  @Test
  void rfc3339IsAbsoluteWithOffsetsAndFractions() {
    assertThat(PointInTime.parse("2030-01-02T15:04:05Z", NOW)).isEqualTo(Instant.parse("2030-01-02T15:04:05Z"));
    assertThat(PointInTime.parse("2030-01-02T15:04:05+02:00", NOW)).isEqualTo(Instant.parse("2030-01-02T13:04:05Z"));
    assertThat(PointInTime.parse("2030-01-02T15:04:05.123456789Z", NOW))
        .isEqualTo(Instant.parse("2030-01-02T15:04:05.123456789Z"));
  }

  @Test
  void goDurationsCountFromTheBase() {
    assertThat(PointInTime.parse("10s", NOW)).isEqualTo(NOW.plusSeconds(10));
    assertThat(PointInTime.parse("-1m", NOW)).isEqualTo(NOW.minusSeconds(60));
    assertThat(PointInTime.parse("0", NOW)).isEqualTo(NOW);
  }

  @Test
  void isoDurationsMoveTheCalendarThenAddTime() {
    assertThat(PointInTime.parse("PT10S", NOW)).isEqualTo(NOW.plusSeconds(10));
    assertThat(PointInTime.parse("P1DT2H", NOW)).isEqualTo(Instant.parse("2026-03-11T14:00:00Z"));
    assertThat(PointInTime.parse("P1M", Instant.parse("2026-01-31T00:00:00Z"))).isEqualTo(Instant.parse("2026-02-28T00:00:00Z"));
    assertThat(PointInTime.parse("P2W", NOW)).isEqualTo(Instant.parse("2026-03-24T12:00:00Z"));
    assertThat(PointInTime.parse("P1Y", NOW)).isEqualTo(Instant.parse("2027-03-10T12:00:00Z"));
  }

  @Test
  void repeatingIsoIsRefusedWithAReason() {
    assertThatThrownBy(() -> PointInTime.parse("R3/PT1H", NOW)).hasMessageContaining("repeating");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "tomorrow", "2030-01-02", "2030-01-02T15:04Z", "2030-13-02T15:04:05Z", "P", "PT", "P1H", "1d"})
  void garbageIsRefused(String text) {
    assertThatThrownBy(() -> PointInTime.parse(text, NOW)).isInstanceOf(IllegalArgumentException.class);
  }
}
