package io.daprx.injector.patch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code dapr.io/env}: {@code NAME=value,NAME2=value2}. As upstream, a comma starts a new pair only when a
 * {@code NAME=} follows it, so values may contain commas.
 */
final class EnvAnnotation {

  private static final Pattern PAIR_START = Pattern.compile(",\\s*[A-Za-z_][A-Za-z0-9_]*=");

  private EnvAnnotation() {}

  /** Name → value in order; a part without {@code =} maps to null (invalid). */
  static Map<String, String> parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    if (text.isBlank()) {
      return out;
    }
    Matcher m = PAIR_START.matcher(text);
    int start = 0;
    while (m.find()) {
      add(out, text.substring(start, m.start()));
      start = m.start() + 1;
    }
    add(out, text.substring(start));
    return out;
  }

  private static void add(Map<String, String> out, String part) {
    String p = part.trim();
    int eq = p.indexOf('=');
    if (eq < 0) {
      out.put(p, null);
    } else {
      out.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
    }
  }
}
