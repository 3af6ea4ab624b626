package io.daprx.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * How Python turns values into text. az is Python, so every format it prints goes through {@code str()},
 * {@code repr()} and sorted dict keys; matching its output byte for byte means copying those rules.
 */
final class Py {

  /** Python orders str keys by code point; {@link String#compareTo} would put astral characters first. */
  static final Comparator<String> KEY_ORDER = (a, b) -> {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  };

  private Py() {}

  /** An object's fields, sorted the way {@code sorted(dict)} would. */
  static List<Map.Entry<String, JsonNode>> sortedFields(JsonNode object) {
    List<Map.Entry<String, JsonNode>> fields = fields(object);
    fields.sort(Map.Entry.comparingByKey(KEY_ORDER));
    return fields;
  }

  /** An object's fields in insertion order. */
  static List<Map.Entry<String, JsonNode>> fields(JsonNode object) {
    return new ArrayList<>(object.properties());
  }

  /** {@code str(value)} of the value json.loads would have made: {@code True}, {@code None}, {@code 1e+20}. */
  static String str(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "None";
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue() ? "True" : "False";
    }
    if (v.isNumber()) {
      return number(v);
    }
    return repr(v);
  }

  /** {@code repr(value)}: what tabulate shows for a list or dict inside a table cell. */
  static String repr(JsonNode v) {
    if (v.isTextual()) {
      return repr(v.textValue());
    }
    if (v.isArray()) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < v.size(); i++) {
        b.append(i == 0 ? "" : ", ").append(repr(v.get(i)));
      }
      return b.append(']').toString();
    }
    if (v.isObject()) {
      StringBuilder b = new StringBuilder("{");
      String sep = "";
      for (Map.Entry<String, JsonNode> e : fields(v)) {
        b.append(sep).append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
        sep = ", ";
      }
      return b.append('}').toString();
    }
    return str(v);
  }

  /** A JSON number as Python prints the int or float json.loads makes of it. */
  static String number(JsonNode v) {
    return v.isIntegralNumber() ? v.bigIntegerValue().toString() : floatRepr(v.doubleValue());
  }

  /**
   * {@code repr(float)}: the shortest digits that read back to the same double, in fixed notation unless the
   * exponent is below -4 or at least 16 ({@code 1e-05}, {@code 1e+16}, {@code 100.0}).
   */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    String sign = (d < 0 || (d == 0 && 1 / d < 0)) ? "-" : "";
    if (d == 0) {
      return sign + "0.0";
    }
    BigDecimal exact = new BigDecimal(Math.abs(d));
    BigDecimal shortest = exact;
    // Double.toString is not always the shortest on Java 17; rounding the exact value is.
    for (int p = 1; p <= 17; p++) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (r.doubleValue() == Math.abs(d)) {
        shortest = r;
        break;
      }
    }
    shortest = shortest.stripTrailingZeros();
    String digits = shortest.unscaledValue().toString();
    int exp = digits.length() - 1 - shortest.scale();
    if (exp < -4 || exp >= 16) {
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
    if (exp < 0) {
      return sign + "0." + "0".repeat(-exp - 1) + digits;
    }
    if (digits.length() <= exp + 1) {
      return sign + digits + "0".repeat(exp + 1 - digits.length()) + ".0";
    }
    return sign + digits.substring(0, exp + 1) + "." + digits.substring(exp + 1);
  }

  /** {@code repr(str)}: single quotes unless the text has a single quote and no double one. */
  static String repr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder b = new StringBuilder().append(quote);
    s.codePoints().forEach(c -> {
      if (c == quote || c == '\\') {
        b.append('\\').appendCodePoint(c);
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c == '\t') {
        b.append("\\t");
      } else if (isPrintable(c)) {
        b.appendCodePoint(c);
      } else if (c < 0x100) {
        b.append(String.format("\\x%02x", c));
      } else if (c < 0x10000) {
        b.append(String.format("\\u%04x", c));
      } else {
        b.append(String.format("\\U%08x", c));
      }
    });
    return b.append(quote).toString();
  }

  /** {@code str.isprintable()} for one character: no controls, format, separators other than space, unassigned. */
  private static boolean isPrintable(int c) {
    if (c == ' ') {
      return true;
    }
    switch (Character.getType(c)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
          Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> {
        return false;
      }
      default -> {
        return true;
      }
    }
  }

  /** {@code s[0].upper() + s[1:]}, which az applies to every table header. */
  static String capitalizeFirst(String s) {
    if (s.isEmpty()) {
      return s;
    }
    int first = s.codePointAt(0);
    return new String(Character.toChars(first)).toUpperCase(java.util.Locale.ROOT) + s.substring(Character.charCount(first));
  }
}
