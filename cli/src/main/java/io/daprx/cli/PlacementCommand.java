package io.daprx.cli;

import io.daprx.common.runtime.ComponentFlags;
import io.daprx.placement.PlacementFlags;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.daprx.cli.commands.ClusterOptions;
import io.daprx.common.tls.SpiffeTrustManager;
import io.daprx.common.tls.SvidKeyManager;
import io.daprx.common.tls.SvidSource;
import io.daprx.placement.Placement;
import io.daprx.placement.PlacementOptions;
import io.daprx.placement.leader.Leadership;
import io.daprx.placement.leader.RatisLeadership;
import io.daprx.placement.leader.RatisOptions;
import io.daprx.common.placement.PlacementLookup;
import io.daprx.common.placement.PlacementState;
import io.daprx.proto.placement.v1.StatePlacementTables;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code daprx placement}: runs the actor placement service, with Dapr's flag names and defaults. */
@Command(name = "placement", mixinStandardHelpOptions = true, sortOptions = false,
    subcommands = PlacementCommand.Lookup.class,
    description = "Run placement, which keeps the actor placement table of each namespace and disseminates it to sidecars.")
final class PlacementCommand implements Callable<Integer> {

  @Option(names = PlacementFlags.ID, defaultValue = PlacementOptions.DEFAULT_ID, description = "this replica's id (default: ${DEFAULT-VALUE})")
  String id;

  @Option(names = PlacementFlags.INITIAL_CLUSTER, defaultValue = PlacementOptions.DEFAULT_INITIAL_CLUSTER, paramLabel = "ID=HOST:PORT,...",
      description = "the replicas and their peer (raft) addresses (default: ${DEFAULT-VALUE})")
  String initialCluster;

  @Option(names = ComponentFlags.PORT, defaultValue = "" + PlacementOptions.DEFAULT_PORT, description = "gRPC port for sidecars (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = ComponentFlags.LISTEN_ADDRESS, defaultValue = "0.0.0.0", description = "address to listen on (default: ${DEFAULT-VALUE})")
  String listenAddress;

  @Option(names = ComponentFlags.HEALTHZ_PORT, defaultValue = "" + PlacementOptions.DEFAULT_HEALTHZ_PORT,
      description = "port of GET /healthz and GET /placement/state (default: ${DEFAULT-VALUE})")
  int healthzPort;

  @Option(names = ComponentFlags.METRICS_PORT, defaultValue = "" + PlacementOptions.DEFAULT_METRICS_PORT, description = "port of GET /metrics (default: ${DEFAULT-VALUE})")
  int metricsPort;

  @Option(names = "--enable-metrics", defaultValue = "true", arity = "0..1", fallbackValue = "true", description = "serve Prometheus metrics (default: ${DEFAULT-VALUE})")
  boolean enableMetrics;

  @Option(names = {"--replication-factor", "--replicationFactor"}, defaultValue = "" + PlacementOptions.DEFAULT_REPLICATION_FACTOR,
      description = "virtual nodes per host on the hash ring (default: ${DEFAULT-VALUE})")
  long replicationFactor;

  @Option(names = "--disseminate-timeout", defaultValue = "8s",
      description = "how long a sidecar may take to ack one phase of a table update before it is disconnected (default: ${DEFAULT-VALUE})")
  Duration disseminateTimeout;

  @Option(names = PlacementFlags.DISSEMINATE_COALESCE_WINDOW, defaultValue = "0s",
      description = "after a table update, how long to collect further joins and leaves of a namespace before one update"
          + " carries them all; 0 updates at once. 100ms-250ms helps when many sidecars restart together (default: ${DEFAULT-VALUE})")
  Duration disseminateCoalesceWindow;

  @Option(names = "--keepalive-time", defaultValue = "2s", description = "gRPC keepalive ping interval (default: ${DEFAULT-VALUE})")
  Duration keepaliveTime;

  @Option(names = "--keepalive-timeout", defaultValue = "3s", description = "gRPC keepalive ping timeout (default: ${DEFAULT-VALUE})")
  Duration keepaliveTimeout;

  @Option(names = PlacementFlags.METADATA_ENABLED, defaultValue = "false", arity = "0..1", fallbackValue = "true",
      description = "serve the tables at GET /placement/state on the healthz port (default: ${DEFAULT-VALUE})")
  boolean metadataEnabled;

  @Option(names = PlacementFlags.TLS_ENABLED, defaultValue = "true", arity = "0..1", fallbackValue = "true",
      description = "mTLS with sidecars; --tls-enabled=false only for insecure local use (default: ${DEFAULT-VALUE})")
  boolean tlsEnabled;

  @Option(names = ComponentFlags.SENTRY_ADDRESS, defaultValue = PlacementOptions.DEFAULT_SENTRY_ADDRESS,
      description = "sentry's gRPC address, for placement's certificate (default: ${DEFAULT-VALUE})")
  String sentryAddress;

  @Option(names = ComponentFlags.SENTRY_TOKEN_FILE, paramLabel = "FILE",
      description = "standalone mode: file of the JWT that proves this replica is the control plane (JWKS validator), read at"
          + " each certificate request; a local cluster's supervisor keeps it fresh. Without it no token is sent (insecure)")
  Path sentryTokenFile;

  @Option(names = ComponentFlags.TRUST_ANCHORS_FILE, paramLabel = "FILE", description = "PEM trust anchors (sentry's ca.crt); required with mTLS")
  Path trustAnchorsFile;

  @Option(names = ComponentFlags.TRUST_DOMAIN, defaultValue = PlacementOptions.DEFAULT_TRUST_DOMAIN,
      description = "trust domain of the control plane (default: ${DEFAULT-VALUE})")
  String trustDomain;

  @Option(names = ComponentFlags.NAMESPACE, defaultValue = "${env:NAMESPACE:-" + PlacementOptions.DEFAULT_NAMESPACE + "}",
      description = "namespace of the control plane; env NAMESPACE is honoured (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = ComponentFlags.MODE, defaultValue = "standalone", converter = ModeConverter.class,
      description = "standalone or kubernetes: how placement proves its identity to sentry (default: ${DEFAULT-VALUE})")
  PlacementOptions.Mode mode;

  @Mixin
  LogOptions log;

  @Option(names = PlacementFlags.RAFT_LOGSTORE_PATH, paramLabel = "DIR",
      description = "where the leader election keeps its term and vote (default: a directory under the system's temp directory)")
  Path raftLogstorePath;

  @Override
  public Integer call() throws InterruptedException {
    log.configure();
    PlacementOptions options = new PlacementOptions(id, listenAddress, port, healthzPort, enableMetrics ? metricsPort : -1,
        PlacementOptions.parseInitialCluster(initialCluster), replicationFactor, disseminateTimeout,
        disseminateCoalesceWindow, keepaliveTime, keepaliveTimeout, metadataEnabled, tlsEnabled, sentryAddress, trustAnchorsFile,
        trustDomain, namespace, mode, sentryTokenFile);
    Path raftDir = raftLogstorePath != null ? raftLogstorePath : Path.of(System.getProperty("java.io.tmpdir"), "daprx-placement-raft", id);
    Placement placement = new Placement(options, Clock.systemUTC(), (o, svid) -> o.leadership(x -> election(x, svid, raftDir)), null).start();
    return SentryCommand.runUntilStopped(placement);
  }

  /**
   * The Ratis election among the replicas of {@code --initial-cluster}; with TLS, peers authenticate each
   * other as {@code dapr-placement} with the SVID placement got from sentry.
   */
  static Leadership election(PlacementOptions o, SvidSource svid, Path storageDir) {
    Map<String, java.net.InetSocketAddress> peers = RatisOptions.parseInitialCluster(
        o.initialCluster().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(",")));
    RatisOptions ratis = svid == null
        ? RatisOptions.plaintext(o.id(), peers, storageDir)
        : new RatisOptions(o.id(), peers, storageDir, new SvidKeyManager(svid),
            SpiffeTrustManager.expecting(() -> svid.current().trustAnchors(), o.spiffeId(), Clock.systemUTC()));
    return RatisLeadership.start(ratis);
  }

