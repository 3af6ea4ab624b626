package io.daprx.cli.commands;

import picocli.CommandLine.Option;

/** The options every client command takes, as the Azure CLI's. */
public final class GlobalOptions {

  @Option(names = {"-o", "--output"}, defaultValue = "json", paramLabel = "FORMAT",
      description = "json, jsonc, table, tsv, yaml or none (default: ${DEFAULT-VALUE})")
  public String output;

  @Option(names = "--query", paramLabel = "JMESPATH", description = "JMESPath query applied to the result, e.g. \"[?contains(name, 'Dapr')]\"")
  public String query;

  @Option(names = "--only-show-errors", description = "only show errors, suppressing warnings")
  public boolean onlyShowErrors;

  @Option(names = "--verbose", description = "show progress and what is being done")
  public boolean verbose;

  @Option(names = "--debug", description = "show every request and response (tokens and protected settings are never shown)")
  public boolean debug;
}
