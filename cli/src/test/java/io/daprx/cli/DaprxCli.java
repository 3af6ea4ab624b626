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
    List<String> cmd = new ArrayList<>();
    cmd.add(SentryProcessIT.launcher().toString());
    cmd.addAll(List.of(args));
    return run(cmd, Map.of());
  }

  /**
   * A shell script run as a user pastes a block into a terminal: one {@code bash -e} process, {@code daprx} on the PATH
   * (this build's launcher), {@code extraEnv} on top of what every command gets (e.g. a HOME for kubectl's files).
   */
  Run script(String script, Map<String, String> extraEnv) {
    try {
      Path bin = Files.createDirectories(home.resolve("path-bin"));
      Path daprx = bin.resolve("daprx");
      if (!Files.exists(daprx, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(daprx, SentryProcessIT.launcher());
      }
      Path file = Files.writeString(home.resolve("block.sh"), script);
      Map<String, String> env = new java.util.HashMap<>(extraEnv);
      env.put("PATH", bin + java.io.File.pathSeparator + System.getenv("PATH"));
      return run(List.of("bash", "-e", file.toString()), env);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private Run run(List<String> cmd, Map<String, String> extraEnv) {
    String[] args = cmd.toArray(String[]::new);
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd);
      Map<String, String> env = pb.environment();
      env.remove("DAPRX_ENDPOINT");
      env.remove("KUBECONFIG"); // never the user's: get-credentials writes under the HOME a test gives
      env.put("DAPRX_JAR", Path.of("target", "daprx.jar").toAbsolutePath().toString());
      env.put("DAPRX_HOME", home.toString());
      // one class-data archive for every test's clusters, as one user's home has: only the first install records it
      env.put("DAPRX_CLASS_ARCHIVE_DIR", Path.of("target", "cds").toAbsolutePath().toString());
      env.put("DAPRX_FEATURE_DELAY", "1s");
      env.put("DAPRX_PROVIDER_DELAY", "1s");
      env.put("DAPRX_PORT_RANGE_START", "" + portRangeStart);
      env.putAll(serverEnv);
      env.putAll(extraEnv);
      Path out = Files.createTempFile(home, "out", ".txt");
      Path err = Files.createTempFile(home, "err", ".txt");
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
      // a pasted block holds a whole install, which took up to 90 s on a loaded 2-core machine
      if (!p.waitFor(cmd.get(0).equals("bash") ? 480 : 240, TimeUnit.SECONDS)) {
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

  /** The control plane's pods, each as a flat view (name, component, ready, status, restarts, pid, version, ports). */
  JsonNode pods() {
    return podViews(ok("get", "pods", "-n", "dapr-system", "-o", "json").json());
  }

  /**
   * {@code get pods -o json}'s {@code v1 List} of Pods as the flat views the tests read: the component from the pod's
   * {@code app} label ({@code dapr-sentry} → sentry), the pid from its container id ({@code process://PID}), the version
   * from its image ({@code daprx:VERSION}), the ports from its container's named ports.
   */
  static JsonNode podViews(JsonNode list) {
    com.fasterxml.jackson.databind.node.ArrayNode out = JSON.createArrayNode();
    for (JsonNode p : list.path("items")) {
      JsonNode cs = p.path("status").path("containerStatuses").path(0);
      com.fasterxml.jackson.databind.node.ObjectNode v = out.addObject();
      v.put("name", p.path("metadata").path("name").asText());
      v.put("namespace", p.path("metadata").path("namespace").asText());
      String app = p.path("metadata").path("labels").path("app").asText();
      v.put("component", COMPONENTS.getOrDefault(app, app));
      v.put("ready", cs.path("ready").asBoolean() ? "1/1" : "0/1");
      v.put("status", cs.path("state").has("waiting") ? cs.path("state").path("waiting").path("reason").asText()
          : p.path("metadata").has("deletionTimestamp") ? "Terminating" : p.path("status").path("phase").asText());
      v.put("restarts", cs.path("restartCount").asInt());
      v.put("createdAt", p.path("metadata").path("creationTimestamp").asText());
      String id = cs.path("containerID").asText("");
      if (id.startsWith("process://")) {
        v.put("pid", Long.parseLong(id.substring("process://".length())));
      } else {
        v.putNull("pid");
      }
      String image = cs.path("image").asText("");
      v.put("version", image.startsWith("daprx:") ? image.substring("daprx:".length()) : null);
      com.fasterxml.jackson.databind.node.ObjectNode ports = v.putObject("ports");
      p.path("spec").path("containers").path(0).path("ports").forEach(port -> ports.put(port.path("name").asText(),
          port.path("containerPort").asInt()));
    }
    return out;
  }

  /** Each control-plane workload's component (the pods' app label is the workload, as on Kubernetes). */
  static final java.util.Map<String, String> COMPONENTS = java.util.Map.of("dapr-sentry", "sentry", "dapr-operator", "operator",
      "dapr-placement-server", "placement", "dapr-sidecar-injector", "injector", "dapr-scheduler-server", "scheduler",
      "dapr-dashboard", "dashboard");

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
