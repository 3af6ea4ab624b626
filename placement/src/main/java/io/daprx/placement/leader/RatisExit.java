package io.daprx.placement.leader;

import org.apache.ratis.util.ExitUtils;

/**
 * Keeps Ratis from ending the process. Ratis 3.2 calls {@code System.exit(1)} when its gRPC server cannot bind
 * (e.g. the peer port is taken), and the first use of its {@code ExitUtils} installs a JVM-wide default uncaught
 * exception handler that exits on any uncaught exception in any thread. With system exit disabled, the bind failure
 * surfaces as an exception from {@code RaftServer.start()} instead, which {@link RatisLeadership#start} reports.
 */
final class RatisExit {

  private static boolean done;

  private RatisExit() {}

  static synchronized void disable() {
    if (done) {
      return;
    }
    // initializing ExitUtils replaces the default handler: put back whatever the process had (usually none)
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    ExitUtils.disableSystemExit();
    ExitUtils.setTerminateOnUncaughtException(false);
    Thread.setDefaultUncaughtExceptionHandler(previous);
    done = true;
  }
}
