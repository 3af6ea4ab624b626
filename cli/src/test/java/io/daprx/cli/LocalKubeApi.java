package io.daprx.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.api.ApiTls;
import io.daprx.manager.api.ManagementApi;
import io.daprx.manager.engine.ClusterResources;
import io.daprx.manager.engine.ClusterWorkloads;
import io.daprx.manager.engine.Clusters;
import io.daprx.manager.engine.Extensions;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.JdbcStore;
import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * The management API of one local cluster with the Dapr extension installed, on a real loopback port serving TLS and
 * plain HTTP as the server does, with a real SQLite store and resources directory. Its pods are fixed views (what the
 * supervisor reports: one ready sentry, one crash-looping placement replica whose log shows a restart), so no control
 * plane has to start.
 */
final class LocalKubeApi implements AutoCloseable {

  static final String SUB = "00000000-0000-0000-0000-0000000000aa";
  static final String TOKEN = "admin-token-" + "a".repeat(40);
  static final String READER = "reader-token-" + "r".repeat(40);
  static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final Path home;
  final Path sentryLog;
  final Path placementLog;
  /** Whether the sentry pod reports ready: a test flips it to see a watch report the change. */
  volatile boolean sentryReady = true;
  /** The loopback port of a dapr-dashboard Service and its one pod, or null for none; and whether that pod is ready. */
  volatile Integer dashboardPort;
  volatile boolean dashboardReady;
  private final JdbcStore store;
  private final Javalin app;

  LocalKubeApi(Path dir) throws Exception {
    this.dir = dir;
    store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("daprx.db"), null, null, Clock.systemUTC());
    Clusters clusters = new Clusters(store, SUB, dir.resolve("clusters"), 40000);
    clusters.putResourceGroup("rg", null);
    clusters.createManaged("rg", "c1", null);
    Doc cluster = clusters.clusterDoc("rg", "managedclusters", "c1");
    store.create(cluster.id() + "/providers/Microsoft.KubernetesConfiguration/extensions/dapr", Extensions.KIND, cluster.id(),
        JSON.createObjectNode().put("name", "dapr"));
    sentryLog = Files.writeString(dir.resolve("dapr-sentry-0.log"), "line one\nline two\nline three\n");
    placementLog = Files.writeString(dir.resolve("dapr-placement-server-1.log"), """
        2026-12-07T11:00:01.000Z INFO  [Placement] first run
        2026-12-07T11:00:02.000Z ERROR [Placement] first run failed
        --- restarted (exit code 1) at 2026-12-07T11:00:03Z ---
        2026-12-07T11:50:00.000Z INFO  [Placement] second run
        --- restarted (exit code 1) at 2026-12-07T11:55:00Z ---
        2026-12-07T11:55:01.000Z INFO  [Placement] third run starts
        2026-12-07T11:59:30.000Z INFO  [Placement] third run, half a minute ago
        """);
    ClusterResources resources = new ClusterResources(store, Clock.systemUTC());
    ApiTls tls = ApiTls.loadOrCreate(dir.resolve("api-tls"), Clock.systemUTC());
    ManagementApi api = new ManagementApi(SUB, TOKEN, READER, null, clusters, null, null, resources, null, null)
        .withKubernetesApi(Clock.fixed(NOW, ZoneOffset.UTC), new FixedPods(), tls);
    app = Javalin.create(c -> {
      c.showJavalinBanner = false;
      c.jetty.addConnector((server, http) -> tls.connector(server, http, "127.0.0.1", 0));
    });
    api.install(app);
    app.start();
    home = Files.createDirectories(dir.resolve("home"));
    Files.writeString(home.resolve("reader-token"), READER);
  }

  /** What a CLI run needs to reach this API as the given cluster's user. */
  Map<String, String> env() {
    return Map.of("DAPRX_HOME", home.toString(), "DAPRX_ENDPOINT", "http://127.0.0.1:" + app.port(), "DAPRX_TOKEN", TOKEN,
        "HOME", dir.toString());
  }

  @Override
  public void close() {
    app.stop();
    store.close();
  }

  final class FixedPods implements ClusterWorkloads {
    @Override
    public ArrayNode pods(Doc cluster, String namespace) {
      ArrayNode a = JSON.createArrayNode();
      if (namespace == null || namespace.equals("dapr-system")) {
        pod(a.addObject(), "dapr-sentry-0", "sentry", sentryReady, "Running", 0, "2026-12-07T11:55:00Z");
        pod(a.addObject(), "dapr-placement-server-1", "placement", false, "CrashLoopBackOff", 3, "2026-12-07T11:00:00Z")
            .put("lastExitReason", "exit code 1");
        if (dashboardPort != null) {
          pod(a.addObject(), "dapr-dashboard-0", "dashboard", dashboardReady, dashboardReady ? "Running" : "Pending", 0, "2026-12-07T11:55:00Z");
        }
      }
      return a;
    }

    private ObjectNode pod(ObjectNode o, String name, String component, boolean ready, String status, int restarts, String created) {
      o.put("name", name).put("namespace", "dapr-system").put("component", component).put("ready", ready ? "1/1" : "0/1")
          .put("status", status).put("restarts", restarts).put("createdAt", created).put("version", "1.18.2").put("pid", 4242);
      o.putObject("ports").put("grpc", 50001);
      return o;
    }

    @Override
    public ArrayNode services(Doc cluster, String namespace) {
      ArrayNode a = JSON.createArrayNode();
      if (namespace != null && !namespace.equals("dapr-system")) {
        return a;
      }
      a.addObject().put("name", "dapr-api").put("namespace", "dapr-system").put("type", "ClusterIP")
          .put("createdAt", "2026-12-07T11:00:00Z").put("address", "127.0.0.1:40001")
          .put("port", 40001).putArray("endpoints");
      Integer port = dashboardPort;
      if (port != null) {
        ArrayNode eps = a.addObject().put("name", "dapr-dashboard").put("namespace", "dapr-system").put("type", "ClusterIP")
            .put("address", "127.0.0.1:" + port).put("port", port).putArray("endpoints");
        if (dashboardReady) {
          eps.add("127.0.0.1:" + port);
        }
      }
      return a;
    }

    @Override
    public Path logFile(Doc cluster, String namespace, String pod) {
      return switch (pod) {
        case "dapr-sentry-0" -> sentryLog;
        case "dapr-placement-server-1" -> placementLog;
        default -> throw DomainException.notFound("PodNotFound", "pods \"" + pod + "\" not found");
      };
    }
  }
}
