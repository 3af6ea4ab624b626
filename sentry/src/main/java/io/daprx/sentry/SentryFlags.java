package io.daprx.sentry;

/**
 * Sentry's own command-line flags (upstream's names) and the defaults users see.
 * Declared once: {@code daprx sentry} parses them by these names and the manager renders sentry's pods with them.
 */
public final class SentryFlags {

  public static final String ISSUER_CREDENTIALS = "--issuer-credentials";
  public static final String WORKLOAD_CERT_TTL = "--workload-cert-ttl";
  public static final String ALLOWED_CLOCK_SKEW = "--allowed-clock-skew";
  /** Kubernetes mode: the Configuration whose {@code spec.mtls} sets the two above (upstream's flag; default daprsystem). */
  public static final String CONFIG = "--config";
  /**
   * Standalone mode: the JWKS file whose key vouches for control-plane replicas (a local cluster's supervisor signs each
   * replica's token with it); control-plane identities are refused without such a token. Ours, not upstream's.
   */
  public static final String CONTROL_PLANE_JWKS = "--control-plane-jwks";

  /**
   * daprx's own: the installer made the CA before starting sentry (daprx's local clusters do), so an empty issuer-credentials
   * directory means the CA was lost, never that this is a first start: sentry refuses to start instead of making a new root.
   */
  public static final String REQUIRE_EXISTING_CA = "--require-existing-ca";
  /** The same through the environment, which a sentry of an older daprx ignores (an unknown flag would stop it). */
  public static final String REQUIRE_EXISTING_CA_ENV = "DAPRX_REQUIRE_EXISTING_CA";

  /** Upstream's defaults, as a user writes them (Go durations). */
  public static final String DEFAULT_WORKLOAD_CERT_TTL = "24h";
  public static final String DEFAULT_ALLOWED_CLOCK_SKEW = "15m";

  private SentryFlags() {}
}
