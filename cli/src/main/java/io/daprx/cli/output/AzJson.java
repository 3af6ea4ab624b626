package io.daprx.cli.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * az's {@code json} and {@code jsonc}, emitted by Jackson: knack's {@code json.dumps(indent=2, sort_keys=True,
 * ensure_ascii=False, separators=(',', ': '))} plus a newline — two-space indent, one item per line, {@code ": "},
 * empty containers as {@code []}/{@code {}}, non-ASCII as is, control characters in lower-case hex — and for jsonc that
 * text coloured as pygments' JsonLexer and TerminalFormatter colour it. What Jackson does not know of Python is done to
 * the tree first: keys sorted by code point (Python's order), floats spelled as Python's {@code repr}.
 */
final class AzJson {

  // pygments TerminalFormatter's codes for the JSON lexer's token types.
  private static final String RESET = "\u001b[39;49;00m";
  private static final String KEY = "\u001b[94m";
  private static final String STRING = "\u001b[33m";
  private static final String NUMBER_OR_LITERAL = "\u001b[34m";
  private static final String WHITESPACE = "\u001b[37m";

  private static final JsonFactory FACTORY = JsonFactory.builder().disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  private static final ObjectWriter WRITER = new ObjectMapper(FACTORY).writer(new AzPrinter());

  private AzJson() {}

  static String render(JsonNode value, boolean colour) {
    String text;
    try {
      text = WRITER.writeValueAsString(pythonic(value)) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return colour ? colour(text) : text;
  }

  /** The tree as json.dumps sees it: objects in sorted-key order, floats as raw Python spellings. */
  private static JsonNode pythonic(JsonNode v) {
    if (v.isObject()) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> f : Py.sortedFields(v)) {
        o.set(f.getKey(), pythonic(f.getValue()));
      }
      return o;
    }
    if (v.isArray()) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      v.forEach(item -> a.add(pythonic(item)));
      return a;
    }
    if (v.isNumber() && !v.isIntegralNumber()) {
      double d = v.doubleValue();
      // json.dumps spells the non-finite floats the JavaScript way, the others as repr()
      String s = Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Py.number(v);
      return JsonNodeFactory.instance.rawValueNode(new RawValue(s));
    }
    return v;
  }

  /**
   * Jackson's pretty printer with Python's layout: {@code "key": value} (no space before the colon), a newline and two
   * spaces per level for objects and arrays alike, nothing between the brackets of an empty one.
   */
  static final class AzPrinter extends DefaultPrettyPrinter {
    AzPrinter() {
      super(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
      DefaultIndenter lines = new DefaultIndenter("  ", "\n");
      indentObjectsWith(lines);
      indentArraysWith(lines);
    }

    @Override
    public DefaultPrettyPrinter createInstance() {
      return new AzPrinter();
    }

    @Override
    public void writeEndObject(JsonGenerator g, int entries) throws IOException {
      _nesting--;
      if (entries > 0) {
        _objectIndenter.writeIndentation(g, _nesting);
      }
      g.writeRaw('}');
    }

    @Override
    public void writeEndArray(JsonGenerator g, int values) throws IOException {
      _nesting--;
      if (values > 0) {
        _arrayIndenter.writeIndentation(g, _nesting);
      }
      g.writeRaw(']');
    }
  }

  /**
   * The printed text coloured token by token, as pygments does: Jackson's parser says where each key, string, number
   * and literal starts; whitespace between tokens is coloured too, punctuation is not.
   */
  private static String colour(String text) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    try (JsonParser p = FACTORY.createParser(text)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        String code = switch (t) {
          case FIELD_NAME -> KEY;
          case VALUE_STRING -> STRING;
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> NUMBER_OR_LITERAL;
          default -> null;
        };
        if (code == null) {
          continue;
        }
        int start = (int) p.currentTokenLocation().getCharOffset();
        int end = code == NUMBER_OR_LITERAL ? scalarEnd(text, start) : stringEnd(text, start);
        between(out, text, at, start);
        coloured(out, code, text.substring(start, end));
        at = end;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    between(out, text, at, text.length());
    return out.toString();
  }

  /** Punctuation as is, each run of whitespace coloured. */
  private static void between(StringBuilder out, String text, int from, int to) {
    int i = from;
    while (i < to) {
      int j = i;
      boolean space = Character.isWhitespace(text.charAt(i));
      while (j < to && Character.isWhitespace(text.charAt(j)) == space) {
        j++;
      }
      if (space) {
        coloured(out, WHITESPACE, text.substring(i, j));
      } else {
        out.append(text, i, j);
      }
      i = j;
    }
  }

  /** The end of the quoted string starting at {@code start}, past its closing quote. */
  private static int stringEnd(String text, int start) {
    int i = start + 1;
    while (text.charAt(i) != '"') {
      i += text.charAt(i) == '\\' ? 2 : 1;
    }
    return i + 1;
  }

  private static int scalarEnd(String text, int start) {
    int i = start;
    while (i < text.length() && ",]}: \n".indexOf(text.charAt(i)) < 0) {
      i++;
    }
    return i;
  }

  /**
   * TerminalFormatter colours a token line by line ({@code str.splitlines(keepends=True)}), closing the colour
   * before each newline; so whitespace is coloured too, and a string holding U+0085 or U+2028 is cut in two.
   */
  private static void coloured(StringBuilder out, String colourCode, String text) {
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
}
