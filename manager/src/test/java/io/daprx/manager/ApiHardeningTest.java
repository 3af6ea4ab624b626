package io.daprx.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management API against hostile or careless clients, over real sockets: bodies over the limit whatever their
 * encoding, malformed bodies, conditional writes, protected values in error messages.
 */
class ApiHardeningTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path home;
  ManagerServer manager;
  ServerOptions options;
  String token;
  String sub;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    ServerOptions d = ServerOptions.defaults(home, List.of("true"));
    options = new ServerOptions(home, d.listenAddress(), 0, null, null, null, Duration.ZERO, Duration.ZERO, 47000,
        Duration.ofSeconds(5), d.componentLauncher(), null, d.autoUpgradeInterval(), d.autoUpgradeRetry());
    manager = new ManagerServer(options, Clock.systemUTC()).start();
    token = Files.readString(options.tokenFile()).trim();
    sub = JSON.readTree(call("GET", "/subscriptions", null, Map.of()).body()).path("value").path(0).path("subscriptionId").asText();
  }

  @AfterEach
  void stop() {
    manager.close();
  }

  HttpResponse<String> call(String method, String path, String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(manager.url() + path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String rg(String name) {
    return "/subscriptions/" + sub + "/resourcegroups/" + name;
  }

  @Test
  void aChunkedBodyOverTheLimitIsRefusedWithoutBeingReadWholeAndNothingIsWritten() throws Exception {
    byte[] head = ("PUT " + rg("big") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
        + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    String status;
    try (Socket s = new Socket("127.0.0.1", manager.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      // the body goes on a thread of its own: a server that stops reading must not stall the test's reading of its answer
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          out.write(head);
          chunk(out, "{\"location\":\"here\",\"pad\":\"");
          byte[] pad = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
          for (int i = 0; i < 24 * 16; i++) { // 24 MiB, 24 times the limit
            chunk(out, pad);
          }
          chunk(out, "\"}");
          out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException refused) {
          // the server closed the connection once over the limit: expected
        }
      });
      status = statusLine(in);
      writer.cancel(true);
    }
    if (status != null) {
      assertThat(status).contains(" 413 ");
    }
    assertThat(call("GET", rg("big"), null, Map.of()).statusCode()).as("nothing written").isEqualTo(404);
    assertThat(call("GET", "/subscriptions", null, Map.of()).statusCode()).isEqualTo(200);

    HttpResponse<String> declared = call("PUT", rg("big"), "{\"pad\":\"" + "a".repeat(2_000_000) + "\"}", Map.of());
    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(declared.body()).contains("limit").doesNotContain("Exception");
  }

  static void chunk(OutputStream out, String s) throws IOException {
    chunk(out, s.getBytes(StandardCharsets.UTF_8));
  }

  static void chunk(OutputStream out, byte[] b) throws IOException {
    out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(b);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  /** The first line of the answer, or null when the server closed the connection before one arrived. */
  static String statusLine(InputStream in) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        line.write(c);
      }
    } catch (IOException reset) {
      // reset while the client was still sending: the server refused to read on
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
  }

  String cluster() {
    return rg("rg1") + "/providers/Microsoft.ContainerService/managedClusters/c1";
  }

  String extension(String name) {
    return cluster() + "/providers/Microsoft.KubernetesConfiguration/extensions/" + name;
  }

  void cluster(boolean withRegistrations) throws Exception {
    assertThat(call("PUT", rg("rg1"), "{\"location\":\"local\"}", Map.of()).statusCode()).isEqualTo(201);
    assertThat(call("PUT", cluster(), "{}", Map.of()).statusCode()).isEqualTo(201);
    if (withRegistrations) {
      for (String f : List.of("AKS-ExtensionManager", "AKS-Dapr")) {
        call("POST", "/subscriptions/" + sub + "/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/" + f + "/register",
            null, Map.of());
      }
      for (String ns : List.of("Microsoft.KubernetesConfiguration", "Microsoft.ContainerService")) {
        call("POST", "/subscriptions/" + sub + "/providers/" + ns + "/register", null, Map.of());
      }
    }
  }

  @Test
  void malformedBodiesAreRefusedWith400AndAShortMessage() throws Exception {
    cluster(true);
    List<String> bodies = List.of(
        "[".repeat(5000),
        "{\"a\":" + "1".repeat(5000) + "}",
        "{\"properties\":\"x\"}",
        "{\"properties\":{\"configurationSettings\":[1]}}",
        "{\"properties\":{\"configurationSettings\":{\"a\":{\"b\":1}}}}",
        "{\"properties\":{\"extensionType\":{},\"scope\":\"cluster\"}}",
        "{\"properties\":{\"scope\":{\"cluster\":\"x\"}}}",
        "{\"properties\":{\"extensionType\":\"Microsoft.Dapr\",\"scope\":{\"cluster\":{\"releaseNamespace\":{}}}}}",
        "{\"properties\":{\"extensionType\":\"Microsoft.Dapr\",\"autoUpgradeMinorVersion\":{}}}",
        "{\"properties\":{\"extensionType\":\"Microsoft.Dapr\",\"version\":[]}}",
        "{\"properties\":{\"extensionType\":\"Microsoft.Dapr\",\"releaseTrain\":\"nope\"}}",
        "{\"items\":{}}",
        "{\"items\":[1,\"x\",null]}",
        "\"just a string\"",
        "nul",
        "{\"kubeconfig\":{},\"context\":[]}");
    List<String> paths = List.of(extension("dapr"), cluster() + "/apply", rg("rg2"),
        rg("rg1") + "/providers/Microsoft.Kubernetes/connectedClusters/k1");
    for (String path : paths) {
      for (String body : bodies) {
        for (String method : List.of("PUT", "PATCH", "POST")) {
          HttpResponse<String> r = call(method, path, body, Map.of());
          String what = method + " " + path + " " + body.substring(0, Math.min(60, body.length())) + " -> " + r.body();
          assertThat(r.statusCode()).as(what).isNotEqualTo(500).isLessThan(500);
          if (r.statusCode() == 404 || r.statusCode() == 405) {
            continue; // no such route for this method
          }
          JsonNode error = JSON.readTree(r.body()).path("error");
          if (r.statusCode() >= 400) {
            assertThat(error.path("message").asText()).as(what).isNotBlank().hasSizeLessThan(600)
                .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("[[[[");
          }
        }
      }
    }
  }

  @Test
  void etagsAreQuotedAndIfMatchIsHonouredOnEveryWrite() throws Exception {
    cluster(true);
    HttpResponse<String> created = call("PUT", extension("dapr"), "{\"properties\":{\"extensionType\":\"Microsoft.Dapr\"}}", Map.of());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String etag = created.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).as("RFC 7232 entity-tag").matches("\"[^\"]+\"");
    HttpResponse<String> read = call("GET", extension("dapr"), null, Map.of());
    assertThat(read.headers().firstValue("ETag")).hasValue(etag);

    String update = "{\"properties\":{\"configurationSettings\":{\"global.logLevel\":\"debug\"}}}";
    for (String method : List.of("PUT", "PATCH")) {
      for (String stale : List.of("\"not-the-current-one\"", "W/" + etag, "\"a\", \"b\"")) {
        HttpResponse<String> r = call(method, extension("dapr"), update, Map.of("If-Match", stale));
        assertThat(r.statusCode()).as(method + " If-Match " + stale + ": " + r.body()).isEqualTo(412);
      }
      // the current tag passes the precondition (the create still running answers 409, never 412); the running create
      // itself changes the extension (its statuses), so the tag is read afresh, and a write that lost that race retries
      await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
        String now = call("GET", extension("dapr"), null, Map.of()).headers().firstValue("ETag").orElseThrow();
        return call(method, extension("dapr"), update, Map.of("If-Match", "\"x\", " + now)).statusCode() != 412;
      });
    }
    HttpResponse<String> delete = call("DELETE", extension("dapr"), null, Map.of("If-Match", "\"stale\""));
    assertThat(delete.statusCode()).as(delete.body()).isEqualTo(412);
    HttpResponse<String> missing = call("PUT", extension("other"), "{\"properties\":{\"extensionType\":\"Microsoft.Dapr\"}}",
        Map.of("If-Match", "*"));
    assertThat(missing.statusCode()).as("If-Match on nothing").isEqualTo(412);
  }

  @Test
  void anInvalidProtectedValueIsNeverEchoed() throws Exception {
    cluster(true);
    HttpResponse<String> r = call("PUT", extension("dapr"), "{\"properties\":{\"extensionType\":\"Microsoft.Dapr\","
        + "\"configurationProtectedSettings\":{\"global.logLevel\":\"hunter2-secret\",\"global.ha.replicaCount\":\"pa55word\"},"
        + "\"configurationSettings\":{\"global.mtls.enabled\":\"maybe\"}}}", Map.of());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("global.logLevel").contains("global.ha.replicaCount").contains("maybe")
        .doesNotContain("hunter2-secret").doesNotContain("pa55word");
  }
}
