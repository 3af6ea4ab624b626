package io.daprx.scheduler.store;

import org.apache.ratis.util.ExitUtils;

/**
 * Keeps Ratis from ending the process (as placement does): Ratis 3.2 calls {@code System.exit(1)} when its gRPC
 * server cannot bind, and the first use of its {@code ExitUtils} installs a JVM-wide uncaught-exception handler that
 * exits. With both off, a bind failure surfaces as an exception from {@code RaftServer.start()}.
 */
final class RatisExit {

  private static boolean done;

  private RatisExit() {}

  static synchronized void disable() {
    if (done) {
      return;
    }
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    ExitUtils.disableSystemExit();
    ExitUtils.setTerminateOnUncaughtException(false);
    Thread.setDefaultUncaughtExceptionHandler(previous);
    done = true;
  }
}
