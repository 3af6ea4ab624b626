package io.daprx.cli.commands;

import picocli.CommandLine.Option;

/**
 * {@code -h, --help} alone, for commands whose own {@code --version} names a release (as az's {@code --version} does):
 * picocli drops the whole standard help mixin when one of its names is taken, which left {@code --help} unknown there.
 */
public final class HelpOption {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;
}
