package io.daprx.common.runtime;

import io.grpc.Server;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** How every component stops its gRPC server: let calls in flight finish for a while, then cut the rest. */
public final class GrpcServers {

  private GrpcServers() {}

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
