package io.daprx.interop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * The app behind a daprd: a JDK HTTP server on loopback that answers with its own instance name, so a test sees which
 * app a call reached. It speaks Dapr's app contract: {@code GET /healthz}; with actor types, the actor contract
 * ({@code GET /dapr/config}, {@code PUT /actors/{type}/{id}/method/{m}}, {@code DELETE /actors/{type}/{id}}); any other
 * request is echoed ({@code instance}, {@code method}, {@code path}, {@code body}, {@code callerAppId} from daprd's
 * {@code dapr-caller-app-id} header).
 */
final class TestApp implements AutoCloseable {

  private final String instance;
  private final List<String> actorTypes;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final ConcurrentLinkedDeque<String> requests = new ConcurrentLinkedDeque<>();
  private final ConcurrentLinkedDeque<Request> received = new ConcurrentLinkedDeque<>();
  private final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> failures = new java.util.concurrent.ConcurrentHashMap<>();

  /** A request daprd made to the app, as the app got it. */
  record Request(Instant at, String method, String path, String body) {}

  private TestApp(String instance, List<String> actorTypes) {
    this.instance = instance;
    this.actorTypes = List.copyOf(actorTypes);
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.free()), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** An app without actors. */
  static TestApp plain(String instance) {
    return new TestApp(instance, List.of());
  }

  /** An app hosting these actor types. */
  static TestApp actors(String instance, String... actorTypes) {
    return new TestApp(instance, List.of(actorTypes));
  }

  String instance() {
    return instance;
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The requests daprd made so far (health checks left out), oldest first: what scenarios assert on. */
  List<Request> received() {
    return new ArrayList<>(received);
  }

  /** Those whose method and path are these. */
  List<Request> received(String method, String path) {
    return received.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
  }

  /** The next {@code times} requests to {@code path} are answered 500 (recorded all the same), so daprd reports them failed. */
  void failNext(String path, int times) {
    failures.put(path, new java.util.concurrent.atomic.AtomicInteger(times));
  }

  /** The requests daprd made, for failure reports. */
  LogSource log() {
    return new LogSource("app " + instance + " (requests from its daprd)", () -> new ArrayList<>(requests));
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      String path = ex.getRequestURI().getPath();
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Instant at = Instant.now();
      requests.addLast(at + " " + method + " " + path);
      while (requests.size() > 500) {
        requests.pollFirst();
      }
      if (!path.equals("/healthz")) {
        received.addLast(new Request(at, method, path, body));
        while (received.size() > 2000) {
          received.pollFirst();
        }
      }
      String[] seg = path.split("/");
      ObjectNode out = DaprxCli.JSON.createObjectNode().put("instance", instance);
      java.util.concurrent.atomic.AtomicInteger failing = failures.get(path);
      if (failing != null && failing.getAndDecrement() > 0) {
        reply(ex, 500, out.put("error", "failing on purpose"));
        return;
      }
      if (path.equals("/healthz")) {
        reply(ex, 200, out.put("status", "ok"));
      } else if (path.equals("/dapr/config") && method.equals("GET")) {
        if (actorTypes.isEmpty()) {
          reply(ex, 404, out.put("error", "no actors here"));
          return;
        }
        ObjectNode config = DaprxCli.JSON.createObjectNode();
        actorTypes.forEach(config.putArray("entities")::add);
        config.put("actorIdleTimeout", "1h").put("drainOngoingCallTimeout", "5s").put("drainRebalancedActors", true);
        reply(ex, 200, config);
      } else if (seg.length == 6 && seg[1].equals("actors") && seg[4].equals("method") && method.equals("PUT")) {
        // /actors/{type}/{id}/method/{m}
        reply(ex, 200, out.put("actorType", seg[2]).put("actorId", seg[3]).put("method", seg[5]));
      } else if (seg.length == 4 && seg[1].equals("actors") && method.equals("DELETE")) {
        reply(ex, 200, out.put("deactivated", seg[3]));
      } else {
        reply(ex, 200, out.put("method", method).put("path", path).put("body", body)
            .put("callerAppId", ex.getRequestHeaders().getFirst("dapr-caller-app-id")));
      }
    }
  }

  private static void reply(HttpExchange ex, int status, ObjectNode body) throws IOException {
    byte[] bytes = DaprxCli.JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
