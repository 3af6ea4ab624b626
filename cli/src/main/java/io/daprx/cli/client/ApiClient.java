package io.daprx.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** A small client of the management API: JSON in and out, bearer token, ARM errors as {@link ApiError}. */
public final class ApiClient {

  /** A response: status, body (possibly empty) and the headers the CLI needs. */
  public record Response(int status, JsonNode body, Map<String, String> headers) {
    public Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name.toLowerCase(java.util.Locale.ROOT)));
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI base;
  private final String token;
  private final HttpClient http;
  private final Consumer<String> debug;

  public ApiClient(URI base, String token, Consumer<String> debug) {
    this.base = base;
    this.token = token;
    this.debug = debug;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  }

  public URI base() {
    return base;
  }

  public Response get(String path) {
    return send("GET", path, null, Map.of());
  }

  public Response send(String method, String path, JsonNode body, Map<String, String> headers) {
    URI uri = path.startsWith("http") ? URI.create(path) : base.resolve(path.replace(" ", "%20"));
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
    headers.forEach(b::header);
    try {
      if (body != null) {
        b.header("Content-Type", "application/json");
        b.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      debug.accept("Request: " + method + " " + uri + (body == null ? "" : " " + redact(body)));
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      debug.accept("Response status: " + r.statusCode());
      JsonNode parsed = r.body() == null || r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
      if (r.statusCode() >= 400) {
        JsonNode err = parsed.path("error");
        throw new ApiError(r.statusCode(), err.path("code").asText("HttpError" + r.statusCode()),
            err.path("message").asText("the management server answered HTTP " + r.statusCode()));
      }
      Map<String, String> h = new LinkedHashMap<>();
      r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
      return new Response(r.statusCode(), parsed, h);
    } catch (ConnectException e) {
      throw new IllegalStateException("cannot reach the management server at " + base + " (is it running? 'daprx server start')");
    } catch (IOException e) {
      throw new IllegalStateException("talking to the management server at " + base + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Streams a plain-text response (logs) to {@code sink} as it arrives. */
  public void stream(String path, java.io.OutputStream sink) {
    HttpRequest req = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token).GET().build();
    try {
      HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() >= 400) {
        JsonNode err = JSON.readTree(r.body().readAllBytes()).path("error");
        throw new ApiError(r.statusCode(), err.path("code").asText(), err.path("message").asText());
      }
      try (InputStream in = r.body()) {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
          sink.write(buf, 0, n);
          sink.flush();
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("reading from the management server failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Protected settings never reach a debug log. */
  private static String redact(JsonNode body) {
    JsonNode copy = body.deepCopy();
    JsonNode p = copy.path("properties").path("configurationProtectedSettings");
    if (p instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      java.util.List<String> keys = new java.util.ArrayList<>();
      o.fieldNames().forEachRemaining(keys::add);
      keys.forEach(k -> o.put(k, "***"));
    }
    return copy.toString();
  }
}
