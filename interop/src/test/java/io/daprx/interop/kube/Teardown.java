package io.daprx.interop.kube;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The end of a kube IT class: closes what it started, in the order given, skipping what never started (a set-up that
 * failed half-way), and goes on past one that fails to close, so no API server, etcd or component process outlives the
 * class.
 */
final class Teardown {

  private Teardown() {}

  static void close(AutoCloseable... started) {
    for (AutoCloseable c : started) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        // teardown goes on
      }
    }
  }

  /** {@code started} newest first (the reverse of the order they were started in), then {@code last}. */
  static void close(List<AutoCloseable> started, AutoCloseable last) {
    List<AutoCloseable> order = new ArrayList<>(started);
    Collections.reverse(order);
    order.add(last);
    close(order.toArray(AutoCloseable[]::new));
  }
}
