package io.daprx.operator;

import io.daprx.common.runtime.DaemonThreads;
import io.daprx.common.pki.Pem;
import io.daprx.common.runtime.Endpoints;
import io.daprx.common.runtime.GrpcServers;
import io.daprx.common.runtime.Readiness;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SentryToken;
import io.daprx.common.svid.SvidClient;
import io.daprx.common.tls.PeerIdentity;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.operator.cache.ResourceCache;
import io.daprx.operator.kubernetes.CrdInformers;
import io.daprx.operator.kubernetes.DaprServiceController;
import io.daprx.operator.kubernetes.KubernetesSecrets;
import io.daprx.operator.kubernetes.OperatorLeadership;
import io.daprx.operator.metrics.OperatorMetrics;
import io.daprx.operator.resources.SecretResolver;
import io.daprx.operator.server.OperatorService;
import io.daprx.operator.standalone.DirectorySource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator component: options → constructor → {@link #start()} → {@link #close()}.
 *
 * <p>It owns its SVID (from sentry, when TLS is on), the resource cache, the source that feeds it (a directory in
 * standalone mode, informers on the dapr.io CRDs in kubernetes mode), the gRPC server with the {@code Operator}
 * service (on every replica), the {@code <app-id>-dapr} Service controller (kubernetes mode, leader only) and the
 * health/metrics endpoints.
 */
public final class Operator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Operator.class);

  static {
    io.daprx.common.runtime.GrpcServers.quietClosedStreamWarnings();
  }

  private final OperatorOptions options;
  private final Clock clock;
  // the last reason /healthz failed for the resources (Kubernetes mode), so each change is logged once
  private static final String STARTING = "starting";
  private final AtomicReference<String> resourcesProblem = new AtomicReference<>(STARTING);
  private final KubernetesClient givenClient;
  private final Function<ServerCredentials, ServerBuilder<?>> serverBuilder;
  private final Readiness readiness = new Readiness();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final OperatorMetrics metrics = new OperatorMetrics(registry);
  private final ResourceCache cache = new ResourceCache();
  private KubernetesClient client;
  private ExecutorService grpcExecutor;
  private SvidClient svid;
  private DirectorySource directory;
  private CrdInformers informers;
  private OperatorLeadership leadership;
  private Server server;
  private Endpoints endpoints;

  /** Standalone, or kubernetes with a client from the environment (in-cluster config or kubeconfig). */
  public Operator(OperatorOptions options, Clock clock) {
    this(options, clock, null, null);
  }

  /**
   * @param client kubernetes mode's API client (tests: the mock server's); null = from the environment. Not closed here
   *     when given.
   * @param serverBuilder builds the gRPC server from the credentials (tests: in-process); null = Netty on
   *     {@code options.port()}
   */
  public Operator(OperatorOptions options, Clock clock, KubernetesClient client,
      Function<ServerCredentials, ServerBuilder<?>> serverBuilder) {
    this.options = options;
    this.clock = clock;
    this.givenClient = client;
    this.serverBuilder = serverBuilder;
  }

  public Operator start() {
    readiness.declare("grpc");
    readiness.declare("resources");
    try {
      ServerCredentials creds = credentials();
      int cores = Runtime.getRuntime().availableProcessors();
      grpcExecutor = Executors.newFixedThreadPool(Math.max(4, 2 * cores), DaemonThreads.named("operator-grpc"));
      SecretResolver secrets = SecretResolver.NONE;
      if (options.mode() == OperatorOptions.Mode.KUBERNETES) {
        client = givenClient != null ? givenClient : new KubernetesClientBuilder().build();
        secrets = new KubernetesSecrets(client);
        informers = new CrdInformers(client, cache, secrets).start(clock.instant());
      } else {
        directory = new DirectorySource(options.resourcesPath(), cache, options.resourcesPollInterval(), metrics).start();
        readiness.set("resources", true);
      }
      OperatorService service = new OperatorService(options.tlsEnabled(), cache, secrets, metrics, options.streamQueueLimit(),
          grpcExecutor);
      ServerBuilder<?> builder = serverBuilder != null ? serverBuilder.apply(creds) : netty(creds);
      server = builder.addService(ServerInterceptors.intercept(service, new PeerIdentity())).build().start();
      readiness.set("grpc", true);
      endpoints = new Endpoints(options.listenAddress(), options.healthzPort(), options.metricsPort(), readiness, registry,
          this::syncedYet, java.util.Map.of());
      if (client != null) {
        KubernetesClient c = client;
        leadership = new OperatorLeadership(client, options.namespace(), options.id(), options.leaseDuration(),
            () -> new DaprServiceController(c).start()).start();
      }
      LOG.info("operator {} serving on port {} (healthz {}, metrics {}), {}, {} mode", options.id(), port(),
          endpoints.healthzPort(), endpoints.metricsPort(),
          options.tlsEnabled() ? "mTLS as " + options.spiffeId() : "plaintext", options.mode().name().toLowerCase(java.util.Locale.ROOT));
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot listen on " + options.listenAddress() + ":" + options.port() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Kubernetes mode is ready once every informer has its first list: before that, lists would be incomplete.
   * Standalone mode is healthy while its directory is followed: a dead watcher would serve a stale set for ever.
   */
  private void syncedYet() {
    if (informers != null) {
      String problem = informers.problem(clock.instant());
      readiness.set("resources", problem == null);
      // the first lists at start-up are expected, not news: only a change after that is logged, once
      String before = resourcesProblem.get();
      if (problem == null) {
        resourcesProblem.set(null);
        if (before != null && !STARTING.equals(before)) {
          LOG.info("resources followed again");
        }
      } else if (before == null || (!STARTING.equals(before) && !problem.equals(before))) {
        resourcesProblem.set(problem);
        LOG.warn("not ready: {}", problem);
      }
    }
    if (directory != null) {
      readiness.set("resources", directory.problem() == null);
    }
  }

  private ServerCredentials credentials() {
    if (!options.tlsEnabled()) {
      LOG.warn("mTLS is disabled (--tls-enabled=false): callers are anonymous and traffic is plaintext; the requested"
          + " namespace is served without scoped resources and without secret values. Use this only for local development");
      return InsecureServerCredentials.create();
    }
    if (options.trustAnchorsFile() == null) {
      throw new IllegalArgumentException("--trust-anchors-file is required with mTLS (sentry's ca.crt);"
          + " pass --tls-enabled=false only for insecure local use");
    }
    List<X509Certificate> anchors = Pem.readCertificates(options.trustAnchorsFile(), "--trust-anchors-file");
    readiness.declare("svid");
    SentryToken.Proof proof = SentryToken.proof(options.mode() == OperatorOptions.Mode.KUBERNETES, options.sentryTokenFile());
    svid = SvidClient.connect(new SvidClient.Options(options.sentryAddress(), options.sentryId(), OperatorOptions.APP_ID,
        options.namespace(), options.trustDomain(), proof.validator(), proof.token(), null, null, 0), anchors, clock).start();
    readiness.set("svid", true);
    return TlsCredentials.serverMtls(svid, clock);
  }


  private ServerBuilder<?> netty(ServerCredentials creds) {
    return GrpcServers.sidecarFacing(options.listenAddress(), options.port(), creds, GrpcServers.SMALL_MESSAGES)
        // sidecars hold their streams for days: find dead ones
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .executor(grpcExecutor);
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

  /** Whether every part is ready, as {@code GET /healthz} says. */
  public boolean ready() {
    syncedYet();
    return readiness.ready();
  }

  /** Kubernetes mode: whether this replica runs the Service controller. */
  public boolean isLeader() {
    return leadership != null && leadership.isLeader();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public OperatorMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    if (leadership != null) {
      leadership.close();
    }
    // streams get UNAVAILABLE before the server stops, so sidecars go to another replica at once
    cache.close();
    GrpcServers.stop(server, Duration.ofSeconds(5));
    if (directory != null) {
      directory.close();
    }
    if (informers != null) {
      informers.close();
    }
    if (client != null && givenClient == null) {
      client.close();
    }
    if (endpoints != null) {
      endpoints.close();
    }
    if (svid != null) {
      svid.close();
    }
    if (grpcExecutor != null) {
      grpcExecutor.shutdownNow();
    }
  }
}
