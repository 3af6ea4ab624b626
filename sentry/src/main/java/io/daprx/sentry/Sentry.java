package io.daprx.sentry;

import io.daprx.common.pki.CryptoProviders;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.runtime.Endpoints;
import io.daprx.common.runtime.GrpcServers;
import io.daprx.common.runtime.Readiness;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.RenewalPolicy;
import io.daprx.common.tls.Svid;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.common.trust.BundleStore;
import io.daprx.common.trust.FileBundleStore;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.sentry.ca.CaHolder;
import io.daprx.sentry.ca.ExpiryCheck;
import io.daprx.sentry.ca.IssuancePolicy;
import io.daprx.sentry.ca.IssuedCertificate;
import io.daprx.sentry.ca.KubernetesBundleStore;
import io.daprx.sentry.ca.KubernetesJwtKeyStore;
import io.daprx.sentry.jwt.FileJwtKeyStore;
import io.daprx.sentry.jwt.JwtIssuer;
import io.daprx.sentry.jwt.JwtKeyHolder;
import io.daprx.sentry.jwt.JwtKeyStore;
import io.daprx.sentry.jwt.OidcServer;
import io.daprx.sentry.ca.Signer;
import io.daprx.sentry.config.SystemConfigurationWatch;
import io.daprx.sentry.server.CaService;
import io.daprx.sentry.server.SentryMetrics;
import io.daprx.sentry.validator.ControlPlaneGuard;
import io.daprx.sentry.validator.InsecureValidator;
import io.daprx.sentry.validator.JwksValidator;
import io.daprx.sentry.validator.KubernetesValidator;
import io.daprx.sentry.validator.Validator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sentry component: options → constructor → {@link #start()} → {@link #close()}.
 *
 * <p>It owns the CA ({@link CaHolder}), the issuance policy (the flags' TTL and skew; in Kubernetes mode the
 * {@link SystemConfigurationWatch} over them), its own serving SVID (signed by that CA, renewed at half-life and
 * whenever the CA changes), the gRPC server and the health/metrics endpoints.
 */
public final class Sentry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Sentry.class);
  // a reachable API server answers in milliseconds; an unreachable one should not hold the CA back, the flags serve meanwhile
  private static final Duration CONFIGURATION_FIRST_READ = Duration.ofSeconds(3);

  private final SentryOptions options;
  private final Clock clock;
  private final Function<ServerCredentials, ServerBuilder<?>> serverBuilder;
  private final Readiness readiness = new Readiness();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "sentry-maintenance");
    t.setDaemon(true);
    return t;
  });
  private KubernetesClient kubernetes;
  private boolean ownsKubernetes;
  private CaHolder ca;
  private Supplier<IssuancePolicy> policy;
  private SystemConfigurationWatch configuration;
  private Signer signer;
  private SentryMetrics metrics;
  private volatile Svid ownSvid;
  private Server server;
  private java.util.concurrent.ExecutorService handlers;
  private Endpoints endpoints;
  private JwtKeyHolder jwtKeys;
  private OidcServer oidc;

  public Sentry(SentryOptions options, Clock clock) {
    this(options, clock, null, null);
  }

  /**
   * @param serverBuilder builds the gRPC server from the TLS credentials; null = Netty on {@code options.port()}
   * @param kubernetes the client for Kubernetes mode; null = one from the environment (in-cluster or kubeconfig)
   */
  public Sentry(SentryOptions options, Clock clock, Function<ServerCredentials, ServerBuilder<?>> serverBuilder, KubernetesClient kubernetes) {
    this.options = options;
    this.clock = clock;
    this.serverBuilder = serverBuilder;
    this.kubernetes = kubernetes;
  }

  public SpiffeId spiffeId() {
    return SpiffeId.of(options.trustDomain(), options.namespace(), "dapr-sentry");
  }

  public Sentry start() {
    readiness.declare("ca");
    readiness.declare("grpc");
    String provider = CryptoProviders.init(options.cryptoProvider());
    try {
      BundleStore store = store();
      ca = CaHolder.open(store, formerCa(store), options.trustDomain(), options.namespace(), clock, b -> onCaChanged());
      readiness.set("ca", true);
      policy = issuancePolicySource();
      signer = new Signer(ca, clock);
      metrics = new SentryMetrics(registry, ca, provider);
      issueOwnSvid();
      JwtIssuer jwt = null;
      if (options.jwt().enabled()) {
        jwtKeys = JwtKeyHolder.open(jwtStore(), options.jwt());
        jwt = new JwtIssuer(jwtKeys, options.jwt(), clock);
      }
      // upstream names the scheduler replicas under the control-plane trust domain (in Kubernetes mode it asks DNS for
      // the cluster domain first, which is the same on a default cluster)
      CaService service = new CaService(signer, validators(), options.defaultValidator(), policy, options.namespace(),
          options.trustDomain(), metrics, jwt);
      ServerCredentials creds = TlsCredentials.serverTls(() -> ownSvid);
      ServerBuilder<?> builder = serverBuilder != null ? serverBuilder.apply(creds)
          : GrpcServers.sidecarFacing(options.listenAddress(), options.port(), creds, GrpcServers.SMALL_MESSAGES);
      // one handler thread per core: gRPC's default unbounded pool let 64 handlers contend for 2 cores
      handlers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
        Thread t = new Thread(r, "sentry-sign");
        t.setDaemon(true);
        return t;
      });
      server = builder.executor(handlers).addService(service).build().start();
      readiness.set("grpc", true);
      if (options.oidc().enabled()) {
        readiness.declare("oidc");
        oidc = new OidcServer(options.oidc(), jwtKeys, options.jwt().issuer()).start();
        readiness.set("oidc", true);
      }
      endpoints = new Endpoints(options.listenAddress(), options.healthzPort(), options.metricsPort(), readiness, registry);
      scheduler.scheduleWithFixedDelay(this::maintain, options.caPollInterval().toMillis(), options.caPollInterval().toMillis(), TimeUnit.MILLISECONDS);
      warnExpiry();
      LOG.info("sentry {} serving on port {} (healthz {}, metrics {}), validators {}, crypto {}, certificates with {}", spiffeId(),
          port(), endpoints.healthzPort(), endpoints.metricsPort(), options.effectiveValidators()
          + (options.controlPlaneJwks() == null ? "" : " (control-plane identities only with a token of " + options.controlPlaneJwks() + ")"),
          provider, policy.get());
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot listen on " + options.listenAddress() + ":" + options.port() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** What shows that a CA existed even if the store is empty now (then sentry must not make a new one). */
  private java.util.Optional<String> formerCa(BundleStore store) {
    if (options.requireExistingCa()) {
      return java.util.Optional.of("the installer made it before starting sentry: " + SentryFlags.REQUIRE_EXISTING_CA);
    }
    return store instanceof KubernetesBundleStore k ? k.publishedAnchors() : java.util.Optional.empty();
  }

  /** The JWT signing key lives beside the CA, under upstream's file (Secret key) names. */
  private JwtKeyStore jwtStore() {
    if (options.mode() == SentryOptions.Mode.STANDALONE) {
      return new FileJwtKeyStore(options.issuerCredentials(), options.jwt().keyFilename(), options.jwt().jwksFilename());
    }
    return new KubernetesJwtKeyStore(kubernetes(), options.namespace(), options.jwt().keyFilename(), options.jwt().jwksFilename());
  }

  private BundleStore store() {
    if (options.mode() == SentryOptions.Mode.STANDALONE) {
      return new FileBundleStore(options.issuerCredentials());
    }
    return new KubernetesBundleStore(kubernetes(), options.namespace());
  }

  /**
   * Standalone mode issues with the flags' values; Kubernetes mode with the Configuration named by {@code --config}
   * over them, as upstream does, and follows its changes.
   */
  private Supplier<IssuancePolicy> issuancePolicySource() {
    IssuancePolicy flags = options.issuancePolicy();
    if (options.mode() == SentryOptions.Mode.STANDALONE) {
      return () -> flags;
    }
    configuration = SystemConfigurationWatch.start(kubernetes(), options.namespace(), options.configName(), flags,
        CONFIGURATION_FIRST_READ);
    return configuration;
  }

  private KubernetesClient kubernetes() {
    if (kubernetes == null) {
      // daprd gives sentry 3 s per signing try: fail fast instead of fabric8's long default retries
      io.fabric8.kubernetes.client.Config config = io.fabric8.kubernetes.client.Config.autoConfigure(null);
      config.setRequestRetryBackoffLimit(1);
      config.setRequestTimeout(3_000);
      config.setConnectionTimeout(2_000);
      kubernetes = new KubernetesClientBuilder().withConfig(config).build();
      ownsKubernetes = true;
    }
    return kubernetes;
  }

  private Map<TokenValidator, Validator> validators() {
    Map<TokenValidator, Validator> out = new EnumMap<>(TokenValidator.class);
    for (TokenValidator tv : options.effectiveValidators()) {
      out.put(tv, switch (tv) {
        case INSECURE -> new InsecureValidator();
        case KUBERNETES -> new KubernetesValidator(kubernetes(), spiffeId(), options.namespace(), options.trustDomain());
        case JWKS -> {
          if (options.jwksSource() == null) {
            throw new IllegalArgumentException("the JWKS validator needs --jwks-source FILE|URL");
          }
          yield new JwksValidator(options.jwksSource(), spiffeId(), clock);
        }
        default -> throw new IllegalArgumentException("unknown token validator " + tv);
      });
    }
    if (options.controlPlaneJwks() != null) {
      Validator controlPlane = new JwksValidator(options.controlPlaneJwks().toString(), spiffeId(), clock);
      // the replicas name JWKS, as daprd does with a token file; where JWKS is not enabled for apps it takes only those tokens
      out.putIfAbsent(TokenValidator.JWKS, controlPlane);
      out.replaceAll((tv, v) -> new ControlPlaneGuard(controlPlane, v, options.namespace(), options.trustDomain()));
    }
    return out;
  }

  /** Sentry's serving SVID comes straight from its own signer: there is nobody to ask. */
  private void issueOwnSvid() {
    KeyPair keys = KeyAlgorithm.EC_P256.generate();
    String ns = options.namespace();
    IssuedCertificate cert = signer.sign(keys.getPublic(), spiffeId(),
        List.of("dapr-sentry", "dapr-sentry." + ns + ".svc", "dapr-sentry." + ns + ".svc.cluster.local", "localhost"),
        policy.get());
    List<java.security.cert.X509Certificate> chain = io.daprx.common.pki.Pem.parseCertificates(cert.chainPem());
    ownSvid = new Svid(keys.getPrivate(), chain, ca.get().trustAnchors());
  }

  private void onCaChanged() {
    metrics.issuerChanged();
    issueOwnSvid();
  }

  private void maintain() {
    try {
      ca.reloadIfChanged();
      if (jwtKeys != null) {
        jwtKeys.reloadIfChanged();
      }
      Svid s = ownSvid;
      if (!clock.instant().isBefore(RenewalPolicy.renewAt(s.notBefore(), s.notAfter()))) {
        issueOwnSvid();
      }
      warnExpiryHourly();
    } catch (RuntimeException e) {
      LOG.warn("sentry maintenance failed: {}", e.toString());
    }
  }

  private long lastExpiryWarning;

  private void warnExpiryHourly() {
    long hour = clock.millis() / Duration.ofHours(1).toMillis();
    if (hour != lastExpiryWarning) {
      warnExpiry();
    }
  }

  private void warnExpiry() {
    lastExpiryWarning = clock.millis() / Duration.ofHours(1).toMillis();
    for (String w : ExpiryCheck.warnings(ca.get(), clock.instant(), options.expiryWarning())) {
      LOG.warn(w);
    }
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

  /** The port of the OIDC discovery server (useful with port 0); -1 when it is off. */
  public int oidcPort() {
    return oidc == null ? -1 : oidc.port();
  }

  /** The JWT signing key in use; null when JWT issuing is off. */
  public JwtKeyHolder jwtKeys() {
    return jwtKeys;
  }

  public CaHolder ca() {
    return ca;
  }

  /** The TTL and clock skew the next certificate is signed with. */
  public IssuancePolicy issuancePolicy() {
    return policy.get();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    if (oidc != null) {
      oidc.close();
    }
    if (endpoints != null) {
      endpoints.close();
    }
    io.daprx.common.runtime.GrpcServers.stop(server, java.time.Duration.ofSeconds(5));
    if (handlers != null) {
      handlers.shutdownNow();
    }
    if (configuration != null) {
      configuration.close();
    }
    if (ownsKubernetes && kubernetes != null) {
      kubernetes.close();
    }
  }
}
