package io.daprx.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.cli.Launcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Finds the management server: {@code DAPRX_ENDPOINT} when set, else the local one recorded in the
 * home directory, started in the background on first use (so a fresh machine needs no set-up step).
 */
public final class Connection {

  private Connection() {}

  public static ApiClient connect(ClientHome home, Map<String, String> env, Consumer<String> debug, Consumer<String> info) {
    String endpoint = env.get("DAPRX_ENDPOINT");
    if (endpoint != null && !endpoint.isBlank()) {
      String token = env.get("DAPRX_TOKEN");
      if (token == null || token.isBlank()) {
        token = readToken(home.tokenFile(), "set DAPRX_TOKEN to the server's bearer token");
      }
      return new ApiClient(URI.create(endpoint.endsWith("/") ? endpoint : endpoint + "/"), token, debug);
    }
    ApiClient running = running(home, debug);
    if (running != null) {
      return running;
    }
    return startLocal(home, debug, info);
  }

  /**
   * The local server recorded in the home directory, if its process is alive. No request is made: a
   * short command should cost one round trip, and the pid check (with the command line, so a reused pid
   * is not mistaken for it) is enough to know the server is there.
   */
  public static ApiClient running(ClientHome home, Consumer<String> debug) {
    JsonNode s = home.serverInfo();
    if (s == null || !Files.exists(home.tokenFile()) || !s.hasNonNull("url")) {
      return null;
    }
    long pid = s.path("pid").asLong(-1);
    boolean alive = pid > 0 && ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .map(h -> h.info().commandLine().map(cl -> cl.contains(" server")).orElse(true))
        .orElse(false);
    if (!alive) {
      debug.accept("the server recorded in " + home.serverFile() + " (pid " + pid + ") is not running");
      return null;
    }
    return new ApiClient(URI.create(s.path("url").asText() + "/"), readToken(home.tokenFile(), ""), debug);
  }

  private static ApiClient startLocal(ClientHome home, Consumer<String> debug, Consumer<String> info) {
    try {
      home.createDir();
      // two CLIs started at once must not start two servers
      try (FileChannel ch = FileChannel.open(home.dir().resolve(".start.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        ApiClient raced = running(home, debug);
        if (raced != null) {
          return raced;
        }
        // server.json stays: the new server replaces it once it listens, and a server this CLI could not use (its token
        // file gone) may still hold the home — the new one is then refused, and this file is how the old one is found
        List<String> cmd = new ArrayList<>(Launcher.command(io.daprx.common.runtime.JvmOptions.of("server")));
        // the server maps the base class-data archive its components map and its own layer (its classes recorded by its
        // first starts)
        Path archives = io.daprx.manager.deploy.ClassArchives.directory(System.getenv("DAPRX_CLASS_ARCHIVE_DIR"), home.dir());
        if (archives != null) {
          try (io.daprx.manager.deploy.ClassArchives a = io.daprx.manager.deploy.ClassArchives.in(archives, java.time.Clock.systemUTC())) {
            cmd = new ArrayList<>(a.command("server", cmd));
          }
        }
        cmd.addAll(List.of("server", "--home", home.dir().toAbsolutePath().toString()));
        info.accept("Starting the local management server (state in " + home.dir() + ", log in " + home.serverLog() + ")");
        Process p = new ProcessBuilder(cmd)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(home.serverLog().toFile()))
            .redirectErrorStream(true)
            .start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
          if (!p.isAlive()) {
            throw new IllegalStateException("the local management server exited at start (code " + p.exitValue() + "); see " + home.serverLog());
          }
          ApiClient c = running(home, debug);
          if (c != null) {
            return c;
          }
          Thread.sleep(50); // polls for the server file the new process writes once it listens
        }
        throw new IllegalStateException("the local management server did not start within 30 s; see " + home.serverLog());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the local management server: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the management server", e);
    }
  }

  static String readToken(Path file, String hint) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the server token " + file + (hint.isEmpty() ? "" : "; " + hint));
    }
  }
}
