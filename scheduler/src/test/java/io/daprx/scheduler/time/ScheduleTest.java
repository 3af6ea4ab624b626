package io.daprx.scheduler.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleTest {

  private static final Instant T = Instant.parse("2026-03-10T12:00:00.250Z"); // a Tuesday

  private static Instant next(String schedule, Instant after) {
    return Schedule.parse(schedule).next(after).orElseThrow();
  }

  @Test
  void sixFieldCronHasSecondsFirst() {
    assertThat(next("*/15 * * * * *", T)).isEqualTo(Instant.parse("2026-03-10T12:00:15Z"));
    assertThat(next("0 30 9 * * *", T)).isEqualTo(Instant.parse("2026-03-11T09:30:00Z"));
    assertThat(next("0 0 0 1 * *", T)).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
  }

  @Test
  void nextIsStrictlyAfter() {
    Instant onTheDot = Instant.parse("2026-03-10T12:00:15Z");
    assertThat(next("*/15 * * * * *", onTheDot)).isEqualTo(Instant.parse("2026-03-10T12:00:30Z"));
  }

  @Test
  void dayOfWeekCountsFromSundayAndTakesNames() {
    assertThat(next("0 0 0 * * 0", T)).isEqualTo(Instant.parse("2026-03-15T00:00:00Z")); // Sunday
    assertThat(next("0 0 0 * * MON", T)).isEqualTo(Instant.parse("2026-03-16T00:00:00Z"));
    assertThat(next("0 0 0 ? JAN *", T)).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(next("0 0 12 * * 1-5", T)).isEqualTo(Instant.parse("2026-03-11T12:00:00Z"));
  }

  @Test
  void descriptorsAreTheirCronExpressions() {
    assertThat(next("@hourly", T)).isEqualTo(Instant.parse("2026-03-10T13:00:00Z"));
    assertThat(next("@daily", T)).isEqualTo(Instant.parse("2026-03-11T00:00:00Z"));
    assertThat(next("@midnight", T)).isEqualTo(Instant.parse("2026-03-11T00:00:00Z"));
    assertThat(next("@weekly", T)).isEqualTo(Instant.parse("2026-03-15T00:00:00Z"));
    assertThat(next("@monthly", T)).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
    assertThat(next("@yearly", T)).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(next("@annually", T)).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
  }

  @Test
  void everyStepsFromThePreviousActivationWithoutRounding() {
    assertThat(next("@every 10s", T)).isEqualTo(T.plusSeconds(10));
    assertThat(next("@every 1h30m", T)).isEqualTo(T.plus(Duration.ofMinutes(90)));
    assertThat(next("@every 100ms", T)).isEqualTo(T.plusMillis(100));
  }

  @Test
  void aTimeZonePrefixMovesTheWallClock() {
    assertThat(next("CRON_TZ=Europe/Paris 0 0 9 * * *", T)).isEqualTo(Instant.parse("2026-03-11T08:00:00Z"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "* * * * *", "* * * * * * *", "61 * * * * *", "* * 24 * * *", "* * * 0 * *", "* * * * 13 *",
      "* * * * * 8", "@fortnightly", "@every", "@every 0s", "@every -1s", "@every 1d", "not a cron", "CRON_TZ=Mars/Base * * * * * *",
      "CRON_TZ=UTC @every 1s", "0 0 0 L * *", "0 0 0 * * 1#2"})
  void invalidSchedulesAreRefusedWithTheirText(String text) {
    assertThatThrownBy(() -> Schedule.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schedule");
  }
}
