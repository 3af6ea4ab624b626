package io.daprx.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * az's {@code yaml}: {@code yaml.safe_dump(result, default_flow_style=False, allow_unicode=True)}. This is
 * PyYAML's emitter (MIT licence) cut down to what JSON data needs: block style, sorted keys, its choice between
 * plain, single- and double-quoted scalars, and its folding of long scalars at 80 columns. Jackson's YAML
 * writer differs from it on every one of those, and scripts that read az's YAML rely on them (a version
 * {@code '1.12'} or a time {@code '2024-01-01T00:00:00Z'} must stay quoted to stay a string).
 */
final class YamlText {

  private static final int WIDTH = 80;
  private static final int INDENT = 2;
  private static final String BREAKS = "\n\u0085\u2028\u2029";

  private enum Style { PLAIN, SINGLE, DOUBLE }

  private final StringBuilder out = new StringBuilder();
  private final Deque<Integer> indents = new ArrayDeque<>();
  private Integer indent;
  private int column;
  private boolean whitespace = true;
  private boolean indention = true;
  private boolean openEnded;
  private boolean rootContext;
  private boolean mappingContext;
  private boolean simpleKeyContext;

  private YamlText() {}

  static String render(JsonNode value) {
    YamlText y = new YamlText();
    y.node(value, true, false, false);
    y.writeIndent();
    if (y.openEnded) {
      // PyYAML ends a document whose root is a plain scalar with "...".
      y.writeIndicator("...", true, false, false);
      y.writeIndent();
    }
    return y.out.toString();
  }

  private void node(JsonNode v, boolean root, boolean mapping, boolean simpleKey) {
    rootContext = root;
    mappingContext = mapping;
    simpleKeyContext = simpleKey;
    if (v.isArray()) {
      if (v.isEmpty()) {
        emptyFlow("[", "]");
      } else {
        blockSequence(v);
      }
    } else if (v.isObject()) {
      if (v.isEmpty()) {
        emptyFlow("{", "}");
      } else {
        blockMapping(v);
      }
    } else {
      increaseIndent(true, false);
      scalar(Scalar.of(v));
      indent = pop();
    }
  }

  private void emptyFlow(String open, String close) {
    writeIndicator(open, true, true, false);
    increaseIndent(true, false);
    indent = pop();
    writeIndicator(close, false, false, false);
  }

  private void blockSequence(JsonNode v) {
    increaseIndent(false, mappingContext && !indention);
    for (JsonNode item : v) {
      writeIndent();
      writeIndicator("-", true, false, true);
      node(item, false, false, false);
    }
    indent = pop();
  }

  private void blockMapping(JsonNode v) {
    increaseIndent(false, false);
    for (Map.Entry<String, JsonNode> e : Py.sortedFields(v)) {
      writeIndent();
      Scalar key = Scalar.ofString(e.getKey());
      if (key.analysis.isSimpleKey()) {
        rootContext = false;
        mappingContext = true;
        simpleKeyContext = true;
        increaseIndent(true, false);
        scalar(key);
        indent = pop();
        writeIndicator(":", false, false, false);
      } else {
        writeIndicator("?", true, false, true);
        rootContext = false;
        mappingContext = true;
        simpleKeyContext = false;
        increaseIndent(true, false);
        scalar(key);
        indent = pop();
        writeIndent();
        writeIndicator(":", true, false, true);
      }
      node(e.getValue(), false, true, false);
    }
    indent = pop();
  }

  private void increaseIndent(boolean flow, boolean indentless) {
    indents.push(indent == null ? -1 : indent);
    if (indent == null) {
      indent = flow ? INDENT : 0;
    } else if (!indentless) {
      indent += INDENT;
    }
  }

  private Integer pop() {
    int i = indents.pop();
    return i < 0 ? null : i;
  }

