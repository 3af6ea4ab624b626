package io.daprx.common.runtime;

import io.grpc.Server;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** How every component stops its gRPC server: let calls in flight finish for a while, then cut the rest. */
public final class GrpcServers {

  /**
   * gRPC's Netty server logs (java.util.logging, WARNING) "Stream closed before write could take place" for every
   * stream whose client went away while a message was queued: routine when sidecars restart, and hundreds of stack
   * traces when many leave at once. Components that hold many streams count and log departures themselves. Held
   * here so the level sticks (java.util.logging keeps loggers weakly).
   */
  private static final java.util.logging.Logger NETTY_STREAM_ERRORS =
      java.util.logging.Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");

  private GrpcServers() {}

  /** Silences the routine per-stream warnings above (errors still show). */
  public static void quietClosedStreamWarnings() {
    NETTY_STREAM_ERRORS.setLevel(java.util.logging.Level.SEVERE);
  }

  /** Graceful shutdown bounded by {@code grace}; null is a no-op (the server never started). */
  public static void stop(Server server, Duration grace) {
    if (server == null) {
      return;
    }
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
