package io.daprx.scheduler.time;

import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A non-repeating ISO-8601 duration ({@code P1Y2M3W4DT5H6M7S}, each part optional, integers only, as Dapr's
 * {@code kit/time} reads it). Years, months and days move the calendar (in UTC); hours, minutes and seconds add
 * elapsed time. A repeating form ({@code R3/PT1H}) is refused: due times and TTLs are single points in time.
 */
public record IsoDuration(Period period, Duration time) {

  private static final Pattern FORM = Pattern.compile(
      "P(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)W)?(?:(\\d+)D)?(?:T(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+)S)?)?");
  private static final Pattern REPEATING = Pattern.compile("R\\d*/.*");

  /** @throws IllegalArgumentException naming what is wrong */
  public static IsoDuration parse(String text) {
    if (text != null && REPEATING.matcher(text).matches()) {
      throw new IllegalArgumentException("repeating ISO-8601 duration '" + text + "' is not a point in time: drop the R<n>/ part");
    }
    Matcher m = text == null ? null : FORM.matcher(text);
    if (m == null || !m.matches() || text.equals("P") || text.endsWith("T")) {
      throw new IllegalArgumentException("invalid ISO-8601 duration '" + text + "': use a form such as PT10S, P1DT2H or P1M");
    }
    try {
      int years = group(m, 1);
      int months = group(m, 2);
      int days = Math.addExact(Math.multiplyExact(group(m, 3), 7), group(m, 4));
      Duration time = Duration.ofHours(group(m, 5)).plusMinutes(group(m, 6)).plusSeconds(group(m, 7));
      return new IsoDuration(Period.of(years, months, days), time);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("ISO-8601 duration '" + text + "' is out of range", e);
    }
  }

  private static int group(Matcher m, int i) {
    return m.group(i) == null ? 0 : Integer.parseInt(m.group(i));
  }

  /** {@code base} moved by this duration: calendar part first (UTC), then the elapsed time. */
  public Instant addTo(Instant base) {
    return base.atOffset(ZoneOffset.UTC).plus(period).toInstant().plus(time);
  }
}