  private void scalar(Scalar s) {
    Analysis a = s.analysis;
    Style style;
    if (s.plainImplicit && !(simpleKeyContext && (a.empty || a.multiline)) && a.allowBlockPlain) {
      style = Style.PLAIN;
    } else if (a.allowSingleQuoted && !(simpleKeyContext && a.multiline)) {
      style = Style.SINGLE;
    } else {
      style = Style.DOUBLE;
    }
    boolean split = !simpleKeyContext;
    int[] text = s.value.codePoints().toArray();
    switch (style) {
      case PLAIN -> writePlain(text, split);
      case SINGLE -> writeSingleQuoted(text, split);
      default -> writeDoubleQuoted(text, split);
    }
  }

  // ---- PyYAML's writers, kept close to the original so that they can be checked against it line by line.

  private void writeIndicator(String indicator, boolean needWhitespace, boolean ws, boolean indent) {
    String data = whitespace || !needWhitespace ? indicator : " " + indicator;
    whitespace = ws;
    indention = indention && indent;
    column += data.codePointCount(0, data.length());
    openEnded = false;
    out.append(data);
  }

  private void writeIndent() {
    int ind = indent == null ? 0 : indent;
    if (!indention || column > ind || (column == ind && !whitespace)) {
      writeLineBreak("\n");
    }
    if (column < ind) {
      whitespace = true;
      out.append(" ".repeat(ind - column));
      column = ind;
    }
  }

  private void writeLineBreak(String data) {
    whitespace = true;
    indention = true;
    column = 0;
    out.append(data);
  }

  private void write(int[] text, int start, int end) {
    out.append(new String(text, start, end - start));
    column += end - start;
  }

  private void writeBreaks(int[] text, int start, int end) {
    if (text[start] == '\n') {
      writeLineBreak("\n");
    }
    for (int i = start; i < end; i++) {
      writeLineBreak(new String(Character.toChars(text[i])));
    }
    writeIndent();
  }

