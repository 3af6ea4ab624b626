package io.daprx.injector;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.injector.patch.SidecarSettings;
import io.daprx.injector.webhook.WebhookServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Every setting of the injector, typed, with upstream's names and defaults (see {@link #defaults()}).
 *
 * @param port HTTPS port of {@code POST /mutate}
 * @param metricsPort -1 disables the metrics endpoint
 * @param tlsCertFile with {@code tlsKeyFile}: serve this certificate (reloaded when the files change) instead of
 *     one from sentry
 * @param sentryAddress sentry's gRPC address, for the injector's own serving certificate
 * @param trustAnchorsFile PEM trust anchors (sentry's {@code ca.crt}): verify sentry, {@code DAPR_TRUST_ANCHORS} of
 *     every sidecar and, in kubernetes mode, the webhook's {@code caBundle}; re-read when it changes
 * @param mode how the injector proves its identity to sentry, and whether it keeps the caBundle (kubernetes)
 * @param sidecar what goes into every sidecar; its trust anchors are filled from {@code trustAnchorsFile}
 * @param allowedServiceAccounts {@code namespace:name} globs allowed to create injected pods, beyond the built-in ones
 * @param webhookConfiguration the MutatingWebhookConfiguration whose caBundle the injector keeps
 * @param anchorsCheckInterval how often the anchors file is checked for changes (and the caBundle re-asserted)
 * @param maxBodyBytes larger AdmissionReview bodies get HTTP 400
 * @param sentryTokenFile standalone mode: the file of the JWT its supervisor keeps fresh, shown to sentry with the JWKS
 *     validator; null = no token (INSECURE), as upstream's standalone mode
 */
public record InjectorOptions(
    String listenAddress,
    int port,
    int healthzPort,
    int metricsPort,
    Path tlsCertFile,
    Path tlsKeyFile,
    String sentryAddress,
    Path trustAnchorsFile,
    Mode mode,
    SidecarSettings sidecar,
    List<String> allowedServiceAccounts,
    String webhookConfiguration,
    Duration anchorsCheckInterval,
    int maxBodyBytes,
    Path sentryTokenFile) {

  public enum Mode { STANDALONE, KUBERNETES }

  public static final int DEFAULT_PORT = 4000;
  public static final int DEFAULT_HEALTHZ_PORT = 8080;
  public static final int DEFAULT_METRICS_PORT = 9090;
  public static final String DEFAULT_SENTRY_ADDRESS = "localhost:50001";
  public static final String DEFAULT_WEBHOOK_CONFIGURATION = "dapr-sidecar-injector";
  public static final Duration DEFAULT_ANCHORS_CHECK_INTERVAL = Duration.ofSeconds(5);
  /** The app id in the injector's SVID; sentry adds the DNS SAN {@code dapr-sidecar-injector.<ns>.svc} for it. */
  public static final String APP_ID = "dapr-injector";
  /** Where Kubernetes mounts the projected token the injector shows sentry. */
  public static final Path KUBERNETES_TOKEN_FILE = io.daprx.common.svid.SentryToken.KUBERNETES_FILE;

  public InjectorOptions {
    if ((tlsCertFile == null) != (tlsKeyFile == null)) {
      throw new IllegalArgumentException("--tls-cert-file and --tls-key-file go together: give both, or neither to get the"
          + " serving certificate from sentry");
    }
    SpiffeId.requireValidTrustDomain(sidecar.controlPlaneTrustDomain());
    SpiffeId.requireValidNamespace(sidecar.controlPlaneNamespace());
    allowedServiceAccounts = List.copyOf(allowedServiceAccounts);
    mode = mode == null ? Mode.STANDALONE : mode;
    anchorsCheckInterval = anchorsCheckInterval == null ? DEFAULT_ANCHORS_CHECK_INTERVAL : anchorsCheckInterval;
    if (anchorsCheckInterval.isNegative() || anchorsCheckInterval.isZero()) {
      throw new IllegalArgumentException("the trust anchors check interval must be positive, e.g. 5s");
    }
    maxBodyBytes = maxBodyBytes <= 0 ? WebhookServer.DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
  }

  /** Upstream's defaults with this sidecar image; a trust anchors file must still be given. */
  public static InjectorOptions defaults(String sidecarImage) {
    return new InjectorOptions("0.0.0.0", DEFAULT_PORT, DEFAULT_HEALTHZ_PORT, DEFAULT_METRICS_PORT, null, null,
        DEFAULT_SENTRY_ADDRESS, null, Mode.STANDALONE, SidecarSettings.defaults(sidecarImage, ""), List.of(), DEFAULT_WEBHOOK_CONFIGURATION,
        DEFAULT_ANCHORS_CHECK_INTERVAL, 0, null);
  }

  public static Mode parseMode(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "standalone" -> Mode.STANDALONE;
      case "kubernetes" -> Mode.KUBERNETES;
      default -> throw new IllegalArgumentException("invalid --mode '" + text + "': use standalone or kubernetes");
    };
  }

  public String namespace() {
    return sidecar.controlPlaneNamespace();
  }

  public String trustDomain() {
    return sidecar.controlPlaneTrustDomain();
  }

  /** The injector's own identity: {@code spiffe://<trust domain>/ns/<namespace>/dapr-injector}. */
  public SpiffeId spiffeId() {
    return SpiffeId.of(trustDomain(), namespace(), APP_ID);
  }

  public SpiffeId sentryId() {
    return SpiffeId.of(trustDomain(), namespace(), "dapr-sentry");
  }

  /** The name the API server dials: {@code dapr-sidecar-injector.<namespace>.svc}. */
  public String serviceDnsName() {
    return "dapr-sidecar-injector." + namespace() + ".svc";
  }

  public boolean servesFromFiles() {
    return tlsCertFile != null;
  }

  public InjectorOptions withPorts(int port, int healthzPort, int metricsPort) {
    return new InjectorOptions(listenAddress, port, healthzPort, metricsPort, tlsCertFile, tlsKeyFile, sentryAddress,
        trustAnchorsFile, mode, sidecar, allowedServiceAccounts, webhookConfiguration, anchorsCheckInterval, maxBodyBytes, sentryTokenFile);
  }

  public InjectorOptions withListenAddress(String address) {
    return new InjectorOptions(address, port, healthzPort, metricsPort, tlsCertFile, tlsKeyFile, sentryAddress,
        trustAnchorsFile, mode, sidecar, allowedServiceAccounts, webhookConfiguration, anchorsCheckInterval, maxBodyBytes, sentryTokenFile);
  }

  /** Serving certificate from sentry at this address, verified with these anchors. */
  public InjectorOptions withSentry(String address, Path anchors) {
    return new InjectorOptions(listenAddress, port, healthzPort, metricsPort, null, null, address, anchors, mode, sidecar,
        allowedServiceAccounts, webhookConfiguration, anchorsCheckInterval, maxBodyBytes, sentryTokenFile);
  }

  /** Serving certificate from these PEM files; the anchors still go into sidecars. */
  public InjectorOptions withTlsFiles(Path cert, Path key, Path anchors) {
    return new InjectorOptions(listenAddress, port, healthzPort, metricsPort, cert, key, sentryAddress, anchors, mode, sidecar,
        allowedServiceAccounts, webhookConfiguration, anchorsCheckInterval, maxBodyBytes, sentryTokenFile);
  }

  public InjectorOptions withMode(Mode m) {
    return new InjectorOptions(listenAddress, port, healthzPort, metricsPort, tlsCertFile, tlsKeyFile, sentryAddress,
        trustAnchorsFile, m, sidecar, allowedServiceAccounts, webhookConfiguration, anchorsCheckInterval, maxBodyBytes, sentryTokenFile);
  }

  public InjectorOptions withAllowedServiceAccounts(List<String> globs) {
    return new InjectorOptions(listenAddress, port, healthzPort, metricsPort, tlsCertFile, tlsKeyFile, sentryAddress,
        trustAnchorsFile, mode, sidecar, globs, webhookConfiguration, anchorsCheckInterval, maxBodyBytes, sentryTokenFile);
  }

  public InjectorOptions withAnchorsCheckInterval(Duration interval) {
    return new InjectorOptions(listenAddress, port, healthzPort, metricsPort, tlsCertFile, tlsKeyFile, sentryAddress,
        trustAnchorsFile, mode, sidecar, allowedServiceAccounts, webhookConfiguration, interval, maxBodyBytes, sentryTokenFile);
  }

  /** The JWT file shown to sentry in standalone mode (null: no token). */
  public InjectorOptions withSentryTokenFile(Path token) {
    return new InjectorOptions(listenAddress, port, healthzPort, metricsPort, tlsCertFile, tlsKeyFile, sentryAddress,
        trustAnchorsFile, mode, sidecar, allowedServiceAccounts, webhookConfiguration, anchorsCheckInterval, maxBodyBytes, token);
  }
}
