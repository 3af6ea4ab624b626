package io.daprx.cli;

import io.daprx.common.runtime.ComponentFlags;
import io.daprx.operator.OperatorFlags;
import io.daprx.operator.Operator;
import io.daprx.operator.OperatorOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code daprx operator}: serves Dapr resources to sidecars and keeps the {@code <app-id>-dapr} Services. */
@Command(name = "operator", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run the operator, which serves Components, Configurations, Subscriptions, Resiliencies, HTTPEndpoints, MCPServers"
        + " and WorkflowAccessPolicies to"
        + " sidecars: from the dapr.io CRDs (kubernetes mode, plus the <app-id>-dapr Services on the leader) or from a"
        + " directory of YAML files (standalone mode)."})
final class OperatorCommand implements Callable<Integer> {

  @Option(names = ComponentFlags.MODE, defaultValue = "standalone", converter = ModeConverter.class,
      description = "standalone (resources from --resources-path) or kubernetes (the dapr.io CRDs) (default: ${DEFAULT-VALUE})")
  OperatorOptions.Mode mode;

  @Option(names = OperatorFlags.RESOURCES_PATH, paramLabel = "DIR", description = "standalone: the directory of resource YAML files (*.yaml, *.yml)")
  Path resourcesPath;

  @Option(names = "--resources-poll-interval", defaultValue = "2s",
      description = "standalone: re-read the directory this often when no change was signalled (default: ${DEFAULT-VALUE})")
  Duration resourcesPollInterval;

  @Option(names = ComponentFlags.PORT, defaultValue = "" + OperatorOptions.DEFAULT_PORT, description = "gRPC port for sidecars (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = ComponentFlags.LISTEN_ADDRESS, defaultValue = "0.0.0.0", description = "address to listen on (default: ${DEFAULT-VALUE})")
  String listenAddress;

  @Option(names = ComponentFlags.HEALTHZ_PORT, defaultValue = "" + OperatorOptions.DEFAULT_HEALTHZ_PORT, description = "port of GET /healthz (default: ${DEFAULT-VALUE})")
  int healthzPort;

  @Option(names = ComponentFlags.METRICS_PORT, defaultValue = "" + OperatorOptions.DEFAULT_METRICS_PORT, description = "port of GET /metrics (default: ${DEFAULT-VALUE})")
  int metricsPort;

  @Option(names = "--enable-metrics", defaultValue = "true", arity = "0..1", fallbackValue = "true", description = "serve Prometheus metrics (default: ${DEFAULT-VALUE})")
  boolean enableMetrics;

  @Option(names = "--tls-enabled", defaultValue = "true", arity = "0..1", fallbackValue = "true",
      description = {"mTLS with sidecars (default: ${DEFAULT-VALUE}). --tls-enabled=false is for insecure local use only:",
          "callers are anonymous, get the requested namespace without scoped resources and without secret values"})
  boolean tlsEnabled;

  @Option(names = ComponentFlags.SENTRY_ADDRESS, defaultValue = OperatorOptions.DEFAULT_SENTRY_ADDRESS,
      description = "sentry's gRPC address, for the operator's certificate (default: ${DEFAULT-VALUE})")
  String sentryAddress;

  @Option(names = ComponentFlags.SENTRY_TOKEN_FILE, paramLabel = "FILE",
      description = "standalone mode: file of the JWT that proves this replica is the control plane (JWKS validator), read at"
          + " each certificate request; a local cluster's supervisor keeps it fresh. Without it no token is sent (insecure)")
  Path sentryTokenFile;

  @Option(names = ComponentFlags.TRUST_ANCHORS_FILE, paramLabel = "FILE", description = "PEM trust anchors (sentry's ca.crt); required with mTLS")
  Path trustAnchorsFile;

  @Option(names = ComponentFlags.TRUST_DOMAIN, defaultValue = OperatorOptions.DEFAULT_TRUST_DOMAIN,
      description = "trust domain of the control plane (default: ${DEFAULT-VALUE})")
  String trustDomain;

  @Option(names = ComponentFlags.NAMESPACE, defaultValue = "${env:NAMESPACE:-" + OperatorOptions.DEFAULT_NAMESPACE + "}",
      description = "namespace of the control plane (and of the leader Lease); env NAMESPACE is honoured (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = "--id", defaultValue = "${env:POD_NAME:-${env:HOSTNAME:-dapr-operator}}",
      description = "this replica's name in the leader Lease (default: ${DEFAULT-VALUE})")
  String id;

  @Option(names = "--stream-queue-limit", defaultValue = "" + OperatorOptions.DEFAULT_STREAM_QUEUE_LIMIT,
      description = "events an update stream may lag behind before it is closed (RESOURCE_EXHAUSTED; daprd reconnects and lists again) (default: ${DEFAULT-VALUE})")
  int streamQueueLimit;

  @Option(names = "--lease-duration", defaultValue = "15s", description = "kubernetes: the leader Lease's duration (default: ${DEFAULT-VALUE})")
  Duration leaseDuration;

  @Mixin
  LogOptions log;

  @Override
  public Integer call() throws InterruptedException {
    log.configure();
    boolean kubernetes = mode == OperatorOptions.Mode.KUBERNETES;
    OperatorOptions options = new OperatorOptions(id, listenAddress, port, healthzPort, enableMetrics ? metricsPort : -1, tlsEnabled,
        sentryAddress, trustAnchorsFile, trustDomain, namespace, mode, resourcesPath, resourcesPollInterval, streamQueueLimit,
        leaseDuration, kubernetes ? OperatorOptions.KUBERNETES_TOKEN_FILE : sentryTokenFile);
    return SentryCommand.runUntilStopped(new Operator(options, Clock.systemUTC()).start());
  }

  static final class ModeConverter implements picocli.CommandLine.ITypeConverter<OperatorOptions.Mode> {
    @Override
    public OperatorOptions.Mode convert(String value) {
      return Main.conversion(() -> OperatorOptions.parseMode(value));
    }
  }
}
