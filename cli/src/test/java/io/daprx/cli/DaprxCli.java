package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged {@code daprx} run as a user runs it (the launcher, a real process, no terminal), against its
 * own state directory, so integration tests never touch the user's {@code ~/.daprx} or each other.
 */
final class DaprxCli {

  static final ObjectMapper JSON = new ObjectMapper();

  /** A finished command: exit code and what it printed. */
  record Run(int code, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
      }
    }
  }

  private final Path home;
  private final int portRangeStart;
  private final Map<String, String> serverEnv;

  DaprxCli(Path home, int portRangeStart) {
    this(home, portRangeStart, Map.of());
  }

  /** @param serverEnv settings of the server the CLI starts (e.g. DAPRX_CATALOG), as a user would export them */
  DaprxCli(Path home, int portRangeStart, Map<String, String> serverEnv) {
    this.home = home;
    this.portRangeStart = portRangeStart;
    this.serverEnv = Map.copyOf(serverEnv);
  }

  Path home() {
    return home;
  }

  Run run(String... args) {
    try {
      List<String> cmd = new ArrayList<>();
      cmd.add(SentryProcessIT.launcher().toString());
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      Map<String, String> env = pb.environment();
      env.remove("DAPRX_ENDPOINT");
      env.put("DAPRX_JAR", Path.of("target", "daprx.jar").toAbsolutePath().toString());
      env.put("DAPRX_HOME", home.toString());
      env.put("DAPRX_FEATURE_DELAY", "1s");
      env.put("DAPRX_PROVIDER_DELAY", "1s");
      env.put("DAPRX_PORT_RANGE_START", "" + portRangeStart);
      env.putAll(serverEnv);
      Path out = Files.createTempFile(home, "out", ".txt");
      Path err = Files.createTempFile(home, "err", ".txt");
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
      if (!p.waitFor(240, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("daprx " + String.join(" ", args) + " did not finish");
      }
      return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  Run ok(String... args) {
    Run r = run(args);
    assertThat(r.code()).as("daprx %s\nstdout: %s\nstderr: %s\nserver.log (end): %s", String.join(" ", args), r.out(), r.err(),
        r.code() == 0 ? "" : serverLogTail()).isZero();
    return r;
  }

  /** The end of the management server's log, so a failure in CI shows what the server did (the home is deleted after the run). */
  String serverLogTail() {
    try {
      List<String> lines = Files.readAllLines(home.resolve("server.log"));
      return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no server.log: " + e.getMessage() + ")";
    }
  }

  JsonNode pods() {
    return ok("get", "pods", "-n", "dapr-system", "-o", "json").json();
  }

  long serverPid() throws IOException {
    return JSON.readTree(home.resolve("server.json").toFile()).path("pid").asLong();
  }

  /** Registers what the Dapr extension needs, as the seed flow does. */
  void registerForDapr() {
    ok("feature", "register", "--namespace", "Microsoft.ContainerService", "--name", "AKS-ExtensionManager");
    ok("feature", "register", "--namespace", "Microsoft.ContainerService", "--name", "AKS-Dapr");
    ok("provider", "register", "--namespace", "Microsoft.KubernetesConfiguration", "--wait");
    ok("provider", "register", "--namespace", "Microsoft.ContainerService", "--wait");
  }

  /** Stops the server and its clusters, and returns control-plane processes left running (they are killed). */
  List<ProcessHandle> stopAndFindLeftovers() {
    run("server", "stop");
    // every control-plane process carries DAPRX_POD=<its log file>, under this home
    List<ProcessHandle> left = ProcessHandle.allProcesses().filter(h -> {
      try {
        String env = new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "environ")), StandardCharsets.UTF_8);
        return env.contains("DAPRX_POD=" + home);
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }).toList();
    left.forEach(ProcessHandle::destroyForcibly);
    return left;
  }
}
