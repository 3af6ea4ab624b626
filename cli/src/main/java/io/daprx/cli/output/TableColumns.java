package io.daprx.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.burt.jmespath.Expression;
import java.util.ArrayList;
import java.util.List;

/**
 * A command's own table layout, az's {@code table_transformer}: the columns {@code -o table} shows when no
 * {@code --query} is given, each read from every item with a JMESPath expression, so a column can come from deep
 * inside the JSON. As in az, a column whose value is null in every row disappears, and {@code tsv} ignores these
 * columns (it prints every field). The columns themselves are {@link Output.Column}s; this class builds lists
 * of them and turns a result into the rows they describe.
 */
public final class TableColumns {

  private TableColumns() {}

  /** Shorthand for {@code new Output.Column(header, jmespath)}. */
  public static Output.Column column(String header, String jmespath) {
    return new Output.Column(header, jmespath);
  }

  /** A command's columns from header/expression pairs: {@code of("Name", "name", "State", "properties.state")}. */
  public static List<Output.Column> of(String... headerThenJmespath) {
    if (headerThenJmespath.length % 2 != 0) {
      throw new IllegalArgumentException("headers and expressions come in pairs");
    }
    List<Output.Column> columns = new ArrayList<>();
    for (int i = 0; i < headerThenJmespath.length; i += 2) {
      columns.add(column(headerThenJmespath[i], headerThenJmespath[i + 1]));
    }
    return List.copyOf(columns);
  }

  /**
   * Builds the rows: for a list, one object per item; for anything else, one object. A bad expression is a bug
   * in the command, so it fails like one.
   */
  static JsonNode apply(JsonNode result, List<Output.Column> columns) {
    List<Expression<JsonNode>> paths = new ArrayList<>();
    for (Output.Column c : columns) {
      paths.add(Query.RUNTIME.compile(c.jmespath()));
    }
    if (!result.isArray()) {
      return row(result, columns, paths);
    }
    ArrayNode rows = JsonNodeFactory.instance.arrayNode();
    result.forEach(item -> rows.add(row(item, columns, paths)));
    return rows;
  }

  private static ObjectNode row(JsonNode item, List<Output.Column> columns, List<Expression<JsonNode>> paths) {
    ObjectNode row = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i < columns.size(); i++) {
      row.set(columns.get(i).header(), paths.get(i).search(item));
    }
    return row;
  }
}
