package io.daprx.manager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read-only token a local dashboard gets: it reads what the admin token reads and changes nothing. */
class ReaderTokenTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path home;
  ManagerServer manager;
  ServerOptions options;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    options = ServerOptions.defaults(home, List.of("true"));
    manager = new ManagerServer(options, Clock.systemUTC()).start();
  }

  @AfterEach
  void stop() {
    manager.close();
  }

  HttpResponse<String> call(String method, String path, Path tokenFile) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(manager.url() + path))
        .header("Authorization", "Bearer " + Files.readString(tokenFile).trim()).header("Content-Type", "application/json")
        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theReaderTokenReadsButNeverWrites() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(options.readerTokenFile()))).isEqualTo("rw-------");
    assertThat(Files.readString(options.readerTokenFile()).trim()).isNotEqualTo(Files.readString(options.tokenFile()).trim());

    HttpResponse<String> read = call("GET", "/subscriptions", options.readerTokenFile());
    assertThat(read.statusCode()).isEqualTo(200);
    String sub = JSON.readTree(read.body()).path("value").path(0).path("subscriptionId").asText();

    HttpResponse<String> write = call("PUT", "/subscriptions/" + sub + "/resourcegroups/rg", options.readerTokenFile());
    assertThat(write.statusCode()).isEqualTo(403);
    JsonNode error = JSON.readTree(write.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("ReadOnlyToken");
    assertThat(error.path("message").asText()).contains("PUT").contains("admin token");
    assertThat(call("POST", "/daprx/shutdown", options.readerTokenFile()).statusCode()).isEqualTo(403);
    assertThat(call("GET", "/subscriptions/" + sub + "/resourcegroups/rg", options.tokenFile()).statusCode()).isEqualTo(404);

    assertThat(call("PUT", "/subscriptions/" + sub + "/resourcegroups/rg", options.tokenFile()).statusCode()).isEqualTo(201);
  }
}
