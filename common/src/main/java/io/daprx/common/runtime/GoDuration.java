package io.daprx.common.runtime;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written the way Dapr's flags and Helm values write them ({@code 24h}, {@code 15m},
 * {@code 1h30m}, {@code 500ms}), so users can copy values from Dapr's documentation unchanged.
 */
public final class GoDuration {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private GoDuration() {}

  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration: use a value such as 24h, 15m, 30s or 1h30m");
    }
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(s);
    int pos = 0;
    double nanos = 0;
    while (m.find() && m.start() == pos) {
      double v = Double.parseDouble(m.group(1));
      nanos += v * switch (m.group(2)) {
        case "ns" -> 1;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      pos = m.end();
    }
    if (pos != s.length() || pos == 0) {
      throw new IllegalArgumentException("invalid duration '" + text + "': use a value such as 24h, 15m, 30s or 1h30m");
    }
    return Duration.ofNanos((long) nanos);
  }

  /** Formats like Go's {@code time.Duration.String()} for whole seconds and above, e.g. {@code 24h0m0s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.toMillis() < 1000) {
      return d.toMillis() + "ms";
    }
    long s = d.getSeconds();
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    StringBuilder sb = new StringBuilder();
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (h > 0 || m > 0) {
      sb.append(m).append('m');
    }
    sb.append(sec).append('s');
    return sb.toString();
  }
}
