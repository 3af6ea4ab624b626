package io.daprx.common.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side every component has: {@code GET /healthz} on the healthz port and Prometheus {@code GET /metrics} on the
 * metrics port (one server when both ports are the same), plus a component's own read-only routes. Port 0 picks a free
 * port; {@link #healthzPort()} and {@link #metricsPort()} tell which.
 *
 * <p>Served by the JDK's own HTTP server (module {@code jdk.httpserver}), not Jetty: a probe and a scrape every few
 * seconds need no more, and Javalin with Jetty cost each replica ~850 classes and eleven threads for these two servers
 * (README, "Memory: JVM options and container resources"). Its limits: handler threads only while requests are under
 * way, at most {@value #MAX_THREADS} (a request past them has its connection closed); a request that takes over
 * {@value #DEADLINE_SECONDS} s to arrive or to be answered is cut off, and idle connections close after as long; request
 * bodies are never read (at most 64 KiB of one is drained before its connection is closed); any method but GET and HEAD
 * is refused with 405. What this gives up against Jetty: the JDK server reads a request on a handler thread, so
 * {@value #MAX_THREADS} clients trickling requests can hold every thread until the deadline cuts them off, delaying a
 * probe by up to {@value #DEADLINE_SECONDS} s (Jetty reads without a thread; it stopped accepting at 1,024 connections).
 */
public final class Endpoints implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Endpoints.class);
  static final int DEADLINE_SECONDS = 5;
  static final int MAX_THREADS = 16;
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // the JDK server reads its limits from these properties once; a user's own setting wins
    setIfAbsent("sun.net.httpserver.maxReqTime", DEADLINE_SECONDS);
    setIfAbsent("sun.net.httpserver.maxRspTime", DEADLINE_SECONDS);
    setIfAbsent("sun.net.httpserver.idleInterval", DEADLINE_SECONDS);
    setIfAbsent("sun.net.httpserver.maxReqHeaders", 100);
  }

  /** One answer of a route. */
  public record Response(int status, String contentType, byte[] body) {

    public static Response text(int status, String text) {
      return new Response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public static Response json(int status, String json) {
      return new Response(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A read-only route: its answer to a GET. */
  @FunctionalInterface
  public interface Route {
    Response get() throws Exception;
  }

  private final List<HttpServer> servers = new ArrayList<>();
  private final ThreadPoolExecutor handlers;
  private int healthzPort;
  private int metricsPort;

  /** {@code /healthz} and {@code /metrics}; a negative {@code metricsPort} serves no metrics. */
  public Endpoints(String host, int healthzPort, int metricsPort, Readiness readiness, PrometheusMeterRegistry registry) {
    this(host, healthzPort, metricsPort, readiness, registry, () -> { }, Map.of());
  }

  /**
   * @param beforeHealthz run before each {@code /healthz} answer, for checks a component computes when asked
   * @param extraRoutes further routes on the healthz server by path (e.g. placement's {@code /placement/state})
   */
  public Endpoints(String host, int healthzPort, int metricsPort, Readiness readiness, PrometheusMeterRegistry registry,
      Runnable beforeHealthz, Map<String, Route> extraRoutes) {
    // the JDK server reads a request on the thread it hands it to: threads are made when requests arrive together (a
    // slow client holds one until the deadline cuts it off), up to MAX_THREADS, each gone after 30 s idle; a request
    // past them has its connection closed at once rather than waiting behind them
    handlers = new ThreadPoolExecutor(0, MAX_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        DaemonThreads.named("endpoints-http"));
    Map<String, Route> health = new LinkedHashMap<>(extraRoutes);
    health.put("/healthz", () -> {
      beforeHealthz.run();
      return healthz(readiness);
    });
    try {
      if (healthzPort == metricsPort && healthzPort != 0) {
        health.put("/metrics", () -> metrics(registry));
        this.healthzPort = this.metricsPort = serve(host, healthzPort, health);
        return;
      }
      this.healthzPort = serve(host, healthzPort, health);
      this.metricsPort = metricsPort < 0 ? -1 : serve(host, metricsPort, Map.of("/metrics", () -> metrics(registry)));
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** What {@code /healthz} answers: 204 when ready, else 503 with each check's state as JSON. */
  public static Response healthz(Readiness readiness) {
    if (readiness.ready()) {
      return new Response(204, null, new byte[0]);
    }
    try {
      return Response.json(503, JSON.writeValueAsString(new TreeMap<>(readiness.snapshot())));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of booleans always serialises", e);
    }
  }

  /** What {@code /metrics} answers: the registry in Prometheus' text format. */
  public static Response metrics(PrometheusMeterRegistry registry) {
    return new Response(200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape().getBytes(StandardCharsets.UTF_8));
  }

  private int serve(String host, int port, Map<String, Route> routes) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    Map<String, Route> byPath = Map.copyOf(routes);
    server.createContext("/", exchange -> answer(exchange, byPath));
    server.setExecutor(handlers);
    server.start();
    servers.add(server);
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, Map<String, Route> routes) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      Route route = routes.get(exchange.getRequestURI().getPath());
      Response r;
      if (route == null) {
        r = Response.text(404, "not found\n");
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        r = Response.text(405, method + " is not allowed: use GET\n");
      } else {
        try {
          r = route.get();
        } catch (Exception e) {
          LOG.warn("GET {} failed", exchange.getRequestURI().getPath(), e);
          r = Response.text(500, "failed; see the component's log\n");
        }
      }
      if (r.contentType() != null) {
        exchange.getResponseHeaders().set("Content-Type", r.contentType());
      }
      exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      boolean empty = r.body().length == 0 || method.equals("HEAD");
      // -1: no body; a HEAD answer gets its headers only
      exchange.sendResponseHeaders(r.status(), empty ? -1 : r.body().length);
      if (!empty) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(r.body());
        }
      }
    }
  }

  public int healthzPort() {
    return healthzPort;
  }

  public int metricsPort() {
    return metricsPort;
  }

  @Override
  public void close() {
    for (HttpServer s : servers) {
      s.stop(0);
    }
    servers.clear();
    handlers.shutdownNow();
  }

  private static void setIfAbsent(String property, int value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, Integer.toString(value));
    }
  }
}
