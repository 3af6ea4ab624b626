package io.daprx.interop;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A local daprx cluster made with the seed flow through the real CLI: {@code cluster create}, two feature and two
 * provider registrations, {@code k8s-extension create --cluster-type managedClusters}, then every pod Ready. Gives the
 * addresses and trust anchors a daprd needs, the pods (pids and ports), and the placement leader.
 */
final class LocalCluster implements AutoCloseable {

  static final String RESOURCE_GROUP = "interopGroup";
  static final String NAME = "interopCluster";
  /** The HA control plane: 3 replicas each of sentry, operator, placement, scheduler and injector, and the dashboard. */
  static final int HA_PODS = 16;
  static final String CONTROL_PLANE_NAMESPACE = "dapr-system";
  static final String CONTROL_PLANE_TRUST_DOMAIN = "cluster.local";

  /**
   * A control-plane replica as {@code daprx get pods -o json} shows it: a v1 Pod whose {@code app} label is its workload
   * ({@code dapr-scheduler-server}), whose container id is {@code process://PID} and whose container names its ports.
   */
  record Pod(String name, String component, long pid, boolean ready, Map<String, Integer> ports) {
    static final Map<String, String> COMPONENTS = Map.of("dapr-sentry", "sentry", "dapr-operator", "operator",
        "dapr-placement-server", "placement", "dapr-sidecar-injector", "injector", "dapr-scheduler-server", "scheduler",
        "dapr-dashboard", "dashboard");

    static Pod of(JsonNode p) {
      Map<String, Integer> ports = new LinkedHashMap<>();
      p.path("spec").path("containers").path(0).path("ports").forEach(port -> ports.put(port.path("name").asText(),
          port.path("containerPort").asInt()));
      JsonNode cs = p.path("status").path("containerStatuses").path(0);
      String id = cs.path("containerID").asText("");
      String app = p.path("metadata").path("labels").path("app").asText();
      return new Pod(p.path("metadata").path("name").asText(), COMPONENTS.getOrDefault(app, app),
          id.startsWith("process://") ? Long.parseLong(id.substring("process://".length())) : 0, cs.path("ready").asBoolean(), ports);
    }
  }

  private final DaprxCli cli;
  private final Map<String, Duration> timings = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private JsonNode services;
  private Path trustAnchorsFile;

  private LocalCluster(DaprxCli cli) {
    this.cli = cli;
  }

