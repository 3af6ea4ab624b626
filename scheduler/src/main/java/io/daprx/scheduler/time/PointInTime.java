package io.daprx.scheduler.time;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;

/**
 * A job's {@code due_time} or {@code ttl}, in the three forms daprd passes through: an RFC3339 timestamp (fractions
 * allowed), a Go duration from a base instant, or a non-repeating ISO-8601 duration from that base. Tried in that
 * order, as upstream does.
 */
public final class PointInTime {

  private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder()
      .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
      .appendOffset("+HH:MM", "Z")
      .toFormatter()
      .withResolverStyle(ResolverStyle.STRICT);

  private PointInTime() {}

  /**
   * @param base what relative forms count from (now, or the due time for a TTL)
   * @throws IllegalArgumentException when the text is none of the three forms
   */
  public static Instant parse(String text, Instant base) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty time: use RFC3339 (2030-01-02T15:04:05Z), a Go duration (10s) or ISO-8601 (PT10S)");
    }
    try {
      return OffsetDateTime.parse(text, RFC3339).toInstant();
    } catch (DateTimeException notRfc3339) {
      // try the relative forms
    }
    try {
      return base.plus(GoDurations.parse(text));
    } catch (IllegalArgumentException notGo) {
      // try ISO-8601
    } catch (ArithmeticException | DateTimeException e) {
      throw new IllegalArgumentException("time '" + text + "' is out of range", e);
    }
    try {
      return IsoDuration.parse(text).addTo(base);
    } catch (DateTimeException | ArithmeticException e) {
      throw new IllegalArgumentException("time '" + text + "' is out of range", e);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("repeating")) {
        throw e;
      }
      throw new IllegalArgumentException("time '" + text
          + "' not recognized: use RFC3339 (2030-01-02T15:04:05Z), a Go duration (10s) or ISO-8601 (PT10S)");
    }
  }
}
