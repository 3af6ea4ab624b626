package io.daprx.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * az's {@code json} and {@code jsonc}: {@code json.dumps(indent=2, sort_keys=True, ensure_ascii=False,
 * separators=(',', ': '))} plus a newline, and for jsonc that text through pygments' JsonLexer and
 * TerminalFormatter. Written by hand rather than with Jackson's pretty printer because az sorts keys at every
 * level, prints empty containers as {@code []}/{@code {}}, escapes control characters in lower-case hex and
 * writes floats the Python way; and because colouring needs to know each token's kind.
 */
final class JsonText {

  // pygments TerminalFormatter's codes for the JSON lexer's token types.
  private static final String RESET = "\u001b[39;49;00m";
  private static final String KEY = "\u001b[94m";
  private static final String STRING = "\u001b[33m";
  private static final String NUMBER_OR_LITERAL = "\u001b[34m";
  private static final String WHITESPACE = "\u001b[37m";

  private final StringBuilder out = new StringBuilder();
  private final boolean colour;

  private JsonText(boolean colour) {
    this.colour = colour;
  }

  static String render(JsonNode value, boolean colour) {
    JsonText t = new JsonText(colour);
    t.value(value, 0);
    t.whitespace("\n");
    return t.out.toString();
  }

  private void value(JsonNode v, int depth) {
    if (v.isObject()) {
      List<Map.Entry<String, JsonNode>> fields = Py.sortedFields(v);
      out.append('{');
      if (fields.isEmpty()) {
        out.append('}');
        return;
      }
      for (int i = 0; i < fields.size(); i++) {
        out.append(i == 0 ? "" : ",");
        whitespace("\n" + "  ".repeat(depth + 1));
        token(KEY, quote(fields.get(i).getKey()));
        out.append(':');
        whitespace(" ");
        value(fields.get(i).getValue(), depth + 1);
      }
      whitespace("\n" + "  ".repeat(depth));
      out.append('}');
    } else if (v.isArray()) {
      out.append('[');
      if (v.isEmpty()) {
        out.append(']');
        return;
      }
      for (int i = 0; i < v.size(); i++) {
        out.append(i == 0 ? "" : ",");
        whitespace("\n" + "  ".repeat(depth + 1));
        value(v.get(i), depth + 1);
      }
      whitespace("\n" + "  ".repeat(depth));
      out.append(']');
    } else if (v.isTextual()) {
      token(STRING, quote(v.textValue()));
    } else if (v.isNumber()) {
      token(NUMBER_OR_LITERAL, number(v));
    } else if (v.isBoolean()) {
      token(NUMBER_OR_LITERAL, v.booleanValue() ? "true" : "false");
    } else {
      token(NUMBER_OR_LITERAL, "null");
    }
  }

  private static String number(JsonNode v) {
    if (!v.isIntegralNumber()) {
      double d = v.doubleValue();
      // json.dumps spells the non-finite floats the JavaScript way.
      if (Double.isNaN(d)) {
        return "NaN";
      }
      if (Double.isInfinite(d)) {
        return d > 0 ? "Infinity" : "-Infinity";
      }
    }
    return Py.number(v);
  }

  private void token(String colourCode, String text) {
    if (colour) {
      coloured(colourCode, text);
    } else {
      out.append(text);
    }
  }

  private void whitespace(String ws) {
    token(WHITESPACE, ws);
  }

  /**
   * TerminalFormatter colours a token line by line ({@code str.splitlines(keepends=True)}), closing the colour
   * before each newline; so whitespace is coloured too, and a string holding U+0085 or U+2028 is cut in two.
   */
  private void coloured(String colourCode, String text) {
    int start = 0;
    while (start < text.length()) {
      int end = start;
      while (end < text.length() && !isLineBoundary(text.charAt(end))) {
        end++;
      }
      if (end < text.length()) {
        end += text.charAt(end) == '\r' && end + 1 < text.length() && text.charAt(end + 1) == '\n' ? 2 : 1;
      }
      boolean newline = text.charAt(end - 1) == '\n';
      out.append(colourCode).append(text, start, newline ? end - 1 : end).append(RESET);
      if (newline) {
        out.append('\n');
      }
      start = end;
    }
  }

  private static boolean isLineBoundary(char c) {
    return c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e) || c == 0x85
        || c == 0x2028 || c == 0x2029;
  }

  /** A JSON string as Python writes it with ensure_ascii=False. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
