package io.daprx.dashboard.source;

import io.daprx.common.dapr.ResourceKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A local cluster, read through the management server's HTTP API with a read-only token: its pods and Services, its
 * trust bundle, its {@code dapr.io} resources and the Dapr extension with its operations. A local cluster has no
 * workload objects, so {@link Snapshot#workloads()} is null.
 */
public final class ManagerSource implements ClusterSource {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final String EXTENSIONS = "/providers/Microsoft.KubernetesConfiguration/extensions";

  private final Supplier<URI> managerUrl;
  private final Path tokenFile;
  private final String clusterId;
  private final String namespace;
  private final HttpClient http;
  private final Duration timeout;

  /**
   * @param managerUrl the server's base URL, asked again for every request (a restarted server may listen elsewhere)
   * @param tokenFile the server's read-only token
   * @param clusterId the cluster's ARM id, {@code /subscriptions/…/managedClusters/NAME}
   * @param namespace the control plane's namespace
   */
  public ManagerSource(Supplier<URI> managerUrl, Path tokenFile, String clusterId, String namespace, Duration timeout) {
    this.managerUrl = managerUrl;
    this.tokenFile = tokenFile;
    this.clusterId = clusterId.endsWith("/") ? clusterId.substring(0, clusterId.length() - 1) : clusterId;
    this.namespace = namespace;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** The URL in a management server's {@code server.json}, read each time it is needed. */
  public static Supplier<URI> fromServerFile(Path serverFile) {
    return () -> {
      try {
        String url = JSON.readTree(Files.readString(serverFile)).path("url").asText("");
        if (url.isEmpty()) {
          throw new IllegalStateException(serverFile + " names no url");
        }
        return URI.create(url);
      } catch (IOException e) {
        throw new IllegalStateException("the management server is not running (no " + serverFile + ")");
      }
    };
  }

  @Override
  public Snapshot snapshot() {
    List<String> problems = new ArrayList<>();
    JsonNode extension = null;
    JsonNode operations = null;
    try {
      for (JsonNode e : get(clusterId + EXTENSIONS).path("value")) {
        if (e.path("properties").path("extensionType").asText().equalsIgnoreCase("microsoft.dapr")) {
          extension = e;
          break;
        }
      }
      if (extension != null) {
        operations = getOrNull(clusterId + EXTENSIONS + "/" + enc(extension.path("name").asText()) + "/operations");
      }
    } catch (IllegalStateException e) {
      problems.add("extension: " + e.getMessage());
    }
    String version = extension == null ? null
        : text(extension.path("properties"), "currentVersion", text(extension.path("properties"), "version", null));
    List<PodView> pods = new ArrayList<>();
    try {
      for (JsonNode p : get(clusterId + "/pods?namespace=" + enc(namespace)).path("value")) {
        JsonNode ports = p.path("ports");
        // a server that runs several versions side by side says each pod's; otherwise every pod runs the extension's
        pods.add(new PodView(p.path("name").asText(), p.path("component").asText(), p.path("ready").asText(), p.path("status").asText(),
            p.path("restarts").asInt(), text(p, "version", version), instant(p.path("createdAt").asText(null)),
            ports.has("healthz") ? "127.0.0.1:" + ports.path("healthz").asInt() : null,
            ports.has("metrics") ? "127.0.0.1:" + ports.path("metrics").asInt() : null));
      }
    } catch (IllegalStateException e) {
      problems.add("pods: " + e.getMessage());
    }
    String anchors = null;
    try {
      JsonNode bundle = getOrNull(clusterId + "/trustBundle");
      anchors = bundle == null ? null : bundle.path("ca.crt").asText(null);
    } catch (IllegalStateException e) {
      problems.add("trust bundle: " + e.getMessage());
    }
    return new Snapshot(pods, anchors, null, extension, operations, problems);
  }

  @Override
  public List<JsonNode> resources(ResourceKind kind, String ns) {
    JsonNode list = getOrNull(clusterId + "/resources/" + kind.plural() + (ns == null || ns.isBlank() ? "" : "?namespace=" + enc(ns)));
    List<JsonNode> out = new ArrayList<>();
    if (list != null) {
      list.path("value").forEach(out::add);
    }
    return out;
  }

  /** The management server's {@code GET …/scheduler}: a cluster without a scheduler is an error that says so. */
  @Override
  public JsonNode scheduler() {
    return get(clusterId + "/scheduler");
  }

  private JsonNode getOrNull(String path) {
    return request(path, true);
  }

  private JsonNode get(String path) {
    return request(path, false);
  }

  private JsonNode request(String path, boolean notFoundIsNull) {
    URI base = managerUrl.get();
    URI uri = URI.create(base.toString().replaceAll("/+$", "") + path);
    HttpResponse<String> resp;
    try {
      resp = http.send(HttpRequest.newBuilder(uri).timeout(timeout).header("Authorization", "Bearer " + token())
          .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the management server at " + base + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
    if (resp.statusCode() == 404 && notFoundIsNull) {
      return null;
    }
    JsonNode body;
    try {
      body = resp.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(resp.body());
    } catch (IOException e) {
      throw new IllegalStateException("the management server answered HTTP " + resp.statusCode() + " with a body that is not JSON");
    }
    if (resp.statusCode() != 200) {
      throw new IllegalStateException("the management server answered HTTP " + resp.statusCode() + ": "
          + body.path("error").path("message").asText(body.toString()));
    }
    return body;
  }

  private String token() {
    try {
      return Files.readString(tokenFile).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the token file " + tokenFile + ": " + e.getMessage());
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String text(JsonNode o, String field, String fallback) {
    JsonNode v = o.path(field);
    return v.isTextual() && !v.asText().isBlank() ? v.asText() : fallback;
  }

  /** An RFC 3339 instant, or null when absent or unreadable. */
  public static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "management server, cluster " + clusterId.substring(clusterId.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
  }
}
