package io.daprx.common.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * What {@code /healthz} reports: a component is ready when every named check it registered says so.
 * Checks are named so a failing probe says which part is not ready.
 */
public final class Readiness {

  private final Map<String, Boolean> checks = new ConcurrentHashMap<>();
  private final Map<String, BooleanSupplier> live = new ConcurrentHashMap<>();

  /** Declares a check, not ready until {@link #set} says otherwise. */
  public void declare(String name) {
    checks.putIfAbsent(name, false);
  }

  public void set(String name, boolean ready) {
    checks.put(name, ready);
  }

  /** A check asked at every probe (e.g. whether a server's threads are all taken), for state no one sets. */
  public void watch(String name, BooleanSupplier ready) {
    live.put(name, ready);
  }

  public boolean ready() {
    return !checks.isEmpty() && checks.values().stream().allMatch(Boolean::booleanValue)
        && live.values().stream().allMatch(BooleanSupplier::getAsBoolean);
  }

  public Map<String, Boolean> snapshot() {
    Map<String, Boolean> all = new HashMap<>(checks);
    live.forEach((name, check) -> all.put(name, check.getAsBoolean()));
    return Map.copyOf(all);
  }
}
