package io.daprx.scheduler.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The scheduler's Prometheus metrics ({@code daprx_scheduler_*}): rpcs by outcome, triggers by result, lateness,
 * and the trigger loop's counts (written by the loop only).
 *
 * <p>Jobs owned per replica is {@code daprx_scheduler_jobs} of each replica's scrape target (the jobs its trigger loop
 * holds); jobs stored is the store's count, every replica's jobs ({@link #storedJobs}).
 *
 * <p>Dapr 1.18's concurrency gates keep upstream's names ({@code dapr_scheduler_concurrency_inflight},
 * {@code _pending}, {@code _throttled_total}, tag {@code concurrency_key}) so upstream's dashboards read them; we add
 * a {@code namespace} tag because a gate is per namespace and two namespaces may use the same key. A key's series
 * outlive its gate: daprd ends all its streams and opens new ones after every placement change, which removes the
 * gate and makes it again, and its throttled count must not start over each time (upstream keeps them too).
 */
public final class SchedulerMetrics {

  private final MeterRegistry registry;
  private final AtomicInteger jobs = new AtomicInteger();
  private final AtomicInteger heldJobs = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();
  private final Counter delivered;
  private final Counter failed;
  private final Counter redelivered;
  private final Counter held;
  private final Timer latency;
  private final Timer lateness;
  private final Map<String, Counter> rpcs = new ConcurrentHashMap<>();
  private final Map<Tags, GateMeters> gates = new ConcurrentHashMap<>();

  public SchedulerMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("daprx_scheduler_jobs", jobs, AtomicInteger::get).description("Jobs this replica triggers").register(registry);
    Gauge.builder("daprx_scheduler_jobs_held", heldJobs, AtomicInteger::get)
        .description("Jobs due with no stream to take them").register(registry);
    Gauge.builder("dapr_scheduler_sidecars_connected", streams, AtomicInteger::get)
        .description("Open WatchJobs streams").register(registry);
    delivered = Counter.builder("daprx_scheduler_triggers").tag("result", "success")
        .description("Trigger results from sidecars, and triggers sent again").register(registry);
    failed = Counter.builder("daprx_scheduler_triggers").tag("result", "failed")
        .description("Trigger results from sidecars, and triggers sent again").register(registry);
    redelivered = Counter.builder("daprx_scheduler_triggers").tag("result", "redelivered")
        .description("Trigger results from sidecars, and triggers sent again").register(registry);
    held = Counter.builder("daprx_scheduler_triggers_held")
        .description("Times a due job found no stream and was held").register(registry);
    latency = Timer.builder("daprx_scheduler_trigger_latency")
        .description("From an attempt's due time to the sidecar's result")
        .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(5))
        .register(registry);
    lateness = Timer.builder("daprx_scheduler_trigger_lateness")
        .description("From an attempt's due time to its trigger being sent to a sidecar")
        .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5))
        .register(registry);
  }

  /**
   * Counts the store's jobs at each scrape with {@code count} (the trigger loop only knows the jobs it triggers).
   * Call once.
   */
  public void storedJobs(LongSupplier count) {
    Gauge.builder("daprx_scheduler_jobs_stored", count, c -> c.getAsLong())
        .description("Jobs in the store, every replica's").register(registry);
  }

  /** A trigger was sent {@code lateness} after the attempt's due time (the trigger loop's hook, when it sends). */
  public void fired(Duration lateness) {
    this.lateness.record(lateness.isNegative() ? Duration.ZERO : lateness);
  }

  /** An rpc ended with {@code code}. */
  public void rpc(String method, Status.Code code) {
    rpcs.computeIfAbsent(method + "/" + code, k -> Counter.builder("daprx_scheduler_rpcs").tag("rpc", method)
        .tag("code", code.name()).description("Scheduler rpcs by method and status").register(registry)).increment();
  }

  public void result(boolean success, Duration sinceDue) {
    (success ? delivered : failed).increment();
    latency.record(sinceDue.isNegative() ? Duration.ZERO : sinceDue);
  }

  public void redelivered() {
    redelivered.increment();
  }

  public void held() {
    held.increment();
  }

  public void loop(int jobCount, int heldCount, int streamCount) {
    jobs.set(jobCount);
    heldJobs.set(heldCount);
    streams.set(streamCount);
  }

  /** The meters of the concurrency gate {@code key} in {@code namespace}: the same ones each time the gate is made. */
  public GateMeters gate(String namespace, String key) {
    return gates.computeIfAbsent(Tags.of("namespace", namespace, "concurrency_key", key), GateMeters::new);
  }

  /** One gate's counts, set by the trigger loop (the gate's owner) and read at scrape. */
  public final class GateMeters {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final Counter throttled;

    private GateMeters(Tags tags) {
      throttled = Counter.builder("dapr_scheduler_concurrency_throttled").tags(tags)
          .description("Triggers that found a concurrency gate full and waited").register(registry);
      Gauge.builder("dapr_scheduler_concurrency_inflight", inFlight, AtomicInteger::get).tags(tags)
          .description("Triggers in flight under a concurrency limit on this replica").register(registry);
      Gauge.builder("dapr_scheduler_concurrency_pending", pending, AtomicInteger::get).tags(tags)
          .description("Triggers waiting for a concurrency slot on this replica").register(registry);
    }

    public void inFlight(int n) {
      inFlight.set(n);
    }

    public void pending(int n) {
      pending.set(n);
    }

    public void throttled() {
      throttled.increment();
    }

    /** The gate is gone (no stream declares its limit any more): nothing is in flight or waiting under it here. */
    public void idle() {
      inFlight.set(0);
      pending.set(0);
    }
  }
}
