package io.daprx.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The CLI's state directory ({@code DAPRX_HOME}, default {@code ~/.daprx}), shared with the local
 * management server: its address and token, the current cluster, and the installed command groups.
 */
public final class ClientHome {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path dir;

  public ClientHome(Path dir) {
    this.dir = dir;
  }

  /** From the environment: {@code DAPRX_HOME}, else {@code ~/.daprx}. Read once, here. */
  public static ClientHome fromEnvironment(Map<String, String> env) {
    String home = env.get("DAPRX_HOME");
    return new ClientHome(home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".daprx"));
  }

  public Path dir() {
    return dir;
  }

  /**
   * Creates the directory if it is missing, readable by its owner only: it holds the server's tokens, the key that
   * seals stored secrets and every local cluster's CA.
   */
  public Path createDir() throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    return dir;
  }

  public Path tokenFile() {
    return dir.resolve("token");
  }

  public Path serverFile() {
    return dir.resolve("server.json");
  }

  public Path serverLog() {
    return dir.resolve("server.log");
  }

  /** The CLI's own settings: current cluster, installed command groups. */
  public ObjectNode config() {
    Path f = dir.resolve("config.json");
    try {
      return Files.exists(f) ? (ObjectNode) JSON.readTree(f.toFile()) : JSON.createObjectNode();
    } catch (IOException | ClassCastException e) {
      throw new IllegalStateException(f + " is damaged (" + e.getMessage() + "); fix or delete it");
    }
  }

  public void saveConfig(ObjectNode config) {
    try {
      createDir();
      Path tmp = Files.createTempFile(dir, ".config", ".json");
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), config);
      Files.move(tmp, dir.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve("config.json") + ": " + e.getMessage(), e);
    }
  }

  public JsonNode serverInfo() {
    try {
      return Files.exists(serverFile()) ? JSON.readTree(serverFile().toFile()) : null;
    } catch (IOException e) {
      return null;
    }
  }
}
