package io.daprx.bench;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Peak throughput: a fixed number of requests always in flight, each slot sending its next request as soon
 * as the previous one answers. Counts what completes inside the measuring window that follows the warm-up.
 */
final class ClosedLoop {

  private final SentryChannels channels;
  private final CsrPool pool;
  private final int concurrency;
  private final Tally tally = new Tally();
  private final CountDownLatch slotsDone;
  private final ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "closed-loop-retry");
    t.setDaemon(true);
    return t;
  });
  private long measureStart;
  private long measureEnd;

  private final CpuMeter cpu;

  ClosedLoop(SentryChannels channels, CsrPool pool, int concurrency, CpuMeter cpu) {
    this.cpu = cpu;
    this.channels = channels;
    this.pool = pool;
    this.concurrency = concurrency;
    this.slotsDone = new CountDownLatch(concurrency);
  }

  PhaseResult run(Duration warmup, Duration measure, Duration drainTimeout) throws InterruptedException {
    long start = System.nanoTime();
    measureStart = start + warmup.toNanos();
    measureEnd = measureStart + measure.toNanos();
    for (int s = 0; s < concurrency; s++) {
      // slots spread evenly over the connections, as many sidecars would be
      new Slot(channels.channel(s)).next();
    }
    OpenLoop.parkUntil(measureStart);
    CpuMeter.Sample cpuStart = cpu.sample();
    OpenLoop.parkUntil(measureEnd);
    CpuMeter.Sample cpuEnd = cpu.sample();
    boolean drained = slotsDone.await(drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
    retry.shutdownNow();
    if (!drained) {
      tally.failed("NOT_ANSWERED_AT_END");
    }
    return PhaseResult.of("peak " + pool.type.display, tally, measure.toNanos() / 1e9, 0, 0, cpuStart, cpuEnd);
  }

  private final class Slot {
    private final ManagedChannel channel;

    Slot(ManagedChannel channel) {
      this.channel = channel;
    }

    void next() {
      long sent = System.nanoTime();
      if (sent >= measureEnd) {
        slotsDone.countDown();
        return;
      }
      tally.started();
      channels.call(channel, pool.next(), status -> done(status, sent));
    }

    private void done(Status status, long sent) {
      long now = System.nanoTime();
      if (status.isOk()) {
        tally.succeeded(now >= measureStart && now < measureEnd, now - sent);
        next();
      } else {
        tally.failed(status);
        // A failure may be reported on the calling thread; going through another thread (after a pause that
        // keeps a dead server from being hammered) avoids unbounded recursion.
        retry.schedule(this::next, 1, TimeUnit.MILLISECONDS);
      }
    }
  }
}
