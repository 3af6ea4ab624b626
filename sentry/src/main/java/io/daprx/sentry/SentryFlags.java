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

  /** JWT SVIDs (dapr 1.16+, {@code cmd/sentry/options}): the answer to each certificate request carries JWTs. */
  public static final String JWT_ENABLED = "--jwt-enabled";
  public static final String JWT_KEY_FILENAME = "--jwt-key-filename";
  public static final String JWKS_FILENAME = "--jwks-filename";
  public static final String JWT_ISSUER = "--jwt-issuer";
  public static final String JWT_SIGNING_ALGORITHM = "--jwt-signing-algorithm";
  public static final String JWT_KEY_ID = "--jwt-key-id";
  public static final String JWT_TTL = "--jwt-ttl";
  /** What sentry can sign JWTs with: RSA keys (RS*, PS*) and the NIST curves (ES*); upstream's default RS256 first. */
  public static final java.util.List<String> JWT_SIGNING_ALGORITHMS = java.util.List.of("RS256", "RS384", "RS512", "PS256", "PS384",
      "PS512", "ES256", "ES384", "ES512");

  /** The OIDC discovery server that publishes the JWKS of those JWTs. */
  public static final String OIDC_ENABLED = "--oidc-enabled";
  public static final String OIDC_SERVER_LISTEN_ADDRESS = "--oidc-server-listen-address";
  public static final String OIDC_SERVER_LISTEN_PORT = "--oidc-server-listen-port";
  public static final String OIDC_SERVER_TLS_ENABLED = "--oidc-server-tls-enabled";
  public static final String OIDC_SERVER_TLS_CERT_FILE = "--oidc-server-tls-cert-file";
  public static final String OIDC_SERVER_TLS_KEY_FILE = "--oidc-server-tls-key-file";
  public static final String OIDC_JWKS_URI = "--oidc-jwks-uri";
  public static final String OIDC_PATH_PREFIX = "--oidc-path-prefix";
  public static final String OIDC_ALLOWED_HOSTS = "--oidc-allowed-hosts";
  public static final int DEFAULT_OIDC_PORT = 9080;

  /** Upstream's defaults, as a user writes them (Go durations). */
  public static final String DEFAULT_WORKLOAD_CERT_TTL = "24h";
  public static final String DEFAULT_ALLOWED_CLOCK_SKEW = "15m";

  private SentryFlags() {}
}
