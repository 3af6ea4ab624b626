package io.daprx.manager;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Starts management servers on a home for a test and closes every one that started, whatever the test asserted. */
final class ServerHarness implements AutoCloseable {

  final ServerOptions options;
  private final List<ManagerServer> started = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  ServerHarness(Path home) {
    options = ServerOptions.defaults(home, List.of("true"));
  }

  ManagerServer start() {
    ManagerServer s = new ManagerServer(options, Clock.systemUTC());
    started.add(s);
    return s.start();
  }

  /** A GET with this Authorization header (null: none). */
  HttpResponse<String> get(ManagerServer server, String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String adminBearer() throws Exception {
    return "Bearer " + Files.readString(options.tokenFile()).trim();
  }

  static void writeOwnerOnly(Path file, String content) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Override
  public void close() {
    started.forEach(ManagerServer::close);
  }
}