  static final class ModeConverter implements picocli.CommandLine.ITypeConverter<PlacementOptions.Mode> {
    @Override
    public PlacementOptions.Mode convert(String value) {
      return Main.conversion(() -> PlacementOptions.parseMode(value));
    }
  }

  /** {@code daprx placement lookup}: which host owns an actor, computed like daprd from the leader's state. */
  @Command(name = "lookup", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Show the host that owns an actor, from a placement server's GET /placement/state.",
          "The server must run with --metadata-enabled; ask the leader."})
  static final class Lookup extends io.daprx.cli.commands.ClientCommand implements Callable<Integer> {

    @Option(names = "--actor-type", required = true, paramLabel = "TYPE", description = "the actor type")
    String actorType;

    @Option(names = "--actor-id", required = true, paramLabel = "ID", description = "the actor id")
    String actorId;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "the sidecars' namespace (default: ${DEFAULT-VALUE})")
    String namespace;

    @Option(names = "--address", paramLabel = "HOST:PORT",
        description = "placement's healthz address (default: the leader among the current local cluster's placement replicas)")
    String address;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--replication-factor", defaultValue = "" + PlacementOptions.DEFAULT_REPLICATION_FACTOR,
        description = "the server's --replication-factor (default: ${DEFAULT-VALUE})")
    long replicationFactor;

    @Override
    public Integer call() throws IOException, InterruptedException {
      PlacementLookup.Owner owner = PlacementLookup.lookup(address != null ? fetchState(address) : fromCluster(), namespace,
          actorType, actorId, replicationFactor);
      print(owner.toJson());
      return 0;
    }

    /** Asks each placement replica of the local cluster; only the leader answers with the tables. */
    private StatePlacementTables fromCluster() throws IOException, InterruptedException {
      String path = clusterPath(cluster) + "/pods?namespace=dapr-system";
      java.util.List<String> tried = new java.util.ArrayList<>();
      for (com.fasterxml.jackson.databind.JsonNode pod : items(api().get(path).body())) {
        if (pod.path("component").asText().equals("placement") && pod.path("ports").has("healthz")) {
          String a = "127.0.0.1:" + pod.path("ports").path("healthz").asInt();
          tried.add(pod.path("name").asText());
          try {
            return fetchState(a);
          } catch (IllegalStateException notLeader) {
            debug(pod.path("name").asText() + ": " + notLeader.getMessage());
          }
        }
      }
      throw new IllegalStateException(tried.isEmpty() ? "the cluster has no placement replicas; install the Dapr extension first"
          : "no placement replica answered as the leader (tried " + String.join(", ", tried) + "); retry in a few seconds");
    }

    private static StatePlacementTables fetchState(String address) throws InterruptedException {
      return new PlacementState(Duration.ofSeconds(10)).fetch(address);
    }
  }
}
