package io.daprx.cli.commands;

import io.daprx.cli.output.Output;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options every client command takes, as the Azure CLI's. {@code --query} is checked while the arguments are parsed,
 * {@code -o} just before the command runs ({@link ClientCommand#checkArguments()}: a few commands take kubectl's or the
 * Dapr CLI's values there); either way a bad value is a usage error (exit 2) before anything is sent, as argparse's in az.
 */
public final class GlobalOptions {

  @Option(names = {"-o", "--output"}, defaultValue = "json", paramLabel = "FORMAT",
      description = "json, jsonc, table, tsv, yaml or none (default: ${DEFAULT-VALUE})")
  public String output;

  @Option(names = "--query", paramLabel = "JMESPATH", converter = QueryText.class,
      description = "JMESPath query applied to the result, e.g. \"[?contains(name, 'Dapr')]\"")
  public String query;

  @Option(names = "--only-show-errors", description = "only show errors, suppressing warnings")
  public boolean onlyShowErrors;

  @Option(names = "--verbose", description = "show progress and what is being done")
  public boolean verbose;

  @Option(names = "--debug", description = "show every request and response (tokens and protected settings are never shown)")
  public boolean debug;

  /** A {@code --query} that compiles; its error is az's, followed by where to learn the language. */
  static final class QueryText implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        Output.checkQuery(value);
        return value;
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage() + "\n" + Output.QUERY_REFERENCE);
      }
    }
  }
}
