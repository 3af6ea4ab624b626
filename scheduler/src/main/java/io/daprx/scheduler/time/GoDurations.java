package io.daprx.scheduler.time;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;

/**
 * Durations exactly as Go's {@code time.ParseDuration} reads them, because daprd passes the user's text through
 * unchanged: an optional sign, then one or more {@code <decimal><unit>} parts ({@code ns us µs ms s m h}), or a bare
 * {@code 0}. Stricter than common's {@code GoDuration} (which reads flag values): signs, {@code .5s} and overflow
 * behave as in Go.
 */
public final class GoDurations {

  private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

  private GoDurations() {}

  /** @throws IllegalArgumentException when Go would refuse the text */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw invalid(text);
    }
    int i = 0;
    boolean negative = false;
    if (text.charAt(0) == '-' || text.charAt(0) == '+') {
      negative = text.charAt(0) == '-';
      i++;
    }
    if (text.substring(i).equals("0")) {
      return Duration.ZERO;
    }
    if (i == text.length()) {
      throw invalid(text);
    }
    BigDecimal nanos = BigDecimal.ZERO;
    while (i < text.length()) {
      int start = i;
      while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
        i++;
      }
      String number = text.substring(start, i);
      if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
        throw invalid(text);
      }
      int unitStart = i;
      while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
        i++;
      }
      long unit = switch (text.substring(unitStart, i)) {
        case "ns" -> 1L;
        case "us", "\u00b5s", "\u03bcs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        default -> throw invalid(text);
      };
      nanos = nanos.add(new BigDecimal(number.startsWith(".") ? "0" + number : number).multiply(BigDecimal.valueOf(unit)));
    }
    BigInteger whole = nanos.toBigInteger(); // Go truncates fractions of a nanosecond
    if (whole.compareTo(MAX_NANOS) > 0) {
      throw new IllegalArgumentException("duration '" + text + "' is out of range (at most about 292 years)");
    }
    long n = whole.longValueExact();
    return Duration.ofNanos(negative ? -n : n);
  }

  /** Whether {@link #parse} accepts the text. */
  public static boolean isDuration(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("invalid duration '" + text + "': use a Go duration such as 10s, 1h30m or 500ms");
  }
}
