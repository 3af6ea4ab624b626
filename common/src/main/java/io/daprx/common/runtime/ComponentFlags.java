package io.daprx.common.runtime;

/**
 * The command-line flags every control-plane component shares (upstream's names), declared once: the components'
 * commands parse them by these names and the manager renders pods with them, so the two cannot drift apart. Each
 * component's own flags live beside its options ({@code SentryFlags}, {@code PlacementFlags}, ...).
 */
public final class ComponentFlags {

  public static final String MODE = "--mode";
  public static final String PORT = "--port";
  public static final String HEALTHZ_PORT = "--healthz-port";
  public static final String METRICS_PORT = "--metrics-port";
  public static final String LISTEN_ADDRESS = "--listen-address";
  public static final String NAMESPACE = "--namespace";
  public static final String TRUST_DOMAIN = "--trust-domain";
  public static final String LOG_LEVEL = "--log-level";
  public static final String LOG_AS_JSON = "--log-as-json";

  /** Of components that ask sentry for their certificate. */
  public static final String SENTRY_ADDRESS = "--sentry-address";
  public static final String TRUST_ANCHORS_FILE = "--trust-anchors-file";
  /**
   * Standalone mode: the file of the JWT that proves a control-plane replica to sentry (JWKS validator); its supervisor
   * keeps it fresh, and it is read anew at each certificate request. A path, so no secret shows on a command line.
   */
  public static final String SENTRY_TOKEN_FILE = "--sentry-token-file";

  private ComponentFlags() {}
}
