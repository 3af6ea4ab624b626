package io.daprx.scheduler.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The metrics the issue names, as Prometheus scrapes them. */
class SchedulerMetricsTest {

  @Test
  void storedJobsAreCountedAtScrapeAndLatenessIsAHistogramOfSendTimes() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SchedulerMetrics metrics = new SchedulerMetrics(registry);
    AtomicInteger stored = new AtomicInteger(7);
    metrics.storedJobs(stored::get);
    metrics.fired(Duration.ofMillis(20));
    metrics.fired(Duration.ofMillis(-5)); // a trigger sent before its due time (clock steps) counts as on time
    metrics.loop(3, 1, 2);
    String scrape = registry.scrape();
    assertThat(scrape).contains("daprx_scheduler_jobs_stored 7.0").contains("daprx_scheduler_jobs 3.0")
        .contains("daprx_scheduler_jobs_held 1.0");
    assertThat(scrape).contains("daprx_scheduler_trigger_lateness_seconds_count 2")
        .contains("daprx_scheduler_trigger_lateness_seconds_bucket{le=\"0.025\"} 2");
    stored.set(9);
    assertThat(registry.scrape()).contains("daprx_scheduler_jobs_stored 9.0");
  }

  @Test
  void aConcurrencyGateIsScrapedUnderUpstreamsNamesAndItsThrottledCountSurvivesTheGate() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SchedulerMetrics metrics = new SchedulerMetrics(registry);
    SchedulerMetrics.GateMeters gate = metrics.gate("shop", "dapr.internal.shop.orders.activity:charge");
    gate.inFlight(2);
    gate.pending(5);
    gate.throttled();
    String tags = "{concurrency_key=\"dapr.internal.shop.orders.activity:charge\",namespace=\"shop\"}";
    assertThat(registry.scrape()).contains("dapr_scheduler_concurrency_inflight" + tags + " 2.0")
        .contains("dapr_scheduler_concurrency_pending" + tags + " 5.0")
        .contains("dapr_scheduler_concurrency_throttled_total" + tags + " 1.0");

    // daprd reopens its streams after a placement change: the gate goes and is made again, its count goes on
    gate.idle();
    metrics.gate("shop", "dapr.internal.shop.orders.activity:charge").throttled();
    assertThat(registry.scrape()).contains("dapr_scheduler_concurrency_inflight" + tags + " 0.0")
        .contains("dapr_scheduler_concurrency_pending" + tags + " 0.0")
        .contains("dapr_scheduler_concurrency_throttled_total" + tags + " 2.0");
  }
}
