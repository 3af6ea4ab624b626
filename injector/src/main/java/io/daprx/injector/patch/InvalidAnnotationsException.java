package io.daprx.injector.patch;

import java.util.List;

/** One or more {@code dapr.io/…} annotations have values the sidecar cannot run with; the message names each. */
public final class InvalidAnnotationsException extends IllegalArgumentException {

  private final List<String> problems;

  public InvalidAnnotationsException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
