package io.daprx.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.daprx.common.dapr.ResourceKind;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON API behind the pages, GET only (the dashboard is read-only): {@code /api/controlplane},
 * {@code /api/placement}, {@code /api/placement/lookup}, {@code /api/apps}, {@code /api/resources/{kind}},
 * {@code /api/resources/{kind}/{namespace}/{name}} (JSON, or YAML with {@code ?format=yaml}) and {@code /api/extension}.
 * Errors are {@code {"error":{"code","message"}}}, as the management server's.
 */
public final class ApiRoutes {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

  private final DashboardData data;

  public ApiRoutes(DashboardData data) {
    this.data = data;
  }

  public void install(Javalin app) {
    app.get("/api/controlplane", ctx -> json(ctx, data.controlPlane()));
    app.get("/api/placement", ctx -> json(ctx, data.placement()));
    app.get("/api/placement/lookup", ctx -> json(ctx, lookup(data, ctx.queryParam("namespace"), ctx.queryParam("actorType"),
        ctx.queryParam("actorId"))));
    app.get("/api/apps", ctx -> json(ctx, data.apps()));
    app.get("/api/resources/{kind}", ctx -> json(ctx, data.resources(kind(ctx.pathParam("kind")), blankToNull(ctx.queryParam("namespace")))));
    app.get("/api/resources/{kind}/{namespace}/{name}", ctx -> {
      JsonNode r = resource(data, ctx.pathParam("kind"), ctx.pathParam("namespace"), ctx.pathParam("name"));
      if ("yaml".equalsIgnoreCase(ctx.queryParam("format")) || String.valueOf(ctx.header("Accept")).contains("yaml")) {
        ctx.contentType("application/yaml; charset=utf-8").result(yaml(r));
      } else {
        json(ctx, r);
      }
    });
    app.get("/api/extension", ctx -> json(ctx, data.extension()));
    app.get("/api/scheduler", ctx -> json(ctx, data.scheduler()));
  }

  /** A lookup with its inputs checked; the page's form and the API share it. */
  public static ObjectNode lookup(DashboardData data, String namespace, String actorType, String actorId) {
    if (blankToNull(actorType) == null || blankToNull(actorId) == null) {
      throw new ApiError(400, "BadRequest", "give actorType and actorId (and namespace, default 'default')");
    }
    try {
      return data.lookup(blankToNull(namespace) == null ? "default" : namespace.trim(), actorType.trim(), actorId.trim());
    } catch (IllegalArgumentException e) {
      throw new ApiError(404, "NotFound", e.getMessage());
    } catch (IllegalStateException e) {
      throw new ApiError(503, "PlacementUnavailable", e.getMessage());
    }
  }

  /** One resource, redacted; 404 when it does not exist. */
  public static JsonNode resource(DashboardData data, String kindName, String namespace, String name) {
    ResourceKind kind = kind(kindName);
    JsonNode r = data.resource(kind, namespace, name);
    if (r == null) {
      throw new ApiError(404, "NotFound", kind.plural() + ".dapr.io \"" + name + "\" not found in namespace " + namespace);
    }
    return r;
  }

  public static ResourceKind kind(String plural) {
    ResourceKind k = ResourceKind.ofPlural(plural).orElse(null);
    if (k == null) {
      throw new ApiError(404, "NotFound", "unknown kind '" + plural + "': use components, configurations, resiliencies, subscriptions,"
          + " httpendpoints, mcpservers or workflowaccesspolicies");
    }
    return k;
  }

  public static String yaml(JsonNode node) {
    try {
      return YAML.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static void json(Context ctx, JsonNode body) throws IOException {
    ctx.contentType("application/json").result(DashboardData.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
  }

  /** An error the API answers with its status and {@code {"error":{"code","message"}}}. */
  public static final class ApiError extends RuntimeException {
    private final int status;
    private final String code;

    public ApiError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }

    public int status() {
      return status;
    }

    public ObjectNode body() {
      ObjectNode o = DashboardData.JSON.createObjectNode();
      o.putObject("error").put("code", code).put("message", getMessage());
      return o;
    }
  }
}
