package io.daprx.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.dashboard.api.ApiRoutes;
import io.daprx.dashboard.api.DashboardData;
import io.daprx.common.dapr.ResourceKind;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.TreeSet;
import java.util.function.Function;

/** The pages: each one whole on a plain GET, and only its live part with {@code ?part=live}. */
public final class WebRoutes {

  private final DashboardData data;
  private final String namespace;
  private final String source;
  private final byte[] css = resource("dashboard.css");
  private final byte[] js = resource("dashboard.js");

  public WebRoutes(DashboardData data, String namespace, String source) {
    this.data = data;
    this.namespace = namespace;
    this.source = source;
  }

  public void install(Javalin app) {
    app.get("/", ctx -> ctx.redirect("/controlplane"));
    app.get("/static/dashboard.css", ctx -> ctx.contentType("text/css; charset=utf-8").result(css));
    app.get("/static/dashboard.js", ctx -> ctx.contentType("text/javascript; charset=utf-8").result(js));
    app.get("/controlplane", ctx -> page(ctx, "/controlplane", "Control plane", null, data.controlPlane(), Pages::controlPlane));
    app.get("/placement", ctx -> {
      String ns = ctx.queryParam("namespace");
      String type = ctx.queryParam("actorType");
      String id = ctx.queryParam("actorId");
      String before = null;
      if (!live(ctx)) {
        JsonNode answer = null;
        String error = null;
        if (type != null || id != null) {
          try {
            answer = ApiRoutes.lookup(data, ns, type, id);
          } catch (ApiRoutes.ApiError e) {
            error = e.getMessage();
          }
        }
        before = Pages.lookupForm(ns, type, id, answer, error);
      }
      page(ctx, "/placement", "Placement", before, data.placement(), Pages::placement);
    });
    app.get("/apps", ctx -> page(ctx, "/apps", "Apps", null, data.apps(), Pages::apps));
    app.get("/resources/{kind}", ctx -> {
      ResourceKind kind = ApiRoutes.kind(ctx.pathParam("kind"));
      String ns = ctx.queryParam("namespace") == null || ctx.queryParam("namespace").isBlank() ? null : ctx.queryParam("namespace");
      ObjectNode d = data.resources(kind, ns);
      String before = null;
      if (!live(ctx)) {
        TreeSet<String> namespaces = new TreeSet<>();
        data.resources(kind, null).path("items").forEach(i -> namespaces.add(i.path("namespace").asText()));
        before = Pages.namespaceFilter(kind, ns, namespaces);
      }
      String liveUrl = "/resources/" + kind.plural() + "?part=live" + (ns == null ? "" : "&namespace=" + Pages.url(ns));
      respond(ctx, "/resources/" + kind.plural(), title(kind), before, Pages.resources(kind, d), liveUrl);
    });
    app.get("/resources/{kind}/{namespace}/{name}", ctx -> {
      ResourceKind kind = ApiRoutes.kind(ctx.pathParam("kind"));
      JsonNode r = ApiRoutes.resource(data, kind.plural(), ctx.pathParam("namespace"), ctx.pathParam("name"));
      String self = "/resources/" + kind.plural() + "/" + Pages.url(ctx.pathParam("namespace")) + "/" + Pages.url(ctx.pathParam("name"));
      respond(ctx, "/resources/" + kind.plural(), kind.kind() + " " + ctx.pathParam("namespace") + "/" + ctx.pathParam("name"),
          new Html().open("p").el("a", "← all " + kind.plural(), "href", "/resources/" + kind.plural()).text(" · ")
              .el("a", "as JSON", "href", "/api" + self).text(" · ").el("a", "as YAML", "href", "/api" + self + "?format=yaml")
              .close("p").toString(),
          Pages.yaml(ApiRoutes.yaml(r)), self + "?part=live");
    });
    app.get("/extension", ctx -> page(ctx, "/extension", "Extension", null, data.extension(), Pages::extension));
    app.get("/scheduler", ctx -> page(ctx, "/scheduler", "Scheduler", null, data.scheduler(), Pages::scheduler));
  }

  private static String title(ResourceKind kind) {
    return Character.toUpperCase(kind.plural().charAt(0)) + kind.plural().substring(1);
  }

  private void page(Context ctx, String path, String title, String before, JsonNode d, Function<JsonNode, String> live) {
    respond(ctx, path, title, before, live.apply(d), ctx.path() + "?part=live");
  }

  private void respond(Context ctx, String active, String title, String before, String liveHtml, String liveUrl) {
    ctx.contentType("text/html; charset=utf-8");
    if (live(ctx)) {
      ctx.result(liveHtml);
      return;
    }
    ctx.result(Pages.page(active, title, "namespace " + namespace + " · read from " + source, before, liveHtml, liveUrl));
  }

  private static boolean live(Context ctx) {
    return "live".equals(ctx.queryParam("part"));
  }

  private static byte[] resource(String name) {
    try (InputStream in = WebRoutes.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
