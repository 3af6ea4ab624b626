package io.daprx.common.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@code /healthz} reports: a component is ready when every named check it registered says so.
 * Checks are named so a failing probe says which part is not ready.
 */
public final class Readiness {

  private final Map<String, Boolean> checks = new ConcurrentHashMap<>();

  /** Declares a check, not ready until {@link #set} says otherwise. */
  public void declare(String name) {
    checks.putIfAbsent(name, false);
  }

  public void set(String name, boolean ready) {
    checks.put(name, ready);
  }

  public boolean ready() {
    return !checks.isEmpty() && checks.values().stream().allMatch(Boolean::booleanValue);
  }

  public Map<String, Boolean> snapshot() {
    return Map.copyOf(checks);
  }
}
