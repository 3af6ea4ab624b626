package io.daprx.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * az's {@code table}: knack's {@code _TableOutput} (which rows and columns) feeding
 * {@code tabulate(rows, headers="keys", tablefmt="simple", disable_numparse=True)} (how they are laid out).
 */
final class TableText {

  /** knack leaves these out of every table; a query that wants them must rename them ({@code Id:id}). */
  private static final Set<String> SKIP_KEYS = Set.of("id", "type", "etag");
  /** tabulate's MIN_PADDING: a column is at least two wider than its header. */
  private static final int MIN_PADDING = 2;
  private static final String SEPARATOR = "  ";
  private static final Pattern INVISIBLE =
      Pattern.compile("\u001b\\[\\d+[;\\d]*m|\u001b\\[\\d*;\\d*;\\d*m|\u001b\\]8;;(.*?)\u001b\\\\");
  private static final Pattern LINK =
      Pattern.compile("\u001b]8;[a-zA-Z0-9:]*;[^\u001b]+\u001b\\\\([^\u001b]+)\u001b]8;;\u001b\\\\");
  private static final Pattern WIDTH_SPLIT = Pattern.compile("[\r\n]");
  private static final Pattern SPLITLINES = Pattern.compile("\r\n|[\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029]");

  private TableText() {}

  /**
   * @param sortKeys knack sorts each object's keys only when neither a query nor a command's own columns chose
   *     them
   */
  static String render(JsonNode result, boolean sortKeys) {
    List<JsonNode> items = new ArrayList<>();
    if (result.isArray()) {
      result.forEach(items::add);
    } else {
      items.add(result);
    }
    List<Map<String, String>> rows = new ArrayList<>();
    for (JsonNode item : items) {
      rows.add(row(item, sortKeys));
    }
    // nothing to show prints nothing (az prints one empty line here; a script or a reader gains nothing from it)
    return rows.isEmpty() ? "" : tabulate(rows) + "\n";
  }

  /** knack's _auto_table_item; a missing cell is null, which tabulate prints as nothing. */
  private static Map<String, String> row(JsonNode item, boolean sortKeys) {
    Map<String, String> row = new LinkedHashMap<>();
    if (item.isObject()) {
      for (Map.Entry<String, JsonNode> e : sortKeys ? Py.sortedFields(item) : Py.fields(item)) {
        JsonNode v = e.getValue();
        if (!SKIP_KEYS.contains(e.getKey()) && !v.isNull() && !v.isContainerNode()) {
          row.put(Py.capitalizeFirst(e.getKey()), Py.str(v));
        }
      }
    } else if (item.isArray()) {
      for (int i = 0; i < item.size(); i++) {
        row.put("Column" + (i + 1), cell(item.get(i)));
      }
    } else {
      row.put("Result", cell(item));
    }
    return row;
  }

  private static String cell(JsonNode v) {
    return v.isNull() ? null : Py.str(v);
  }

  /** tabulate's "simple" format with headers from the rows' keys in order of first appearance. */
  private static String tabulate(List<Map<String, String>> rows) {
    Set<String> keys = new LinkedHashSet<>();
    rows.forEach(r -> keys.addAll(r.keySet()));
    if (keys.isEmpty()) {
      return "";
    }
    List<String> headers = new ArrayList<>(keys);
    boolean multiline = headers.stream().anyMatch(TableText::hasBreak)
        || rows.stream().flatMap(r -> r.values().stream()).anyMatch(v -> v != null && hasBreak(v));
    int[] widths = new int[headers.size()];
    List<List<String>> cells = new ArrayList<>();
    for (Map<String, String> r : rows) {
      List<String> line = new ArrayList<>();
      for (String h : headers) {
        String v = r.get(h);
        line.add(v == null ? "" : strip(v));
      }
      cells.add(line);
    }
    for (int c = 0; c < headers.size(); c++) {
      widths[c] = width(headers.get(c), multiline) + MIN_PADDING;
      for (List<String> line : cells) {
        widths[c] = Math.max(widths[c], width(line.get(c), multiline));
      }
    }
    List<String> out = new ArrayList<>();
    appendRow(out, headers, widths, multiline);
    StringBuilder dashes = new StringBuilder();
    for (int c = 0; c < widths.length; c++) {
      dashes.append(c == 0 ? "" : SEPARATOR).append("-".repeat(widths[c]));
    }
    out.add(dashes.toString());
    for (List<String> line : cells) {
      appendRow(out, line, widths, multiline);
    }
    return String.join("\n", out);
  }

  /** One row; in multi-line mode a cell's lines stack and shorter cells are padded below, as tabulate does. */
  private static void appendRow(List<String> out, List<String> cells, int[] widths, boolean multiline) {
    if (!multiline) {
      StringBuilder b = new StringBuilder();
      for (int c = 0; c < cells.size(); c++) {
        b.append(c == 0 ? "" : SEPARATOR).append(pad(cells.get(c), widths[c]));
      }
      out.add(rstrip(b.toString()));
      return;
    }
    List<List<String>> lines = new ArrayList<>();
    int height = 0;
    for (String cell : cells) {
      List<String> l = splitLines(cell);
      lines.add(l);
      height = Math.max(height, l.size());
    }
    for (int i = 0; i < height; i++) {
      StringBuilder b = new StringBuilder();
      for (int c = 0; c < cells.size(); c++) {
        List<String> l = lines.get(c);
        b.append(c == 0 ? "" : SEPARATOR).append(pad(i < l.size() ? l.get(i) : "", widths[c]));
      }
      out.add(rstrip(b.toString()));
    }
  }

  private static boolean hasBreak(String s) {
    return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
  }

  private static List<String> splitLines(String s) {
    List<String> lines = new ArrayList<>(List.of(SPLITLINES.split(s, -1)));
    // str.splitlines() gives no empty last line after a final break, and nothing at all for "".
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    return lines;
  }

  private static int width(String s, boolean multiline) {
    if (!multiline) {
      return visibleWidth(s);
    }
    int w = 0;
    for (String line : WIDTH_SPLIT.split(s, -1)) {
      w = Math.max(w, visibleWidth(line));
    }
    return w;
  }

  private static String pad(String s, int width) {
    int n = width - visibleWidth(s);
    return n > 0 ? s + " ".repeat(n) : s;
  }

  /** tabulate does not count ANSI colour codes, nor the address of a terminal hyperlink. */
  private static int visibleWidth(String s) {
    if (s.indexOf('\u001b') >= 0) {
      s = INVISIBLE.matcher(LINK.matcher(s).replaceAll("$1")).replaceAll("");
    }
    return s.codePointCount(0, s.length());
  }

  private static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static String rstrip(String s) {
    int end = s.length();
    while (end > 0 && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  /** Python's str.isspace(), which tabulate's strip() uses; it counts no-break spaces, unlike Java's. */
  private static boolean isSpace(char c) {
    return (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f
        || c == 0x3000;
  }
}
