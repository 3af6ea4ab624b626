package io.daprx.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged {@code daprx} run as a user runs it (a real process, no terminal) against the suite's own
 * {@code DAPRX_HOME}, so the suite never touches the user's {@code ~/.daprx}.
 */
final class DaprxCli {

  static final ObjectMapper JSON = new ObjectMapper();

  /** A finished command: what was run, its exit code and what it printed. */
  record Run(String command, int code, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("daprx " + command + " did not print JSON: " + out + "\nstderr: " + err, e);
      }
    }
  }

  private final InteropSettings settings;
  private final Path home;
  private final int portRangeStart;

  DaprxCli(InteropSettings settings, Path home, int portRangeStart) {
    this.settings = settings;
    this.home = home;
    this.portRangeStart = portRangeStart;
  }

  Path home() {
    return home;
  }

  Run run(String... args) {
    List<String> cmd = new ArrayList<>();
    if (settings.launcher() != null) {
      cmd.add(settings.launcher().toString());
    } else {
      cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", settings.daprxJar().toString()));
    }
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.remove("DAPRX_ENDPOINT");
    env.remove("DAPRX_TOKEN");
    env.put("DAPRX_JAR", settings.daprxJar().toString());
    env.put("DAPRX_HOME", home.toString());
    // the seed flow's features and providers turn Registered after these (10 s and 5 s by default)
    env.put("DAPRX_FEATURE_DELAY", "1s");
    env.put("DAPRX_PROVIDER_DELAY", "1s");
    env.put("DAPRX_PORT_RANGE_START", Integer.toString(portRangeStart));
    String line = String.join(" ", args);
    try {
      Path out = Files.createTempFile(home, "out", ".txt");
      Path err = Files.createTempFile(home, "err", ".txt");
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
      if (!p.waitFor(240, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("daprx " + line + " did not finish within 240 s");
      }
      Run r = new Run(line, p.exitValue(), Files.readString(out), Files.readString(err));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running daprx " + line, e);
    }
  }

  /** Runs a command that must succeed. */
  Run ok(String... args) {
    Run r = run(args);
    if (r.code() != 0) {
      throw new AssertionError("daprx " + r.command() + " exited " + r.code() + "\nstdout: " + r.out() + "\nstderr: " + r.err());
    }
    return r;
  }
}