  /** Creates the cluster and installs the Dapr extension with the seed document's commands; returns when all pods are Ready. */
  static LocalCluster create(DaprxCli cli) {
    LocalCluster c = new LocalCluster(cli);
    c.step("cluster create", () -> cli.ok("cluster", "create", "-g", RESOURCE_GROUP, "-n", NAME, "-o", "none"));
    c.step("feature/provider register", () -> {
      cli.ok("feature", "register", "--namespace", "Microsoft.ContainerService", "--name", "AKS-ExtensionManager", "-o", "none");
      cli.ok("feature", "register", "--namespace", "Microsoft.ContainerService", "--name", "AKS-Dapr", "-o", "none");
      await("features Registered").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
          cli.ok("feature", "show", "--namespace", "Microsoft.ContainerService", "--name", "AKS-Dapr", "--query", "properties.state", "-o", "tsv")
              .out().trim().equals("Registered"));
      cli.ok("provider", "register", "--namespace", "Microsoft.KubernetesConfiguration", "--wait", "-o", "none");
      cli.ok("provider", "register", "--namespace", "Microsoft.ContainerService", "--wait", "-o", "none");
    });
    c.step("k8s-extension create", () -> cli.ok("k8s-extension", "create", "--cluster-type", "managedClusters",
        "--cluster-name", NAME, "--resource-group", RESOURCE_GROUP, "--name", "dapr", "--extension-type", "Microsoft.Dapr",
        "--auto-upgrade-minor-version", "true", "-o", "none"));
    c.step("control-plane pods Ready", () -> await("all (at least " + HA_PODS + ") control-plane pods Ready").atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1)).until(() -> {
          List<Pod> pods = c.pods();
          return pods.size() >= HA_PODS && pods.stream().allMatch(Pod::ready);
        }));
    c.step("services and trust anchors", () -> {
      c.services = cli.ok("get", "services", "-n", CONTROL_PLANE_NAMESPACE, "-o", "json").json();
      Path out = cli.home().resolve("trust");
      cli.ok("mtls", "export", "-g", RESOURCE_GROUP, "-n", NAME, "--out", out.toString());
      c.trustAnchorsFile = out.resolve("ca.crt");
    });
    return c;
  }

  private void step(String name, Runnable r) {
    long start = System.nanoTime();
    r.run();
    timings.put(name, Duration.ofNanos(System.nanoTime() - start));
  }

  /** How long each step of the seed flow took, for the suite's summary. */
  Map<String, Duration> timings() {
    return timings;
  }

  DaprxCli cli() {
    return cli;
  }

  List<Pod> pods() {
    List<Pod> out = new ArrayList<>();
    cli.ok("get", "pods", "-n", CONTROL_PLANE_NAMESPACE, "-o", "json").json().path("items").forEach(p -> out.add(Pod.of(p)));
    return out;
  }

  private JsonNode service(String name) {
    for (JsonNode s : services) {
      if (s.path("name").asText().equals(name)) {
        return s;
      }
    }
    return null;
  }

  /** The {@code dapr-sentry} Service (a TCP proxy over the three sentries). */
  String sentryAddress() {
    return service("dapr-sentry").path("address").asText();
  }

  /** The {@code dapr-api} Service: the operators. */
  String operatorAddress() {
    return service("dapr-api").path("address").asText();
  }

  /**
   * Every placement replica's own address, as daprd's {@code --placement-host-address} lists them on Kubernetes (the
   * headless Service's pods): daprd goes round them until the leader keeps its stream.
   */
  List<String> placementAddresses() {
    List<String> out = new ArrayList<>();
    service("dapr-placement-server").path("endpoints").forEach(e -> out.add(e.asText()));
    return out;
  }

  /** A scheduler Service once daprx has one (upstream's name), else empty. */
  Optional<String> schedulerService() {
    JsonNode s = service("dapr-scheduler-server-a");
    return s == null ? Optional.empty() : Optional.of(s.path("address").asText());
  }

  Path trustAnchorsFile() {
    return trustAnchorsFile;
  }

  String trustAnchorsPem() {
    try {
      return Files.readString(trustAnchorsFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The placement replica that answers {@code GET /placement/state} (followers answer 503), with its body. */
  Optional<Map.Entry<Pod, JsonNode>> placementLeader() {
    for (Pod p : pods()) {
      if (!p.component().equals("placement") || !p.ready() || !p.ports().containsKey("healthz")) {
        continue;
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.ports().get("healthz") + "/placement/state"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return Optional.of(Map.entry(p, DaprxCli.JSON.readTree(r.body())));
        }
      } catch (IOException e) {
        // down or restarting: ask the next
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return Optional.empty();
  }

  /** The names ("ip:port") of the hosts of an actor type in the leader's table, empty without a leader. */
  List<String> placementHosts(String namespace, String actorType) {
    return placementLeader().map(l -> {
      List<String> hosts = new ArrayList<>();
      for (JsonNode h : l.getValue().path("tables").path(namespace).path("hosts")) {
        for (JsonNode e : h.path("entities")) {
          if (e.asText().equals(actorType)) {
            hosts.add(h.path("name").asText());
          }
        }
      }
      return hosts;
    }).orElse(List.of());
  }

  /** {@code daprx placement lookup}: the host ("ip:port" of a daprd's internal gRPC) that owns an actor, as daprd's ring says. */
  String lookup(String namespace, String actorType, String actorId) {
    return cli.ok("placement", "lookup", "--actor-type", actorType, "--actor-id", actorId, "-n", namespace,
        "-g", RESOURCE_GROUP, "-c", NAME, "-o", "json").json().path("host").asText();
  }

  /** Each control-plane pod's log and the management server's, for failure reports. */
  List<LogSource> logs() {
    return logsOf(cli);
  }

  /**
   * The control-plane token the management server keeps for the cluster's {@code dapr-scheduler} replicas (renewed at half
   * its life): sentry signs that identity only with it. Empty when the install runs no scheduler.
   */
  java.util.Optional<Path> schedulerTokenFile() {
    Path clusters = cli.home().resolve("clusters");
    try (Stream<Path> dirs = Files.list(clusters)) {
      return dirs.map(d -> d.resolve("control-plane-identity").resolve("tokens").resolve(CONTROL_PLANE_NAMESPACE)
          .resolve("dapr-scheduler.jwt")).filter(Files::isRegularFile).findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + clusters + ": " + e.getMessage(), e);
    }
  }

  static List<LogSource> logsOf(DaprxCli cli) {
    List<LogSource> out = new ArrayList<>();
    out.add(LogSource.file("daprx server", cli.home().resolve("server.log")));
    Path clusters = cli.home().resolve("clusters");
    if (Files.isDirectory(clusters)) {
      try (Stream<Path> files = Files.walk(clusters, 3)) {
        files.filter(f -> f.getFileName().toString().endsWith(".log") && f.getParent().getFileName().toString().equals("logs"))
            .sorted().forEach(f -> out.add(LogSource.file(f.getFileName().toString().replaceAll("\\.log$", ""), f)));
      } catch (IOException e) {
        out.add(new LogSource("control-plane logs", () -> List.of("(cannot list " + clusters + ": " + e.getMessage() + ")")));
      }
    }
    return out;
  }

  /** Stops the server and every process of the cluster; kills any control-plane process left behind. */
  @Override
  public void close() {
    stop(cli);
  }

  static void stop(DaprxCli cli) {
    cli.run("server", "stop");
    // every control-plane process carries DAPRX_POD=<its log file>, under this home
    String marker = "DAPRX_POD=" + cli.home();
    ProcessHandle.allProcesses().filter(h -> {
      try {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "environ")), StandardCharsets.UTF_8).contains(marker);
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }).forEach(ProcessHandle::destroyForcibly);
  }
}
