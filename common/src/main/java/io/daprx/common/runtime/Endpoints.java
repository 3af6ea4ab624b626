package io.daprx.common.runtime;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The HTTP side every component has: {@code GET /healthz} on the healthz port and Prometheus
 * {@code GET /metrics} on the metrics port (one server when both ports are the same). Port 0 picks a
 * free port; {@link #healthzPort()} and {@link #metricsPort()} tell which.
 */
public final class Endpoints implements AutoCloseable {

  private final List<Javalin> servers = new ArrayList<>();
  private int healthzPort;
  private int metricsPort;

  /**
   * @param extraRoutes further routes on the healthz server (e.g. placement's {@code /placement/state})
   */
  public Endpoints(String host, int healthzPort, int metricsPort, Readiness readiness,
      PrometheusMeterRegistry registry, Consumer<Javalin> extraRoutes) {
    Javalin health = create();
    health.get("/healthz", ctx -> {
      boolean ok = readiness.ready();
      ctx.status(ok ? 204 : 503);
      if (!ok) {
        ctx.json(new TreeMap<>(readiness.snapshot()));
      }
    });
    extraRoutes.accept(health);
    if (healthzPort == metricsPort && healthzPort != 0) {
      addMetrics(health, registry);
      health.start(host, healthzPort);
      servers.add(health);
      this.healthzPort = this.metricsPort = health.port();
      return;
    }
    health.start(host, healthzPort);
    servers.add(health);
    this.healthzPort = health.port();
    if (metricsPort < 0) {
      this.metricsPort = -1; // metrics disabled
      return;
    }
    try {
      Javalin metrics = create();
      addMetrics(metrics, registry);
      metrics.start(host, metricsPort);
      servers.add(metrics);
      this.metricsPort = metrics.port();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private static Javalin create() {
    Javalin app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.startupWatcherEnabled = false;
      // probes and scrapes are rare: a few threads instead of Jetty's 200 keep every replica small; deadlines and a
      // body limit as on every server we run (the dashboard's pages and API are served here too)
      HttpLimits.probes().apply(cfg, "endpoints-http");
    });
    HttpLimits.install(app);
    return app;
  }

  private static void addMetrics(Javalin app, PrometheusMeterRegistry registry) {
    app.get("/metrics", ctx -> {
      ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
      ctx.result(registry.scrape());
    });
  }

  public int healthzPort() {
    return healthzPort;
  }

  public int metricsPort() {
    return metricsPort;
  }

  @Override
  public void close() {
    for (Javalin s : servers) {
      s.stop();
    }
    servers.clear();
  }
}
