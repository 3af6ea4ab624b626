package io.daprx.injector;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.runtime.Endpoints;
import io.daprx.common.runtime.Readiness;
import io.daprx.common.svid.SentryToken;
import io.daprx.common.svid.SvidClient;
import io.daprx.common.tls.SvidSource;
import io.daprx.injector.patch.SidecarSettings;
import io.daprx.injector.tls.PemFileIdentity;
import io.daprx.injector.tls.ServingTls;
import io.daprx.injector.webhook.AdmissionWebhook;
import io.daprx.injector.webhook.InjectorMetrics;
import io.daprx.injector.webhook.Requesters;
import io.daprx.injector.webhook.WebhookServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The injector component: options → constructor → {@link #start()} → {@link #close()}.
 *
 * <p>It owns its serving certificate (from sentry, renewed in place, or from PEM files), the HTTPS webhook server,
 * the health/metrics endpoints, a timer that re-reads the trust anchors file and, in kubernetes mode, the
 * MutatingWebhookConfiguration's caBundle.
 */
public final class Injector implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Injector.class);
  /** Every this many anchor checks the caBundle is re-asserted even without a change (someone may have reset it). */
  private static final int REASSERT_EVERY_CHECKS = 12;

  private final InjectorOptions options;
  private final Clock clock;
  private final Supplier<KubernetesClient> kubernetes;
  private final Readiness readiness = new Readiness();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final InjectorMetrics metrics = new InjectorMetrics(registry);
  private final AtomicReference<SidecarSettings> settings = new AtomicReference<>();
  private SvidClient svid;
  private SvidSource identity;
  private WebhookServer server;
  private Endpoints endpoints;
  private ScheduledExecutorService timer;
  private KubernetesClient kube;
  private CaBundleSync caBundle;
  private String anchorsPem;
  private boolean caBundleDirty;
  private long checks;

  /** In kubernetes mode the API client comes from the in-cluster configuration (or kubeconfig). */
  public Injector(InjectorOptions options, Clock clock) {
    this(options, clock, () -> new io.fabric8.kubernetes.client.KubernetesClientBuilder().build());
  }

  /** @param kubernetes the API client for the caBundle, used in kubernetes mode only (tests: the mock server's) */
  public Injector(InjectorOptions options, Clock clock, Supplier<KubernetesClient> kubernetes) {
    this.options = options;
    this.clock = clock;
    this.kubernetes = kubernetes;
  }

  public Injector start() {
    readiness.declare("webhook");
    try {
      anchorsPem = readAnchors();
      settings.set(options.sidecar().withTrustAnchors(anchorsPem));
      identity = servingIdentity();
      AdmissionWebhook webhook = new AdmissionWebhook(settings::get, Requesters.of(options.allowedServiceAccounts()), metrics);
      server = new WebhookServer(options.listenAddress(), options.port(), ServingTls.context(identity), webhook,
          options.maxBodyBytes()).start();
      readiness.set("webhook", true);
      // all threads busy with work waiting: admissions are late, so say so instead of 204 (issue 20 finding 3)
      WebhookServer serving = server;
      readiness.watch("webhook-capacity", () -> !serving.saturated());
      endpoints = new Endpoints(options.listenAddress(), options.healthzPort(), options.metricsPort(), readiness, registry);
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "injector-anchors");
        t.setDaemon(true);
        return t;
      });
      if (options.mode() == InjectorOptions.Mode.KUBERNETES) {
        kube = kubernetes.get();
        caBundle = new CaBundleSync(kube, options.webhookConfiguration(), clock);
        caBundle.desired(anchorsPem);
        caBundleDirty = true;
      }
      long every = options.anchorsCheckInterval().toMillis();
      timer.scheduleWithFixedDelay(this::checkAnchors, caBundle != null ? 0 : every, every, TimeUnit.MILLISECONDS);
      LOG.info("injector serving POST /mutate on https://{}:{} (healthz {}, metrics {}), certificate {}, {} mode, sidecar image {}",
          options.listenAddress(), server.port(), endpoints.healthzPort(), endpoints.metricsPort(),
          options.servesFromFiles() ? "from " + options.tlsCertFile() : "from sentry as " + options.spiffeId(),
          options.mode().name().toLowerCase(java.util.Locale.ROOT), options.sidecar().sidecarImage());
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private String readAnchors() {
    if (options.trustAnchorsFile() == null) {
      throw new IllegalArgumentException("--trust-anchors-file is required: the PEM trust anchors (sentry's ca.crt) that every"
          + " sidecar gets as DAPR_TRUST_ANCHORS; `daprx mtls export` writes them");
    }
    String pem;
    try {
      pem = Files.readString(options.trustAnchorsFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --trust-anchors-file " + options.trustAnchorsFile() + ": " + e.getMessage(), e);
    }
    if (Pem.parseCertificates(pem).isEmpty()) {
      throw new IllegalArgumentException("--trust-anchors-file " + options.trustAnchorsFile() + " holds no CERTIFICATE");
    }
    return pem;
  }

  private SvidSource servingIdentity() {
    if (options.servesFromFiles()) {
      return new PemFileIdentity(options.tlsCertFile(), options.tlsKeyFile(), clock, Duration.ofSeconds(1));
    }
    readiness.declare("svid");
    boolean k8s = options.mode() == InjectorOptions.Mode.KUBERNETES;
    SentryToken.Proof proof = SentryToken.proof(k8s, k8s ? InjectorOptions.KUBERNETES_TOKEN_FILE : options.sentryTokenFile());
    svid = SvidClient.connect(new SvidClient.Options(options.sentryAddress(), options.sentryId(), InjectorOptions.APP_ID,
        options.namespace(), options.trustDomain(), proof.validator(), proof.token(), KeyAlgorithm.EC_P256, null, 0),
        Pem.parseCertificates(anchorsPem), clock).start();
    readiness.set("svid", true);
    return svid;
  }


  /** On the timer: adopt changed anchors, and keep the caBundle current (retrying until the object exists). */
  private void checkAnchors() {
    try {
      String pem = Files.readString(options.trustAnchorsFile());
      if (!pem.equals(anchorsPem)) {
        if (Pem.parseCertificates(pem).isEmpty()) {
          LOG.warn("trust anchors file {} changed but holds no CERTIFICATE; keeping the previous anchors", options.trustAnchorsFile());
        } else {
          anchorsPem = pem;
          settings.set(settings.get().withTrustAnchors(pem));
          LOG.info("trust anchors changed in {}: new sidecars get them{}", options.trustAnchorsFile(),
              caBundle != null ? ", and the webhook's caBundle follows" : "");
          if (caBundle != null) {
            caBundle.desired(pem);
            caBundleDirty = true;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot re-read trust anchors file {}: {}; keeping the previous anchors", options.trustAnchorsFile(), e.toString());
    }
    if (caBundle != null && (caBundleDirty || ++checks % REASSERT_EVERY_CHECKS == 0)) {
      caBundleDirty = !caBundle.sync();
    }
  }

  /** The HTTPS port actually bound (useful with port 0). */
  public int port() {
    return server.port();
  }

  public int healthzPort() {
    return endpoints.healthzPort();
  }

  public int metricsPort() {
    return endpoints.metricsPort();
  }

  /** The settings new sidecars get now (trust anchors included). */
  public SidecarSettings sidecarSettings() {
    return settings.get();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public InjectorMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
    if (endpoints != null) {
      endpoints.close();
    }
    if (svid != null) {
      svid.close();
    }
    if (kube != null) {
      kube.close();
    }
  }
}
