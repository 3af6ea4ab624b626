package io.daprx.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.burt.jmespath.Expression;
import java.io.PrintWriter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Prints a command's result the way {@code az} does for {@code -o/--output} and {@code --query}: the query is
 * applied to the JSON first, then the result is formatted. A null result (or a query that selects nothing)
 * prints nothing at all, in every format, as in az.
 */
public final class Output {

  /** What az prints under a {@code --query} error, for the caller to show after the message. */
  public static final String QUERY_REFERENCE =
      "To learn more about --query, please visit: 'https://learn.microsoft.com/cli/azure/query-azure-cli'";

  /**
   * One of a command's own table columns (see {@link TableColumns}).
   *
   * @param header the column's title, e.g. {@code ProvisioningState}; like every table header in az its first
   *     letter is upper-cased, and {@code id}, {@code type} and {@code etag} are left out of tables
   * @param jmespath read from each item, e.g. {@code systemData.lastModifiedAt}
   */
  public record Column(String header, String jmespath) {
    /** Both parts are required. */
    public Column {
      Objects.requireNonNull(header, "header");
      Objects.requireNonNull(jmespath, "jmespath");
    }
  }

  private Output() {}

  /**
   * Checks a {@code --query} before the command runs, as az does while parsing arguments (exit code 2 there).
   * A null query is no query.
   *
   * @throws IllegalArgumentException {@code argument --query: invalid jmespath_type value: '[?name=='}
   */
  public static void checkQuery(String query) {
    if (query != null) {
      Query.compile(query);
    }
  }

  /** {@link #render(JsonNode, OutputFormat, String, boolean, List)} for a command without its own columns. */
  public static String render(JsonNode result, OutputFormat format, String query, boolean colour) {
    return render(result, format, query, colour, List.of());
  }

  /**
   * The text az would print for a result.
   *
   * @param result the command's JSON; null means the command has nothing to print
   * @param query a JMESPath expression, or null for none
   * @param colour for {@code jsonc}: colour it (pass whether stdout is a terminal, as az does); ignored otherwise
   * @param defaults the command's table columns, used by {@code table} only when no query is given
   * @throws IllegalArgumentException a query that does not parse ({@code argument --query: invalid jmespath_type
   *     value: ...}) or fails on this data ({@code Invalid jmespath query supplied for `--query`: ...}); az
   *     follows either with {@link #QUERY_REFERENCE}
   */
  public static String render(JsonNode result, OutputFormat format, String query, boolean colour,
                              List<Column> defaults) {
    JsonNode value = result;
    Predicate<JsonNode> keepsOrder = node -> false;
    if (query != null) {
      Expression<JsonNode> expression = Query.compile(query);
      if (format == OutputFormat.TSV) {
        // Objects the query built (multiselect hashes) are OrderedDicts in az and keep their order in tsv; the
        // ones it passed through are plain dicts, printed in key order.
        Set<JsonNode> input = inputObjects(result);
        keepsOrder = node -> !input.contains(node);
      }
      value = Query.search(expression, result);
    }
    if (value == null || value.isNull() || value.isMissingNode()) {
      return "";
    }
    return switch (format) {
      case JSON -> AzJson.render(value, false);
      case JSONC -> AzJson.render(value, colour);
      case YAML -> YamlText.render(value);
      case TSV -> TsvText.render(value, keepsOrder);
      case NONE -> "";
      case TABLE -> {
        boolean transform = query == null && defaults != null && !defaults.isEmpty();
        yield TableText.render(transform ? TableColumns.apply(value, defaults) : value, query == null && !transform);
      }
    };
  }

  /** Objects as one YAML stream in the CLI's one YAML style, each document opened by {@code ---}, as helm template prints them. */
  public static String yamlStream(List<JsonNode> documents) {
    StringBuilder b = new StringBuilder();
    documents.forEach(d -> b.append("---\n").append(YamlText.render(d)));
    return b.toString();
  }

  /** {@link #print(PrintWriter, JsonNode, OutputFormat, String, boolean, List)} without the command's columns. */
  public static void print(PrintWriter out, JsonNode result, OutputFormat format, String query, boolean colour) {
    print(out, result, format, query, colour, List.of());
  }

  /** Renders, then writes and flushes; nothing is written if rendering fails. */
  public static void print(PrintWriter out, JsonNode result, OutputFormat format, String query, boolean colour,
                           List<Column> defaults) {
    out.print(render(result, format, query, colour, defaults));
    out.flush();
  }

  private static Set<JsonNode> inputObjects(JsonNode root) {
    Set<JsonNode> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    collect(root, seen);
    return seen;
  }

  private static void collect(JsonNode node, Set<JsonNode> seen) {
    if (node == null || !node.isContainerNode()) {
      return;
    }
    if (node.isObject()) {
      seen.add(node);
    }
    node.forEach(child -> collect(child, seen));
  }
}
