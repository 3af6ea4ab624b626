package io.daprx.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.io.OutputStream;
import java.net.HttpURLConnection;
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

  static {
    // HttpURLConnection sends a POST again, unasked, when a connection closes before the answer is read: a
    // create would run twice, and 'server stop' would find the port of the server it just stopped closed.
    System.setProperty("sun.net.http.retryPost", "false");
  }

  private final URI base;
  private final String token;
  private final Consumer<String> debug;

  public ApiClient(URI base, String token, Consumer<String> debug) {
    this.base = base;
    this.token = token;
    this.debug = debug;
  }

  public URI base() {
    return base;
  }

  /** The bearer token this client sends (for a kubeconfig that reaches the same server). */
  public String token() {
    return token;
  }

  public Response get(String path) {
    return send("GET", path, null, Map.of());
  }

  public Response send(String method, String path, JsonNode body, Map<String, String> headers) {
    URI uri = path.startsWith("http") ? URI.create(path) : base.resolve(path.replace(" ", "%20"));
    try {
      // HttpURLConnection, not java.net.http: for plain loopback HTTP it starts ~100 ms faster (no TLS set-up),
      // which is most of a short command's time. It has no PATCH, so PATCH travels as POST with the override header.
      HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
      c.setConnectTimeout(3000);
      c.setReadTimeout(60_000);
      c.setRequestMethod(method.equals("PATCH") ? "POST" : method);
      if (method.equals("PATCH")) {
        c.setRequestProperty("X-HTTP-Method-Override", "PATCH");
      }
      c.setRequestProperty("Authorization", "Bearer " + token);
      c.setRequestProperty("Accept", "application/json");
      headers.forEach(c::setRequestProperty);
      debug.accept("Request: " + method + " " + uri + (body == null ? "" : " " + redact(body)));
      if (body != null) {
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = c.getOutputStream()) {
          out.write(JSON.writeValueAsBytes(body));
        }
      }
      int status = c.getResponseCode();
      debug.accept("Response status: " + status);
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      byte[] raw = in == null ? new byte[0] : in.readAllBytes();
      JsonNode parsed = raw.length == 0 ? JSON.nullNode() : JSON.readTree(raw);
      if (status >= 400) {
        throw error(status, parsed);
      }
      Map<String, String> h = new LinkedHashMap<>();
      c.getHeaderFields().forEach((k, v) -> {
        if (k != null && !v.isEmpty()) {
          h.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0));
        }
      });
      return new Response(status, parsed, h);
    } catch (ConnectException e) {
      throw new IllegalStateException("cannot reach the management server at " + base + " (is it running? 'daprx server start')");
    } catch (IOException e) {
      throw new IllegalStateException("talking to the management server at " + base + " failed: " + e.getMessage(), e);
    }
  }

  /** An ARM error body ({@code {"error": {code, message}}}), or a Kubernetes {@code Status} (the cluster's /kube routes). */
  private static ApiError error(int status, JsonNode body) {
    JsonNode err = body.path("error");
    if (err.isMissingNode() && "Status".equals(body.path("kind").asText())) {
      return new ApiError(status, body.path("reason").asText("HttpError" + status), body.path("message").asText());
    }
    return new ApiError(status, err.path("code").asText("HttpError" + status),
        err.path("message").asText("the management server answered HTTP " + status));
  }

  /** Streams a plain-text response (logs) to {@code sink} as it arrives. */
  public void stream(String path, OutputStream sink) {
    stream(path, Map.of(), sink);
  }

  /** As {@link #stream(String, OutputStream)}, with these request headers (a watch's Accept). */
  public void stream(String path, Map<String, String> headers, OutputStream sink) {
    try {
      HttpURLConnection c = (HttpURLConnection) base.resolve(path).toURL().openConnection();
      c.setRequestProperty("Authorization", "Bearer " + token);
      headers.forEach(c::setRequestProperty);
      int status = c.getResponseCode();
      if (status >= 400) {
        InputStream es = c.getErrorStream();
        byte[] raw = es == null ? new byte[0] : es.readAllBytes();
        throw error(status, raw.length == 0 ? JSON.nullNode() : JSON.readTree(raw));
      }
      try (InputStream in = c.getInputStream()) {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
          sink.write(buf, 0, n);
          sink.flush();
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("reading from the management server failed: " + e.getMessage(), e);
    }
  }

  /**
   * Protected settings, kubeconfigs and the inline values of applied resources never reach a debug log: any
   * {@code value} of a resource (a component's metadata, an endpoint's header, a TLS key) may be a credential, so all are
   * masked, while names and {@code secretKeyRef}s still show what was sent.
   */
  static String redact(JsonNode body) {
    JsonNode copy = body.deepCopy();
    if (copy instanceof com.fasterxml.jackson.databind.node.ObjectNode top && top.has("kubeconfig")) {
      top.put("kubeconfig", "***");
    }
    for (JsonNode item : copy.path("items")) {
      maskValues(item);
    }
    JsonNode p = copy.path("properties").path("configurationProtectedSettings");
    if (p instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      java.util.List<String> keys = new java.util.ArrayList<>();
      o.fieldNames().forEachRemaining(keys::add);
      keys.forEach(k -> o.put(k, "***"));
    }
    return copy.toString();
  }

  private static void maskValues(JsonNode node) {
    if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      java.util.List<String> keys = new java.util.ArrayList<>();
      o.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        if (k.equals("value") || k.equals("data") || k.equals("stringData")) {
          o.put(k, "***");
        } else {
          maskValues(o.get(k));
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(ApiClient::maskValues);
    }
  }
}
