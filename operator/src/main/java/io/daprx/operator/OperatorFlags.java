package io.daprx.operator;

/**
 * The operator's own command-line flags.
 * Declared once: {@code daprx operator} parses them by these names and the manager renders operator's pods with them.
 */
public final class OperatorFlags {

  /** Standalone mode: the directory of Dapr resources (what {@code daprx apply} writes on a local cluster). */
  public static final String RESOURCES_PATH = "--resources-path";

  private OperatorFlags() {}
}
