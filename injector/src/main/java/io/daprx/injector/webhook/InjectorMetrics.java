package io.daprx.injector.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;

/** The injector's counters: admissions by result and how long each took to answer. */
public final class InjectorMetrics {

  /** What an admission request came to. */
  public enum Result { PATCHED, SKIPPED, DENIED, BAD_REQUEST }

  private final EnumMap<Result, Counter> admissions = new EnumMap<>(Result.class);
  private final Timer latency;

  public InjectorMetrics(MeterRegistry registry) {
    for (Result r : Result.values()) {
      admissions.put(r, Counter.builder("daprx_injector_admissions")
          .description("admission requests answered, by result")
          .tag("result", r.name().toLowerCase(Locale.ROOT))
          .register(registry));
    }
    latency = Timer.builder("daprx_injector_admission_duration")
        .description("time from the request body read to the response written")
        .register(registry);
  }

  public void record(Result result, long nanos) {
    admissions.get(result).increment();
    latency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public double count(Result result) {
    return admissions.get(result).count();
  }
}