  private void writeSingleQuoted(int[] text, boolean split) {
    writeIndicator("'", true, false, false);
    boolean spaces = false;
    boolean breaks = false;
    int start = 0;
    for (int end = 0; end <= text.length; end++) {
      int ch = end < text.length ? text[end] : -1;
      if (spaces) {
        if (ch != ' ') {
          if (start + 1 == end && column > WIDTH && split && start != 0 && end != text.length) {
            writeIndent();
          } else {
            write(text, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch == -1 || !isBreak(ch)) {
          writeBreaks(text, start, end);
          start = end;
        }
      } else if (ch == -1 || ch == ' ' || isBreak(ch) || ch == '\'') {
        if (start < end) {
          write(text, start, end);
          start = end;
        }
      }
      if (ch == '\'') {
        out.append("''");
        column += 2;
        start = end + 1;
      }
      if (ch != -1) {
        spaces = ch == ' ';
        breaks = isBreak(ch);
      }
    }
    writeIndicator("'", false, false, false);
  }

  private void writeDoubleQuoted(int[] text, boolean split) {
    writeIndicator("\"", true, false, false);
    int start = 0;
    for (int end = 0; end <= text.length; end++) {
      int ch = end < text.length ? text[end] : -1;
      if (ch == -1 || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == 0xFEFF
          || !((ch >= 0x20 && ch <= 0x7E) || (ch >= 0xA0 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD))) {
        if (start < end) {
          write(text, start, end);
          start = end;
        }
        if (ch != -1) {
          String data = escape(ch);
          out.append(data);
          column += data.length();
          start = end + 1;
        }
      }
      if (0 < end && end < text.length - 1 && (ch == ' ' || start >= end)
          && column + (end - start) > WIDTH && split) {
        out.append(new String(text, start, Math.max(0, end - start))).append('\\');
        column += Math.max(0, end - start) + 1;
        if (start < end) {
          start = end;
        }
        writeIndent();
        whitespace = false;
        indention = false;
        if (text[start] == ' ') {
          out.append('\\');
          column += 1;
        }
      }
    }
    writeIndicator("\"", false, false, false);
  }

  private static String escape(int ch) {
    return switch (ch) {
      case 0 -> "\\0";
      case 0x07 -> "\\a";
      case 0x08 -> "\\b";
      case 0x09 -> "\\t";
      case 0x0A -> "\\n";
      case 0x0B -> "\\v";
      case 0x0C -> "\\f";
      case 0x0D -> "\\r";
      case 0x1B -> "\\e";
      case '"' -> "\\\"";
      case '\\' -> "\\\\";
      case 0x85 -> "\\N";
      case 0xA0 -> "\\_";
      case 0x2028 -> "\\L";
      case 0x2029 -> "\\P";
      default -> ch <= 0xFF ? String.format("\\x%02X", ch)
          : ch <= 0xFFFF ? String.format("\\u%04X", ch) : String.format("\\U%08X", ch);
    };
  }

  private void writePlain(int[] text, boolean split) {
    if (rootContext) {
      openEnded = true;
    }
    if (text.length == 0) {
      return;
    }
    if (!whitespace) {
      out.append(' ');
      column += 1;
    }
    whitespace = false;
    indention = false;
    boolean spaces = false;
    boolean breaks = false;
    int start = 0;
    for (int end = 0; end <= text.length; end++) {
      int ch = end < text.length ? text[end] : -1;
      if (spaces) {
        if (ch != ' ') {
          if (start + 1 == end && column > WIDTH && split) {
            writeIndent();
            whitespace = false;
            indention = false;
          } else {
            write(text, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch == -1 || !isBreak(ch)) {
          writeBreaks(text, start, end);
          whitespace = false;
          indention = false;
          start = end;
        }
      } else if (ch == -1 || ch == ' ' || isBreak(ch)) {
        write(text, start, end);
        start = end;
      }
      if (ch != -1) {
        spaces = ch == ' ';
        breaks = isBreak(ch);
      }
    }
  }

  private static boolean isBreak(int ch) {
    return ch >= 0 && ch < 0x10000 && BREAKS.indexOf(ch) >= 0;
  }

  /** A scalar as the representer makes it: its text, and whether that text read back plain keeps its type. */
  private record Scalar(String value, boolean plainImplicit, Analysis analysis) {

    static Scalar of(JsonNode v) {
      if (v.isTextual()) {
        return ofString(v.textValue());
      }
      String text;
      if (v.isBoolean()) {
        text = v.booleanValue() ? "true" : "false";
      } else if (v.isNumber()) {
        text = v.isIntegralNumber() ? Py.number(v) : floatText(v.doubleValue());
      } else {
        text = "null";
      }
      return new Scalar(text, true, Analysis.of(text));
    }

    static Scalar ofString(String s) {
      return new Scalar(s, Resolver.isPlainString(s), Analysis.of(s));
    }

    /** SafeRepresenter.represent_float. */
    private static String floatText(double d) {
      if (Double.isNaN(d)) {
        return ".nan";
      }
      if (Double.isInfinite(d)) {
        return d > 0 ? ".inf" : "-.inf";
      }
      String value = Py.floatRepr(d).toLowerCase(java.util.Locale.ROOT);
      return value.indexOf('.') < 0 && value.indexOf('e') >= 0 ? value.replaceFirst("e", ".0e") : value;
    }
  }

  /** PyYAML's Resolver: would this text, written plain, read back as something other than a string? */
  static final class Resolver {
    private static final Pattern BOOL =
        Pattern.compile("yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
        + "|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
        + "|[-+]?\\.(?:inf|Inf|INF)"
        + "|\\.(?:nan|NaN|NAN)");
    private static final Pattern INT = Pattern.compile("[-+]?0b[0-1_]+"
        + "|[-+]?0[0-7_]+"
        + "|[-+]?(?:0|[1-9][0-9_]*)"
        + "|[-+]?0x[0-9a-fA-F_]+"
        + "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
    private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
    private static final Pattern TIMESTAMP = Pattern.compile("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
        + "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
        + "(?:[Tt]|[ \\t]+)[0-9][0-9]?"
        + ":[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
        + "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?");

    private Resolver() {}

    /** Each implicit resolver is only tried for the first characters it lists, as PyYAML does. */
    static boolean isPlainString(String s) {
      if (s.isEmpty()) {
        return false;
      }
      char c = s.charAt(0);
      return !(("yYnNtTfFoO".indexOf(c) >= 0 && BOOL.matcher(s).matches())
          || ("-+0123456789.".indexOf(c) >= 0 && FLOAT.matcher(s).matches())
          || ("-+0123456789".indexOf(c) >= 0 && INT.matcher(s).matches())
          || (c == '<' && s.equals("<<"))
          || ("~nN".indexOf(c) >= 0 && NULL.matcher(s).matches())
          || (c >= '0' && c <= '9' && TIMESTAMP.matcher(s).matches())
          || (c == '=' && s.equals("=")));
    }
  }

  /** Emitter.analyze_scalar: which styles can carry this text unchanged. */
  private record Analysis(int length, boolean empty, boolean multiline, boolean allowBlockPlain,
                          boolean allowSingleQuoted) {

    /** check_simple_key: short, one line and not empty. */
    boolean isSimpleKey() {
      return length < 128 && !empty && !multiline;
    }

    static Analysis of(String scalar) {
      int[] s = scalar.codePoints().toArray();
      if (s.length == 0) {
        return new Analysis(0, true, false, true, true);
      }
      boolean blockIndicators = false;
      boolean lineBreaks = false;
      boolean special = false;
      boolean leadingSpace = false;
      boolean leadingBreak = false;
      boolean trailingSpace = false;
      boolean trailingBreak = false;
      boolean breakSpace = false;
      boolean spaceBreak = false;
      if (scalar.startsWith("---") || scalar.startsWith("...")) {
        blockIndicators = true;
      }
      boolean precededByWhitespace = true;
      boolean followedByWhitespace = s.length == 1 || isBlank(s[1]);
      boolean previousSpace = false;
      boolean previousBreak = false;
      for (int index = 0; index < s.length; index++) {
        int ch = s[index];
        if (index == 0) {
          if ("#,[]{}&*!|>'\"%@`".indexOf(ch) >= 0) {
            blockIndicators = true;
          }
          if ((ch == '?' || ch == ':') && followedByWhitespace) {
            blockIndicators = true;
          }
          if (ch == '-' && followedByWhitespace) {
            blockIndicators = true;
          }
        } else {
          if (ch == ':' && followedByWhitespace) {
            blockIndicators = true;
          }
          if (ch == '#' && precededByWhitespace) {
            blockIndicators = true;
          }
        }
        if (isBreak(ch)) {
          lineBreaks = true;
        }
        if (!(ch == '\n' || (ch >= 0x20 && ch <= 0x7E))) {
          boolean unicode = (ch == 0x85 || (ch >= 0xA0 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD)
              || (ch >= 0x10000 && ch < 0x10FFFF)) && ch != 0xFEFF;
          if (!unicode) {
            special = true;
          }
        }
        if (ch == ' ') {
          leadingSpace |= index == 0;
          trailingSpace |= index == s.length - 1;
          breakSpace |= previousBreak;
          previousSpace = true;
          previousBreak = false;
        } else if (isBreak(ch)) {
          leadingBreak |= index == 0;
          trailingBreak |= index == s.length - 1;
          spaceBreak |= previousSpace;
          previousSpace = false;
          previousBreak = true;
        } else {
          previousSpace = false;
          previousBreak = false;
        }
        precededByWhitespace = isBlank(ch);
        followedByWhitespace = index + 2 >= s.length || isBlank(s[index + 2]);
      }
      boolean allowBlockPlain = true;
      boolean allowSingleQuoted = true;
      if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
        allowBlockPlain = false;
      }
      if (breakSpace) {
        allowBlockPlain = false;
        allowSingleQuoted = false;
      }
      if (spaceBreak || special) {
        allowBlockPlain = false;
        allowSingleQuoted = false;
      }
      if (lineBreaks || blockIndicators) {
        allowBlockPlain = false;
      }
      return new Analysis(s.length, false, lineBreaks, allowBlockPlain, allowSingleQuoted);
    }

    private static boolean isBlank(int ch) {
      return ch == 0 || ch == ' ' || ch == '\t' || ch == '\r' || isBreak(ch);
    }
  }
}
