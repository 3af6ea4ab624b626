package io.daprx.manager.kube;

/**
 * Every command-line flag the rendered pods pass to {@code daprx <component>}, in one place so the names can be
 * aligned with the components' commands ({@code ManifestsCommandTest} parses every rendered command line with the
 * real command).
 */
final class ComponentFlags {

  // shared by every component
  static final String MODE = "--mode";
  static final String PORT = "--port";
  static final String HEALTHZ_PORT = "--healthz-port";
  static final String METRICS_PORT = "--metrics-port";
  static final String LISTEN_ADDRESS = "--listen-address";
  static final String NAMESPACE = "--namespace";
  static final String TRUST_DOMAIN = "--trust-domain";
  static final String LOG_LEVEL = "--log-level";
  static final String LOG_AS_JSON = "--log-as-json";

  // components that ask sentry for a certificate
  static final String SENTRY_ADDRESS = "--sentry-address";
  static final String TRUST_ANCHORS_FILE = "--trust-anchors-file";

  // sentry
  static final String WORKLOAD_CERT_TTL = "--workload-cert-ttl";
  static final String ALLOWED_CLOCK_SKEW = "--allowed-clock-skew";

  // placement
  static final String ID = "--id";
  static final String INITIAL_CLUSTER = "--initial-cluster";
  static final String RAFT_LOGSTORE_PATH = "--raft-logstore-path";
  static final String TLS_ENABLED = "--tls-enabled";
  static final String METADATA_ENABLED = "--metadata-enabled";

  // injector
  static final String SIDECAR_IMAGE = "--sidecar-image";

  private ComponentFlags() {}
}
