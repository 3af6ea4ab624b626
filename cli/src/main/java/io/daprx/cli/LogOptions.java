package io.daprx.cli;

import io.daprx.common.runtime.ComponentFlags;
import io.daprx.common.runtime.Logging;
import picocli.CommandLine.Option;

/** {@code --log-level} and {@code --log-as-json}, as every Dapr component takes them. */
final class LogOptions {

  @Option(names = ComponentFlags.LOG_LEVEL, defaultValue = "info", description = "debug, info, warn or error (default: ${DEFAULT-VALUE})")
  String logLevel;

  @Option(names = ComponentFlags.LOG_AS_JSON, description = "log in JSON")
  boolean logAsJson;

  /** Applies the options to the process's logging; the first thing a component does. */
  void configure() {
    Logging.configure(logLevel, logAsJson);
  }
}
