package io.daprx.sentry.server;

import io.daprx.common.trust.CaBundle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Sentry's Prometheus metrics, named as Dapr's so existing dashboards keep working. */
public final class SentryMetrics {

  private final MeterRegistry registry;
  private final Counter received;
  private final Counter success;
  private final Counter issuerChanged;
  private final Map<String, Counter> failures = new ConcurrentHashMap<>();

  public SentryMetrics(MeterRegistry registry, Supplier<CaBundle> ca, String cryptoProvider) {
    this.registry = registry;
    this.received = Counter.builder("dapr_sentry_cert_sign_request_received").description("Certificate signing requests received").register(registry);
    this.success = Counter.builder("dapr_sentry_cert_sign_success").description("Certificates issued").register(registry);
    this.issuerChanged = Counter.builder("dapr_sentry_issuercert_changed").description("Times the issuer certificate changed").register(registry);
    Gauge.builder("dapr_sentry_issuercert_expiry_timestamp", ca, c -> c.get().issuerNotAfter().getEpochSecond())
        .description("Issuer certificate expiry, Unix seconds").register(registry);
    Gauge.builder("dapr_sentry_rootcert_expiry_timestamp", ca, c -> c.get().rootNotAfter().getEpochSecond())
        .description("Root certificate expiry, Unix seconds").register(registry);
    Gauge.builder("daprx_crypto_provider", () -> 1).tag("provider", cryptoProvider)
        .description("The active JCA provider (value always 1)").register(registry);
  }

  public void received() {
    received.increment();
  }

  public void issued() {
    success.increment();
  }

  /** Failures by a short, bounded reason (e.g. "invalid_csr", "validation"). */
  public void failed(String reason) {
    failures.computeIfAbsent(reason, r -> Counter.builder("dapr_sentry_cert_sign_failure")
        .description("Failed certificate signing requests").tag("reason", r).register(registry)).increment();
  }

  public void issuerChanged() {
    issuerChanged.increment();
  }
}
