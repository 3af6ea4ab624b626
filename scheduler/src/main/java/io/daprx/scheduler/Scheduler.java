package io.daprx.scheduler;

import io.daprx.common.pki.Pem;
import io.daprx.common.runtime.DaemonThreads;
import io.daprx.common.runtime.Endpoints;
import io.daprx.common.runtime.GrpcServers;
import io.daprx.common.runtime.Readiness;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SentryToken;
import io.daprx.common.svid.SvidClient;
import io.daprx.common.tls.PeerIdentity;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.common.tls.SpiffeTrustManager;
import io.daprx.common.tls.SvidKeyManager;
import io.daprx.scheduler.delivery.Ownership;
import io.daprx.scheduler.delivery.TriggerEvent;
import io.daprx.scheduler.delivery.TriggerLoop;
import io.daprx.proto.scheduler.admin.v1.Replica;
import io.daprx.scheduler.job.InMemoryJobStore;
import io.daprx.scheduler.job.JobStore;
import io.daprx.scheduler.kube.NamespaceCleanup;
import io.daprx.scheduler.metrics.SchedulerMetrics;
import io.daprx.scheduler.server.AdminService;
import io.daprx.scheduler.server.HostsWatch;
import io.daprx.scheduler.server.SchedulerService;
import io.daprx.scheduler.store.ReplicaOptions;
import io.daprx.scheduler.store.ReplicatedJobStore;
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
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler component: options → constructor → {@link #start()} → {@link #close()}.
 *
 * <p>It owns its SVID ({@code dapr-scheduler}, from sentry, when TLS is on), the job store (in memory for one replica
 * without a data directory, else replicated with Ratis over {@code --etcd-initial-cluster} and kept on disk), the
 * trigger loop (the jobs of this replica's share), the gRPC server with the {@code Scheduler} service and the
 * health/metrics endpoints.
 */
public final class Scheduler implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  static {
    GrpcServers.quietClosedStreamWarnings();
  }

  private final SchedulerOptions options;
  private final Clock clock;
  private final Function<ServerCredentials, ServerBuilder<?>> serverBuilder;
  private final Readiness readiness = new Readiness();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final SchedulerMetrics metrics = new SchedulerMetrics(registry);
  private JobStore store;
  private ReplicatedJobStore replicated;
  private KubernetesClient kubernetes;
  private NamespaceCleanup namespaces;
  private Path temporaryData;
  private ExecutorService grpcExecutor;
  private SvidClient svid;
  private TriggerLoop loop;
  private HostsWatch hosts;
  private Server server;
  private Endpoints endpoints;

  /** Netty on {@code options.port()}. */
  public Scheduler(SchedulerOptions options, Clock clock) {
    this(options, clock, null);
  }

  /**
   * @param serverBuilder builds the gRPC server from the credentials (tests: in-process); null = Netty on
   *     {@code options.port()} with keepalive and message-size settings daprd needs
   */
  public Scheduler(SchedulerOptions options, Clock clock, Function<ServerCredentials, ServerBuilder<?>> serverBuilder) {
    this.options = options;
    this.clock = clock;
    this.serverBuilder = serverBuilder;
  }

  public Scheduler start() {
    readiness.declare("grpc");
    try {
      ServerCredentials creds = credentials();
      // a write to the replicated store holds its rpc's thread until the log commits it (a few ms): enough threads
      // that sidecars' writes are committed together in the log's batches, not one after another
      int threads = options.replicated() ? 64 : Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
      grpcExecutor = Executors.newFixedThreadPool(threads, DaemonThreads.named("scheduler-grpc"));
      hosts = new HostsWatch(List.of());
      if (options.replicated()) {
        startReplicated();
      } else {
        store = new InMemoryJobStore();
        loop = new TriggerLoop(store, clock, metrics).start();
      }
      SchedulerService service = new SchedulerService(store, loop, hosts, options.tlsEnabled(), PeerIdentity::current, metrics,
          clock, options.maxJobBytes());
      ServerBuilder<?> builder = serverBuilder != null ? serverBuilder.apply(creds) : netty(creds);
      metrics.storedJobs(store::count);
      if (options.mode() == SchedulerOptions.Mode.KUBERNETES) {
        kubernetes = new KubernetesClientBuilder().build();
        namespaces = new NamespaceCleanup(kubernetes, store).start();
      }
      server = builder.addService(ServerInterceptors.intercept(service, new PeerIdentity()))
          .addService(ServerInterceptors.intercept(AdminService.of(options, store, loop, this::replicas, metrics, clock),
              new PeerIdentity()))
          .build().start();
      if (replicated != null) {
        replicated.announce(broadcastAddress()); // WatchHosts lists it once the log records it among the live
      } else {
        hosts.update(List.of(broadcastAddress()));
      }
      readiness.set("grpc", true);
      endpoints = new Endpoints(options.listenAddress(), options.healthzPort(), options.metricsPort(), readiness, registry);
      LOG.info("scheduler {} serving on port {} (healthz {}, metrics {}), {}, broadcasting {}, jobs {}", options.id(),
          port(), endpoints.healthzPort(), endpoints.metricsPort(),
          options.tlsEnabled() ? "mTLS as " + options.spiffeId() : "plaintext", broadcastAddress(),
          replicated == null ? "in memory" : "replicated over " + options.peers().keySet());
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
   * The Ratis store, then a trigger loop that triggers nothing until the log names this replica live; each change
   * of the live replicas re-splits the jobs and updates WatchHosts.
   */
  private void startReplicated() throws IOException {
    Path data = options.dataDir();
    if (data == null) {
      temporaryData = Files.createTempDirectory("daprx-scheduler-");
      data = temporaryData;
      LOG.warn("no --etcd-data-dir: the replicas keep their jobs in {}, removed when this one stops; jobs survive the loss"
          + " of a replica, not a restart of all of them", data);
    }
    String bindHost = bindHost(options.peers().get(options.id()).getHostString(), options.listenAddress());
    ReplicaOptions replica = svid == null
        ? new ReplicaOptions(options.id(), options.peers(), data, bindHost, options.maxJobBytes(), null, null)
        : new ReplicaOptions(options.id(), options.peers(), data, bindHost, options.maxJobBytes(), new SvidKeyManager(svid),
            // replicas accept only each other: the scheduler's own SPIFFE ID
            SpiffeTrustManager.expecting(() -> svid.current().trustAnchors(), options.spiffeId(), clock));
    replicated = ReplicatedJobStore.start(replica);
    store = replicated;
    loop = new TriggerLoop(store, clock, metrics, Ownership.NONE).start();
    replicated.watchMembership(m -> {
      loop.post(new TriggerEvent.Assigned(Ownership.of(m.live(), options.id()), false));
      hosts.update(m.liveAddresses());
    });
    replicated.onReload(() -> loop.post(new TriggerEvent.Assigned(Ownership.of(replicated.membership().live(), options.id()),
        true)));
  }

  /**
   * Where the Raft port listens: on loopback when the replica is addressed there (a local cluster), else on the
   * gRPC listen address when that is a concrete one, else everywhere (a DNS name may only resolve once the pod is
   * ready, a Service IP is not an interface).
   */
  static String bindHost(String peerHost, String listenAddress) {
    String h = peerHost.toLowerCase();
    if (h.equals("localhost") || h.startsWith("127.") || h.equals("::1")) {
      return peerHost;
    }
    return listenAddress.equals("0.0.0.0") || listenAddress.equals("::") ? null : listenAddress;
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
    boolean kubernetes = options.mode() == SchedulerOptions.Mode.KUBERNETES;
    SentryToken.Proof proof = SentryToken.proof(kubernetes, kubernetes ? SentryToken.KUBERNETES_FILE : options.sentryTokenFile());
    svid = SvidClient.connect(new SvidClient.Options(options.sentryAddress(), options.sentryId(), SchedulerOptions.APP_ID,
        options.namespace(), options.trustDomain(), proof.validator(), proof.token(), null, null, 0), anchors, clock).start();
    readiness.set("svid", true);
    return TlsCredentials.serverMtls(svid, clock);
  }

  private ServerBuilder<?> netty(ServerCredentials creds) {
    // daprd sends messages up to 2 GiB here (workflow payloads ride in reminder data); jobs are capped separately
    return GrpcServers.sidecarFacing(options.listenAddress(), options.port(), creds, GrpcServers.LARGE_MESSAGES)
        .keepAliveTime(options.keepaliveTime().toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(options.keepaliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .executor(grpcExecutor);
  }

  /** What WatchHosts announces: the override, a concrete listen address, or this machine's address. */
  public String broadcastAddress() {
    String fallback;
    try {
      fallback = InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      fallback = "127.0.0.1";
    }
    return options.broadcastAddress(port(), fallback);
  }

  /** The gRPC port actually bound (useful with port 0); -1 for an in-process server. */
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

  /** Every replica the store knows as live (just this one without replication), for the admin API's status. */
  private List<Replica> replicas() {
    if (replicated == null) {
      return List.of(Replica.newBuilder().setId(options.id()).setAddress(broadcastAddress()).setOwnedJobs(-1).build());
    }
    var m = replicated.membership();
    return m.live().stream().map(id -> Replica.newBuilder().setId(id).setAddress(m.addresses().getOrDefault(id, ""))
        .setOwnedJobs(-1).build()).toList();
  }

  public JobStore store() {
    return store;
  }

  public TriggerLoop triggers() {
    return loop;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    if (namespaces != null) {
      namespaces.close();
    }
    if (kubernetes != null) {
      kubernetes.close();
    }
    if (hosts != null) {
      hosts.close();
    }
    if (loop != null) {
      loop.close(); // streams get UNAVAILABLE before the server stops, so sidecars move on at once
    }
    GrpcServers.stop(server, Duration.ofSeconds(5));
    if (replicated != null) {
      replicated.close();
    }
    if (temporaryData != null) {
      deleteQuietly(temporaryData);
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

  private static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("could not remove {}: {}", dir, e.toString());
    }
  }
}
