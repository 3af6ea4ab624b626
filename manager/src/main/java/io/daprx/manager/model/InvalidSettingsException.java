package io.daprx.manager.model;

import java.util.List;

/** Configuration settings that cannot be used; the message lists every problem. */
public final class InvalidSettingsException extends IllegalArgumentException {

  private final List<String> problems;

  public InvalidSettingsException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
