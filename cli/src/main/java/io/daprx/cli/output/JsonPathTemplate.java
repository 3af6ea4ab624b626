package io.daprx.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * kubectl's {@code -o jsonpath=TEMPLATE}: text with {@code {...}} expressions — fields ({@code .metadata.name}), indexes
 * ({@code [0]}), every element ({@code [*]}), quoted text ({@code {"\n"}}) and {@code {range EXPR}...{end}}. Several
 * results of one expression print space-separated, as kubectl's. Filters and slices are refused with a clear error.
 */
public final class JsonPathTemplate {

  private JsonPathTemplate() {}

  public static String render(String template, JsonNode root) {
    List<String> parts = split(template);
    StringBuilder out = new StringBuilder();
    render(parts, 0, parts.size(), root, out);
    return out.toString();
  }

  /** Literal text, or an expression in braces (kept with its braces so the two can be told apart). */
  private static List<String> split(String t) {
    List<String> parts = new ArrayList<>();
    int i = 0;
    while (i < t.length()) {
      int open = t.indexOf('{', i);
      if (open < 0) {
        parts.add(t.substring(i));
        break;
      }
      if (open > i) {
        parts.add(t.substring(i, open));
      }
      int close = t.indexOf('}', open);
      if (close < 0) {
        throw new IllegalArgumentException("error parsing jsonpath " + t + ": unclosed action");
      }
      parts.add(t.substring(open, close + 1));
      i = close + 1;
    }
    return parts;
  }

  private static void render(List<String> parts, int from, int to, JsonNode node, StringBuilder out) {
    for (int i = from; i < to; i++) {
      String p = parts.get(i);
      if (!p.startsWith("{")) {
        out.append(p);
        continue;
      }
      String expr = p.substring(1, p.length() - 1).trim();
      if (expr.startsWith("range ")) {
        int end = matchingEnd(parts, i);
        for (JsonNode item : eval(expr.substring(6).trim(), node)) {
          render(parts, i + 1, end, item, out);
        }
        i = end;
      } else if (expr.startsWith("\"") && expr.endsWith("\"") && expr.length() >= 2) {
        out.append(expr, 1, expr.length() - 1).toString();
        unescapeLast(out, expr.length() - 2);
      } else {
        List<String> texts = new ArrayList<>();
        for (JsonNode n : eval(expr, node)) {
          texts.add(n.isValueNode() ? n.asText() : n.toString());
        }
        out.append(String.join(" ", texts));
      }
    }
  }

  private static void unescapeLast(StringBuilder out, int length) {
    String raw = out.substring(out.length() - length);
    out.setLength(out.length() - length);
    out.append(raw.replace("\\n", "\n").replace("\\t", "\t").replace("\\\"", "\""));
  }

  private static int matchingEnd(List<String> parts, int start) {
    int depth = 0;
    for (int i = start; i < parts.size(); i++) {
      String p = parts.get(i).replace(" ", "");
      if (p.startsWith("{range")) {
        depth++;
      } else if (p.equals("{end}") && --depth == 0) {
        return i;
      }
    }
    throw new IllegalArgumentException("error parsing jsonpath: {range} without {end}");
  }

  /** The nodes an expression selects: {@code .a.b}, {@code .a[0]}, {@code .items[*].x}; {@code @} or empty is the node. */
  static List<JsonNode> eval(String expr, JsonNode node) {
    List<JsonNode> current = new ArrayList<>(List.of(node));
    String e = expr.startsWith("$") || expr.startsWith("@") ? expr.substring(1) : expr;
    int i = 0;
    while (i < e.length()) {
      char c = e.charAt(i);
      List<JsonNode> next = new ArrayList<>();
      if (c == '.') {
        int j = i + 1;
        while (j < e.length() && e.charAt(j) != '.' && e.charAt(j) != '[') {
          j++;
        }
        String field = e.substring(i + 1, j);
        for (JsonNode n : current) {
          if (field.isEmpty() || field.equals("*")) {
            n.forEach(next::add);
          } else if (n.has(field)) {
            next.add(n.get(field));
          }
        }
        i = j;
      } else if (c == '[') {
        int j = e.indexOf(']', i);
        if (j < 0) {
          throw new IllegalArgumentException("error parsing jsonpath " + expr + ": unclosed [");
        }
        String index = e.substring(i + 1, j).trim();
        for (JsonNode n : current) {
          if (index.equals("*")) {
            n.forEach(next::add);
          } else if (index.matches("-?\\d+") && n.isArray()) {
            int k = Integer.parseInt(index);
            JsonNode x = n.get(k < 0 ? n.size() + k : k);
            if (x != null) {
              next.add(x);
            }
          } else if (index.startsWith("'") && index.endsWith("'") && n.has(index.substring(1, index.length() - 1))) {
            next.add(n.get(index.substring(1, index.length() - 1)));
          } else if (!index.matches("-?\\d+") && !(index.startsWith("'"))) {
            throw new IllegalArgumentException("jsonpath " + expr + ": [" + index + "] is not supported here; use fields, [N] and [*],"
                + " or --query with a JMESPath expression");
          }
        }
        i = j + 1;
      } else {
        throw new IllegalArgumentException("error parsing jsonpath " + expr + ": unexpected '" + c + "'; expressions look like .metadata.name");
      }
      current = next;
    }
    return current;
  }
}
