package io.daprx.dashboard.source;

import java.time.Instant;

/**
 * One control-plane replica.
 *
 * @param component {@code sentry}, {@code operator}, {@code placement}, {@code injector} or {@code dashboard}
 * @param ready {@code 1/1} style
 * @param version the Dapr version it runs, or null when unknown
 * @param healthz {@code host:port} of its healthz server (placement answers {@code /placement/state} there), or null
 * @param metrics {@code host:port} of its Prometheus endpoint, or null
 */
public record PodView(String name, String component, String ready, String status, int restarts, String version, Instant createdAt,
    String healthz, String metrics) {

  /** The components in install order, which is how the pages list them. */
  public static final java.util.List<String> INSTALL_ORDER = java.util.List.of("sentry", "operator", "placement", "injector", "dashboard");

  /** Install order, then name. */
  public static final java.util.Comparator<PodView> ORDER = java.util.Comparator
      .comparing((PodView v) -> INSTALL_ORDER.indexOf(v.component()) < 0 ? INSTALL_ORDER.size() : INSTALL_ORDER.indexOf(v.component()))
      .thenComparing(PodView::name);

  /** {@code n/n} with n above zero. */
  public boolean isReady() {
    int slash = ready == null ? -1 : ready.indexOf('/');
    return slash > 0 && ready.substring(0, slash).equals(ready.substring(slash + 1)) && !ready.startsWith("0/");
  }
}
