package io.daprx.common.runtime;

import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How every component builds and stops its gRPC server. The servers sidecars call (sentry, placement, operator,
 * scheduler) are all built by {@link #sidecarFacing}, so what daprd relies on from every one of them is set in one
 * place: its keepalive pings are allowed and large requests accepted.
 */
public final class GrpcServers {

  /**
   * The shortest interval between client pings a sidecar-facing server accepts, with or without calls in flight.
   * daprd's grpc-go clients ping every 10 s (they raise shorter settings to 10 s); grpc-java's default minimum of
   * 5 min counts each of those pings as a strike and answers the third with GOAWAY {@code too_many_pings}, and the
   * sidecar reconnects in a loop. Half the client interval leaves room for timers that fire a little early.
   */
  public static final Duration PERMITTED_PING_INTERVAL = Duration.ofSeconds(5);

  /**
   * The inbound limit of servers whose requests stay small (certificate requests, placement reports, operator
   * queries): gRPC's usual 4 MiB, stated here so that all of them have the same one.
   */
  public static final int SMALL_MESSAGES = 4 * 1024 * 1024;

  /**
   * The inbound limit of the scheduler: daprd allows itself messages up to 2 GiB there (workflow payloads ride in job
   * and reminder data), so the transport takes anything a protobuf message can be and the scheduler caps job data
   * itself.
   */
  public static final int LARGE_MESSAGES = Integer.MAX_VALUE;

  /**
   * gRPC's Netty server logs (java.util.logging, WARNING) "Stream closed before write could take place" for every
   * stream whose client went away while a message was queued: routine when sidecars restart, and hundreds of stack
   * traces when many leave at once. Components that hold many streams count and log departures themselves. Held
   * here so the level sticks (java.util.logging keeps loggers weakly).
   */
  private static final java.util.logging.Logger NETTY_STREAM_ERRORS =
      java.util.logging.Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");

  private GrpcServers() {}

  /**
   * A Netty server builder for sidecars on {@code listenAddress:port} (port 0: any free port) with {@code credentials}
   * (the component's TLS, or insecure for explicit local use): their keepalive pings permitted, requests up to
   * {@code maxInboundMessageBytes} accepted. Components add their own extras (executor, server-side pings).
   *
   * @param maxInboundMessageBytes {@link #SMALL_MESSAGES} or {@link #LARGE_MESSAGES}
   */
  public static NettyServerBuilder sidecarFacing(String listenAddress, int port, ServerCredentials credentials,
      int maxInboundMessageBytes) {
    if (maxInboundMessageBytes <= 0) {
      throw new IllegalArgumentException("the maximum inbound message size must be positive, got " + maxInboundMessageBytes);
    }
    return NettyServerBuilder.forAddress(new InetSocketAddress(listenAddress, port), credentials)
        .permitKeepAliveTime(PERMITTED_PING_INTERVAL.toNanos(), TimeUnit.NANOSECONDS)
        // a sidecar keeps pinging between calls too (an idle placement or scheduler stream is a call in flight, a
        // quiet connection to the operator or sentry is not)
        .permitKeepAliveWithoutCalls(true)
        .maxInboundMessageSize(maxInboundMessageBytes);
  }

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
