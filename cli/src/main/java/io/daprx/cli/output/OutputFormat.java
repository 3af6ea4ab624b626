package io.daprx.cli.output;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The values of {@code -o/--output}, in the order {@code az} lists them. */
public enum OutputFormat {
  JSON, JSONC, YAML, TABLE, TSV, NONE;

  /** The name as typed on the command line. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses an {@code --output} value. Like {@code az} (argparse {@code type=str.lower}) the value is lower-cased
   * first, so {@code -o JSON} works too.
   *
   * @throws IllegalArgumentException worded like az: {@code 'xml' is not a valid value for '--output'. Allowed
   *     values: json, jsonc, yaml, table, tsv, none.} (az prefixes its program name, e.g. {@code az group list: },
   *     which is the caller's to add)
   */
  public static OutputFormat parse(String value) {
    String lower = value == null ? "" : value.toLowerCase(Locale.ROOT);
    for (OutputFormat f : values()) {
      if (f.cliName().equals(lower)) {
        return f;
      }
    }
    String allowed = Arrays.stream(values()).map(OutputFormat::cliName).collect(Collectors.joining(", "));
    throw new IllegalArgumentException(
        "'" + lower + "' is not a valid value for '--output'. Allowed values: " + allowed + ".");
  }
}
