package io.daprx.dashboard;

import io.daprx.common.runtime.Endpoints;
import io.daprx.common.runtime.HttpLimits;
import io.daprx.common.runtime.Readiness;
import io.daprx.dashboard.api.ApiRoutes;
import io.daprx.dashboard.api.DashboardData;
import io.daprx.dashboard.source.ClusterSource;
import io.daprx.dashboard.source.KubernetesSource;
import io.daprx.dashboard.source.ManagerSource;
import io.daprx.dashboard.web.Html;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard component: options → constructor → {@link #start()} → {@link #close()}. One HTTP server serves the
 * pages, the JSON API, {@code /healthz} and {@code /metrics}; it answers GET (and HEAD) only.
 */
public final class Dashboard implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
  private static final Set<HandlerType> READS = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);
  // the pages load only their own script and stylesheet, and may not be framed by another site
  private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self';"
      + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private final DashboardOptions options;
  private final Clock clock;
  private final Supplier<ClusterSource> sources;
  private final Readiness readiness = new Readiness();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private ClusterSource source;
  private Javalin server;

  /** The source follows the mode: the management server's API, or the in-cluster Kubernetes client. */
  public Dashboard(DashboardOptions options, Clock clock) {
    this(options, clock, () -> defaultSource(options));
  }

  /** @param sources what the dashboard reads (tests: a fabric8 mock server's, or a fake) */
  public Dashboard(DashboardOptions options, Clock clock, Supplier<ClusterSource> sources) {
    this.options = options;
    this.clock = clock;
    this.sources = sources;
  }

  static ClusterSource defaultSource(DashboardOptions o) {
    if (o.mode() == DashboardOptions.Mode.LOCAL) {
      return new ManagerSource(o.managerUrl() != null ? () -> o.managerUrl() : ManagerSource.fromServerFile(o.managerServerFile()),
          o.managerTokenFile(), o.clusterId(), o.namespace(), o.requestTimeout());
    }
    return new KubernetesSource(new io.fabric8.kubernetes.client.KubernetesClientBuilder().build(), o.namespace(),
        o.componentHealthzPort(), o.componentMetricsPort());
  }

  public Dashboard start() {
    readiness.declare("http");
    try {
      source = sources.get();
      DashboardData data = new DashboardData(source, options.namespace(), options.replicationFactor(), options.caWarning(),
          options.requestTimeout(), clock);
      // Javalin, unlike the other components' endpoints (Endpoints, the JDK's server): pages and an API to serve
      Javalin app = Javalin.create(cfg -> {
        cfg.showJavalinBanner = false;
        cfg.startupWatcherEnabled = false;
        // a person's browser and the probes: a few threads, deadlines and a body limit as on every server we run
        HttpLimits.probes().apply(cfg, "dashboard-http");
      });
      HttpLimits.install(app);
      app.get("/healthz", ctx -> answer(ctx, Endpoints.healthz(readiness)));
      app.get("/metrics", ctx -> answer(ctx, Endpoints.metrics(registry)));
      routes(app, data);
      server = app;
      app.start(options.listenAddress(), options.port());
      readiness.set("http", true);
      LOG.info("dashboard serving http://{}:{}/ (read-only), reading the {}", options.listenAddress(), port(), source);
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void routes(Javalin app, DashboardData data) {
    HostAllowList hosts = HostAllowList.of(options.listenAddress(), options.allowedHosts());
    app.before(ctx -> {
      // probes and scrapes name the pod's IP; they read nothing a rebinding page could use
      if (!ctx.path().equals("/healthz") && !ctx.path().equals("/metrics") && !hosts.allows(ctx.header("Host"))) {
        error(ctx, new ApiRoutes.ApiError(421, "MisdirectedRequest", "the dashboard does not answer to Host '"
            + HostAllowList.shown(ctx.header("Host")) + "'; it answers to " + hosts + ": start it with "
            + DashboardFlags.ALLOWED_HOST + " NAME to reach it by another name"));
        ctx.skipRemainingHandlers();
        return;
      }
      ctx.header("X-Content-Type-Options", "nosniff");
      ctx.header("Referrer-Policy", "no-referrer");
      ctx.header("Content-Security-Policy", CSP);
      ctx.header("Cache-Control", "no-store");
      if (!READS.contains(ctx.method())) {
        ctx.header("Allow", "GET, HEAD");
        error(ctx, new ApiRoutes.ApiError(405, "MethodNotAllowed", "the dashboard is read-only: " + ctx.method() + " is not allowed"));
        ctx.skipRemainingHandlers();
      }
    });
    new ApiRoutes(data).install(app);
    new io.daprx.dashboard.web.WebRoutes(data, options.namespace(), source.toString()).install(app);
    app.exception(ApiRoutes.ApiError.class, (e, ctx) -> error(ctx, e));
    app.exception(IllegalStateException.class, (e, ctx) -> error(ctx, new ApiRoutes.ApiError(503, "SourceUnavailable", e.getMessage())));
    app.exception(Exception.class, (e, ctx) -> {
      LOG.warn("{} {} failed", ctx.method(), ctx.path(), e);
      error(ctx, new ApiRoutes.ApiError(500, "InternalError", "the dashboard failed to answer; see its log"));
    });
  }

  private static void answer(Context ctx, Endpoints.Response r) {
    ctx.status(r.status());
    if (r.contentType() != null) {
      ctx.contentType(r.contentType());
    }
    ctx.result(r.body());
  }

  private static void error(Context ctx, ApiRoutes.ApiError e) {
    ctx.status(e.status());
    if (ctx.path().startsWith("/api/")) {
      ctx.json(e.body());
    } else {
      ctx.contentType("text/html; charset=utf-8").result("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>daprx"
          + " dashboard</title><link rel=\"stylesheet\" href=\"/static/dashboard.css\"></head><body><main><h1>" + e.status() + "</h1><p class=\"problems\">"
          + Html.esc(e.getMessage()) + "</p><p><a href=\"/controlplane\">Control plane</a></p></main></body></html>");
    }
  }

  /** The HTTP port actually bound (useful with port 0). */
  public int port() {
    return server.port();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop();
    }
    if (source != null) {
      source.close();
    }
  }
}
