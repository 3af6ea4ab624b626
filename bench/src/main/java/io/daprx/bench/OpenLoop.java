package io.daprx.bench;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Latency at a given load: requests sent on a fixed schedule whatever the answers do, each latency measured
 * from the request's scheduled send time. A slow answer therefore cannot hold back the next requests and
 * hide its own cost (coordinated omission): if the pacer or sentry falls behind, the delay is in the figures.
 */
final class OpenLoop {

  private final SentryChannels channels;
  private final CsrPool pool;
  private final double rate;
  private final int maxOutstanding;
  private final Tally tally = new Tally();

  /**
   * @param maxOutstanding a safety cap on requests in flight, so a stalled sentry cannot make the generator
   *     pile up memory; waiting on it still counts, since latency runs from the scheduled time
   */
  private final CpuMeter cpu;

  OpenLoop(SentryChannels channels, CsrPool pool, double rate, int maxOutstanding, CpuMeter cpu) {
    this.cpu = cpu;
    if (!(rate > 0)) {
      throw new IllegalArgumentException("open-loop rate must be positive, was " + rate);
    }
    this.channels = channels;
    this.pool = pool;
    this.rate = rate;
    this.maxOutstanding = maxOutstanding;
  }

  PhaseResult run(Duration warmup, Duration measure, Duration drainTimeout) throws InterruptedException {
    Semaphore inFlight = new Semaphore(maxOutstanding);
    double interval = 1e9 / rate;
    long start = System.nanoTime();
    long measureStart = start + warmup.toNanos();
    long measureEnd = measureStart + measure.toNanos();
    long maxLag = 0;
    CpuMeter.Sample cpuStart = null;
    for (long i = 0; ; i++) {
      long scheduled = start + (long) (i * interval);
      if (scheduled >= measureEnd) {
        break;
      }
      parkUntil(scheduled);
      boolean inWindow = scheduled >= measureStart;
      if (inWindow && cpuStart == null) {
        cpuStart = cpu.sample();
      }
      inFlight.acquire();
      if (inWindow) {
        maxLag = Math.max(maxLag, System.nanoTime() - scheduled);
      }
      tally.started();
      channels.call(channels.channel(i), pool.next(), status -> {
        long done = System.nanoTime();
        inFlight.release();
        if (status.isOk()) {
          tally.succeeded(inWindow, done - scheduled);
        } else {
          tally.failed(status);
        }
      });
    }
    parkUntil(measureEnd);
    CpuMeter.Sample cpuEnd = cpu.sample();
    if (!inFlight.tryAcquire(maxOutstanding, drainTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
      tally.failed("NOT_ANSWERED_AT_END");
    }
    return PhaseResult.of("half " + pool.type.display, tally, measure.toNanos() / 1e9, rate, maxLag,
        cpuStart != null ? cpuStart : cpuEnd, cpuEnd);
  }

  /** Pacing, not waiting for readiness: returns at {@code deadline} (System.nanoTime) or just after. */
  static void parkUntil(long deadline) {
    long now;
    while ((now = System.nanoTime()) < deadline) {
      LockSupport.parkNanos(deadline - now);
    }
  }
}
