package io.daprx.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * az's {@code tsv}: knack's {@code _TsvOutput}. One line per item, no header. Unlike the table it keeps every
 * field, so columns line up across rows: a nested object prints as nothing, a list as its length, null as
 * {@code None}, and a boolean as {@code True}/{@code False} (or {@code true}/{@code false} when the item itself is
 * the boolean).
 */
final class TsvText {

  private TsvText() {}

  /**
   * @param keepsOrder whether an object's fields print in their own order; knack does that only for the
   *     OrderedDicts a query's multiselect hash builds, and sorts plain dicts by key
   */
  static String render(JsonNode result, Predicate<JsonNode> keepsOrder) {
    StringBuilder out = new StringBuilder();
    if (result.isArray()) {
      result.forEach(item -> row(out, item, keepsOrder));
    } else {
      row(out, result, keepsOrder);
    }
    return out.toString();
  }

  private static void row(StringBuilder out, JsonNode item, Predicate<JsonNode> keepsOrder) {
    if (item.isObject()) {
      List<Map.Entry<String, JsonNode>> fields = keepsOrder.test(item) ? Py.fields(item) : Py.sortedFields(item);
      for (int i = 0; i < fields.size(); i++) {
        out.append(i == 0 ? "" : "\t").append(value(fields.get(i).getValue()));
      }
    } else if (item.isArray()) {
      for (int i = 0; i < item.size(); i++) {
        out.append(i == 0 ? "" : "\t").append(value(item.get(i)));
      }
    } else if (item.isBoolean()) {
      out.append(item.booleanValue() ? "true" : "false");
    } else {
      out.append(value(item));
    }
    out.append('\n');
  }

  private static String value(JsonNode v) {
    if (v.isArray()) {
      return Integer.toString(v.size());
    }
    return v.isObject() ? "" : Py.str(v);
  }
}
