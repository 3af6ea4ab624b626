package io.daprx.placement;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.daprx.common.runtime.DaemonThreads;
import io.daprx.common.pki.Pem;
import io.daprx.common.runtime.Endpoints;
import io.daprx.common.runtime.GrpcServers;
import io.daprx.common.runtime.Readiness;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SentryToken;
import io.daprx.common.svid.SvidClient;
import io.daprx.common.tls.PeerIdentity;
import io.daprx.common.tls.SvidSource;
import io.daprx.placement.dissemination.LoopSettings;
import io.daprx.placement.dissemination.Namespaces;
import io.daprx.placement.leader.Leadership;
import io.daprx.placement.metrics.PlacementMetrics;
import io.daprx.placement.server.PlacementService;
import io.daprx.proto.placement.v1.StatePlacementTables;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The placement component: options → constructor → {@link #start()} → {@link #close()}.
 *
 * <p>It owns its SVID (from sentry, when TLS is on), the gRPC server with the {@code Placement} service, the
 * namespace loops (on a small shared pool), the leadership of this replica and the health/metrics endpoints
 * (plus {@code GET /placement/state} when metadata is enabled).
 */
public final class Placement implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Placement.class);

  static {
    io.daprx.common.runtime.GrpcServers.quietClosedStreamWarnings();
  }

  private final PlacementOptions options;
  private final Clock clock;
  private final LeadershipFactory leadershipFactory;
  private final Function<ServerCredentials, ServerBuilder<?>> serverBuilder;
  private final Readiness readiness = new Readiness();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final PlacementMetrics metrics = new PlacementMetrics(registry);
  private ExecutorService loopPool;
  private ScheduledThreadPoolExecutor timer;
  private ExecutorService grpcExecutor;
  private SvidClient svid;
  private PlacementService service;
  private Server server;
  private Endpoints endpoints;
  private Leadership leadership;

  /**
   * Makes this replica's running {@link Leadership}; placement registers its listener and closes it.
   * Called in {@link #start()} after placement has its SVID, so an election between replicas can use it for mTLS.
   */
  @FunctionalInterface
  public interface LeadershipFactory {
    /** @param svid placement's own identity, renewed in place; null when TLS is off */
    Leadership create(PlacementOptions options, SvidSource svid);
  }

  /** A single replica: more than one {@code --initial-cluster} peer fails at start (no election plugged in). */
  public Placement(PlacementOptions options, Clock clock) {
    this(options, clock, o -> o.leadership(Placement::noReplicatedElection), null);
  }

  /**
   * @param leadershipFactory makes this replica's running {@link Leadership} from the options; placement closes it.
   *     Use {@code o -> o.leadership(ratisFactory)} for single-node below two peers and the election above.
   * @param serverBuilder builds the gRPC server from the credentials (tests: in-process); null = Netty on
   *     {@code options.port()} with the keepalive settings
   */
  public Placement(PlacementOptions options, Clock clock, Function<PlacementOptions, Leadership> leadershipFactory,
      Function<ServerCredentials, ServerBuilder<?>> serverBuilder) {
    this(options, clock, (o, svid) -> leadershipFactory.apply(o), serverBuilder);
  }

  /** As above, with a factory that also gets placement's SVID (for mTLS between replicas). */
  public Placement(PlacementOptions options, Clock clock, LeadershipFactory leadershipFactory,
      Function<ServerCredentials, ServerBuilder<?>> serverBuilder) {
    this.options = options;
    this.clock = clock;
    this.leadershipFactory = leadershipFactory;
    this.serverBuilder = serverBuilder;
  }

  private static Leadership noReplicatedElection(PlacementOptions o) {
    throw new IllegalStateException("--initial-cluster names " + o.initialCluster().size()
        + " replicas, but no replicated leader election is wired into this build; run one replica");
  }

  public Placement start() {
    readiness.declare("grpc");
    try {
      ServerCredentials creds = credentials();
      int cores = Runtime.getRuntime().availableProcessors();
      loopPool = Executors.newFixedThreadPool(Math.max(2, cores), DaemonThreads.named("placement-loop"));
      timer = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("placement-timer"));
      timer.setRemoveOnCancelPolicy(true); // a round cancels its deadline; thousands must not pile up
      grpcExecutor = Executors.newFixedThreadPool(Math.max(4, 2 * cores), DaemonThreads.named("placement-grpc"));
      LoopSettings settings = new LoopSettings(options.replicationFactor(), options.disseminateTimeout(),
          options.disseminateCoalesceWindow(), loopPool, timer, metrics, System::nanoTime);
      service = new PlacementService(options.id(), options.tlsEnabled(), metrics, () -> new Namespaces(settings));
      ServerBuilder<?> builder = serverBuilder != null ? serverBuilder.apply(creds) : netty(creds);
      server = builder.addService(ServerInterceptors.intercept(service.definition(), new PeerIdentity()))
          .build().start();
      readiness.set("grpc", true);
      endpoints = new Endpoints(options.listenAddress(), options.healthzPort(), options.metricsPort(), readiness, registry,
          () -> { }, stateRoute());
      leadership = leadershipFactory.create(options, svid);
      // the listener hears the current value first, then every change in order (the Leadership contract)
      leadership.onChange(service::leadership);
      LOG.info("placement {} serving on port {} (healthz {}, metrics {}), {}, replication factor {}, disseminate timeout {} ms,"
          + " coalesce window {} ms", options.id(), port(), endpoints.healthzPort(), endpoints.metricsPort(),
          options.tlsEnabled() ? "mTLS as " + options.spiffeId() : "plaintext", options.replicationFactor(),
          options.disseminateTimeout().toMillis(), options.disseminateCoalesceWindow().toMillis());
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot listen on " + options.listenAddress() + ":" + options.port() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private ServerCredentials credentials() {
    if (!options.tlsEnabled()) {
      LOG.warn("mTLS is disabled (--tls-enabled=false): sidecar identities are not checked and traffic is plaintext;"
          + " use this only for local development");
      return InsecureServerCredentials.create();
    }
    if (options.trustAnchorsFile() == null) {
      throw new IllegalArgumentException("--trust-anchors-file is required with mTLS (sentry's ca.crt);"
          + " pass --tls-enabled=false only for insecure local use");
    }
    List<X509Certificate> anchors = Pem.readCertificates(options.trustAnchorsFile(), "--trust-anchors-file");
    readiness.declare("svid");
    boolean kubernetes = options.mode() == PlacementOptions.Mode.KUBERNETES;
    SentryToken.Proof proof = SentryToken.proof(kubernetes, kubernetes ? PlacementOptions.KUBERNETES_TOKEN_FILE : options.sentryTokenFile());
    svid = SvidClient.connect(new SvidClient.Options(options.sentryAddress(), options.sentryId(), PlacementOptions.APP_ID,
        options.namespace(), options.trustDomain(), proof.validator(), proof.token(), null, null, 0), anchors, clock).start();
    readiness.set("svid", true);
    return io.daprx.common.tls.TlsCredentials.serverMtls(svid, clock);
  }


  private ServerBuilder<?> netty(ServerCredentials creds) {
    return GrpcServers.sidecarFacing(options.listenAddress(), options.port(), creds, GrpcServers.SMALL_MESSAGES)
        // failure detection: a sidecar that stops answering pings is gone within time + timeout
        .keepAliveTime(options.keepaliveTime().toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(options.keepaliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .executor(grpcExecutor);
  }

  /** {@code GET /placement/state} on the healthz port, as upstream serves it, unless metadata is turned off. */
  private java.util.Map<String, Endpoints.Route> stateRoute() {
    if (!options.metadataEnabled()) {
      return java.util.Map.of();
    }
    return java.util.Map.of("/placement/state", () -> {
      try {
        StatePlacementTables state = service.state().get(5, TimeUnit.SECONDS);
        return Endpoints.Response.json(200, JsonFormat.printer().print(state));
      } catch (ExecutionException e) {
        Status s = e.getCause() instanceof StatusRuntimeException sre ? sre.getStatus() : Status.INTERNAL;
        return Endpoints.Response.text(s.getCode() == Status.Code.FAILED_PRECONDITION ? 503 : 500, String.valueOf(s.getDescription()));
      } catch (TimeoutException | InvalidProtocolBufferException e) {
        return Endpoints.Response.text(500, "placement state unavailable: " + e.getMessage());
      }
    });
  }

  /** The gRPC port actually bound (useful with port 0). */
  public int port() {
    return server.getPort();
  }

  public int healthzPort() {
    return endpoints.healthzPort();
  }

  public int metricsPort() {
    return endpoints.metricsPort();
  }

  public SpiffeId spiffeId() {
    return options.spiffeId();
  }

  public boolean isLeader() {
    return service != null && service.isLeader();
  }

  /** Every namespace's table as {@code GET /placement/state} shows them; fails on a follower. */
  public StatePlacementTables state() {
    try {
      return service.state().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("namespace loops did not answer within 5 s", e);
    }
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public PlacementMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    if (service != null) {
      try {
        // streams get UNAVAILABLE before the server stops, so sidecars go to another replica at once
        service.shutdown().get(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        LOG.warn("closing sidecar streams took longer than 2 s: {}", e.toString());
      }
    }
    io.daprx.common.runtime.GrpcServers.stop(server, java.time.Duration.ofSeconds(5));
    if (leadership != null) {
      leadership.close();
    }
    if (endpoints != null) {
      endpoints.close();
    }
    if (svid != null) {
      svid.close();
    }
    for (ExecutorService e : new ExecutorService[] {loopPool, timer, grpcExecutor}) {
      if (e != null) {
        e.shutdownNow();
      }
    }
  }
}
