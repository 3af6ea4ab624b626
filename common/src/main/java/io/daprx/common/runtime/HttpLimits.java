package io.daprx.common.runtime;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * What a slow or hostile client may cost one of our HTTP servers, applied the same way to each: a bounded thread
 * pool, a bounded number of connections, a deadline on every blocking read or write inside a request, a minimum rate
 * for request bodies (a client trickling a byte a second is cut off), and a limit on the bytes of a body read,
 * whatever its encoding (a chunked body declares no length).
 *
 * @param maxThreads Jetty's threads, its acceptor and selector included
 * @param maxConnections open connections; past it the server stops accepting until one closes
 * @param ioTimeout how long a request may wait on one read or write of its client
 * @param minRequestBytesPerSecond the slowest body a request may send (averaged from its first byte)
 * @param maxBodyBytes the most bytes of a request body read; more is refused with 413
 */
public record HttpLimits(int maxThreads, int maxConnections, Duration ioTimeout, long minRequestBytesPerSecond, long maxBodyBytes) {

  /**
   * Probes and scrapes are rare and bodiless: a few threads keep every replica small. Connections are bounded high:
   * a low bound would let a few idle connections fail the kubelet's probe (and restart the pod).
   */
  public static HttpLimits probes() {
    return new HttpLimits(8, 1024, Duration.ofSeconds(10), 4096, 64 * 1024);
  }

  /** An API whose bodies are JSON documents (the management server, the dashboard). */
  public static HttpLimits api(long maxBodyBytes) {
    return new HttpLimits(32, 256, Duration.ofSeconds(15), 4096, maxBodyBytes);
  }

  /** The pool to give Jetty; {@link #saturated} reads it. */
  public QueuedThreadPool threadPool(String name) {
    QueuedThreadPool pool = new QueuedThreadPool(maxThreads, Math.min(2, maxThreads), 60_000);
    pool.setName(name);
    pool.setDaemon(true);
    return pool;
  }

  /** Applies every limit to a Javalin server's configuration; returns its pool. Call {@link #install} on the app too. */
  public QueuedThreadPool apply(JavalinConfig cfg, String name) {
    QueuedThreadPool pool = threadPool(name);
    cfg.useVirtualThreads = false;
    cfg.jetty.threadPool = pool;
    cfg.http.maxRequestSize = maxBodyBytes;
    cfg.jetty.modifyHttpConfiguration(this::apply);
    cfg.jetty.modifyServer(server -> server.addBean(connectionLimit(server)));
    cfg.jetty.modifyServletContextHandler(h -> h.addFilter(new FilterHolder(new BodyLimit(maxBodyBytes)), "/*",
        EnumSet.of(DispatcherType.REQUEST)));
    return pool;
  }

  /** The bound on connections; at the bound, idle connections are cut after {@link #ioTimeout} instead of Jetty's 30 s. */
  public ConnectionLimit connectionLimit(org.eclipse.jetty.server.Server server) {
    ConnectionLimit limit = new ConnectionLimit(maxConnections, server);
    limit.setIdleTimeout(ioTimeout.toMillis());
    return limit;
  }

  /** The deadlines of a bare Jetty server's connector configuration. */
  public void apply(HttpConfiguration http) {
    http.setIdleTimeout(ioTimeout.toMillis());
    http.setMinRequestDataRate(minRequestBytesPerSecond);
  }

  /** Answers a body over the limit with 413 and a one-line text; servers with their own error shape map it themselves. */
  public static void install(Javalin app) {
    app.exception(BodyLimit.TooLarge.class, (e, ctx) -> ctx.status(413).contentType("text/plain; charset=utf-8").result(e.getMessage() + "\n"));
  }

  /**
   * Whether every thread of {@code pool} is taken and work is waiting: a server in this state answers late or not at
   * all, so its health says not ready.
   */
  public static boolean saturated(QueuedThreadPool pool) {
    return pool.isRunning() && pool.getIdleThreads() == 0 && pool.getThreads() >= pool.getMaxThreads()
        && (pool.getQueueSize() > 0 || pool.getReadyThreads() == 0);
  }
}
