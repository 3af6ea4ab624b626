package io.daprx.cli;

import io.daprx.common.runtime.ComponentFlags;
import io.daprx.injector.Injector;
import io.daprx.injector.InjectorOptions;
import io.daprx.injector.webhook.Requesters;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code daprx injector}: runs the sidecar injector webhook, with upstream's flag names and defaults. */
@Command(name = "injector", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run the sidecar injector: the mutating admission webhook that adds daprd to pods annotated dapr.io/enabled.")
final class InjectorCommand implements Callable<Integer> {

  @Option(names = ComponentFlags.PORT, defaultValue = "" + InjectorOptions.DEFAULT_PORT, description = "HTTPS port of POST /mutate (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = ComponentFlags.LISTEN_ADDRESS, defaultValue = "0.0.0.0", description = "address to listen on (default: ${DEFAULT-VALUE})")
  String listenAddress;

  @Option(names = ComponentFlags.HEALTHZ_PORT, defaultValue = "" + InjectorOptions.DEFAULT_HEALTHZ_PORT, description = "port of GET /healthz (default: ${DEFAULT-VALUE})")
  int healthzPort;

  @Option(names = ComponentFlags.METRICS_PORT, defaultValue = "" + InjectorOptions.DEFAULT_METRICS_PORT, description = "port of GET /metrics (default: ${DEFAULT-VALUE})")
  int metricsPort;

  @Option(names = "--enable-metrics", defaultValue = "true", arity = "0..1", fallbackValue = "true", description = "serve Prometheus metrics (default: ${DEFAULT-VALUE})")
  boolean enableMetrics;

  @Option(names = "--tls-cert-file", paramLabel = "FILE",
      description = "PEM serving certificate (chain), reloaded when it changes; default: a certificate from sentry")
  Path tlsCertFile;

  @Option(names = "--tls-key-file", paramLabel = "FILE", description = "PEM key of --tls-cert-file")
  Path tlsKeyFile;

  @Option(names = ComponentFlags.SENTRY_ADDRESS, defaultValue = InjectorOptions.DEFAULT_SENTRY_ADDRESS,
      description = "sentry's gRPC address, for the injector's serving certificate (default: ${DEFAULT-VALUE})")
  String sentryAddress;

  @Option(names = ComponentFlags.SENTRY_TOKEN_FILE, paramLabel = "FILE",
      description = "standalone mode: file of the JWT that proves this replica is the control plane (JWKS validator), read at"
          + " each certificate request; a local cluster's supervisor keeps it fresh. Without it no token is sent (insecure)")
  Path sentryTokenFile;

  @Option(names = ComponentFlags.TRUST_ANCHORS_FILE, paramLabel = "FILE", required = true,
      description = "PEM trust anchors (sentry's ca.crt): the sidecars' DAPR_TRUST_ANCHORS and, in kubernetes mode, the"
          + " webhook's caBundle; re-read when it changes")
  Path trustAnchorsFile;

  @Mixin
  SidecarFlags sidecar;

  @Option(names = "--allowed-service-accounts", split = ",", paramLabel = "NS:SA",
      description = "service accounts (namespace:name globs, * and ?) allowed to create injected pods besides the"
          + " workload controllers and system:masters; env ALLOWED_SERVICE_ACCOUNTS is honoured")
  List<String> allowedServiceAccounts = new ArrayList<>();

  @Option(names = "--webhook-configuration-name", defaultValue = InjectorOptions.DEFAULT_WEBHOOK_CONFIGURATION,
      description = "the MutatingWebhookConfiguration whose caBundle the injector keeps in kubernetes mode (default: ${DEFAULT-VALUE})")
  String webhookConfiguration;

  @Option(names = ComponentFlags.MODE, defaultValue = "standalone", converter = ModeConverter.class,
      description = "standalone or kubernetes: how the injector proves its identity to sentry, and whether it keeps the"
          + " webhook's caBundle (default: ${DEFAULT-VALUE})")
  InjectorOptions.Mode mode;

  @Mixin
  LogOptions log;

  @Override
  public Integer call() throws InterruptedException {
    log.configure();
    List<String> allowed = new ArrayList<>(allowedServiceAccounts);
    allowed.addAll(Requesters.parseList(System.getenv("ALLOWED_SERVICE_ACCOUNTS")));
    InjectorOptions options = new InjectorOptions(listenAddress, port, healthzPort, enableMetrics ? metricsPort : -1, tlsCertFile,
        tlsKeyFile, sentryAddress, trustAnchorsFile, mode, sidecar.settings(""), allowed, webhookConfiguration,
        Duration.ofSeconds(5), 0, sentryTokenFile);
    Requesters.of(allowed); // a malformed entry fails here, before anything listens
    Injector injector = new Injector(options, Clock.systemUTC()).start();
    return SentryCommand.runUntilStopped(injector);
  }

  static final class ModeConverter implements picocli.CommandLine.ITypeConverter<InjectorOptions.Mode> {
    @Override
    public InjectorOptions.Mode convert(String value) {
      return Main.conversion(() -> InjectorOptions.parseMode(value));
    }
  }
}
