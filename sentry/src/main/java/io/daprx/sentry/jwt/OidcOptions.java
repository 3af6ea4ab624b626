package io.daprx.sentry.jwt;

import io.daprx.sentry.SentryFlags;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * The OIDC discovery server through which cloud identity providers fetch the JWKS that verifies sentry's JWTs, with
 * upstream's flags and defaults ({@code --oidc-enabled}, port 9080 on {@code localhost}, TLS on and then a certificate
 * and key file required, the endpoints {@code <prefix>/.well-known/openid-configuration} and {@code <prefix>/jwks.json}).
 *
 * @param allowedHosts the Host (or X-Forwarded-Host) values answered; empty: any, {@code *}: any
 * @param jwksUri the {@code jwks_uri} the discovery document announces; null: derived from the issuer or the request
 * @param pathPrefix put in front of both endpoints; null or {@code /}: none
 */
public record OidcOptions(boolean enabled, String listenAddress, int port, boolean tlsEnabled, Path tlsCertFile, Path tlsKeyFile,
    String jwksUri, String pathPrefix, List<String> allowedHosts) {

  public static final String ENABLED_FLAG = SentryFlags.OIDC_ENABLED;
  public static final String LISTEN_ADDRESS_FLAG = SentryFlags.OIDC_SERVER_LISTEN_ADDRESS;
  public static final String PORT_FLAG = SentryFlags.OIDC_SERVER_LISTEN_PORT;
  public static final String TLS_ENABLED_FLAG = SentryFlags.OIDC_SERVER_TLS_ENABLED;
  public static final String TLS_CERT_FILE_FLAG = SentryFlags.OIDC_SERVER_TLS_CERT_FILE;
  public static final String TLS_KEY_FILE_FLAG = SentryFlags.OIDC_SERVER_TLS_KEY_FILE;
  public static final String JWKS_URI_FLAG = SentryFlags.OIDC_JWKS_URI;
  public static final String PATH_PREFIX_FLAG = SentryFlags.OIDC_PATH_PREFIX;
  public static final String ALLOWED_HOSTS_FLAG = SentryFlags.OIDC_ALLOWED_HOSTS;

  public static final int DEFAULT_PORT = SentryFlags.DEFAULT_OIDC_PORT;
  public static final String DEFAULT_LISTEN_ADDRESS = "localhost";

  public static final OidcOptions DISABLED = new OidcOptions(false, DEFAULT_LISTEN_ADDRESS, DEFAULT_PORT, true, null, null, null, null, List.of());

  public OidcOptions {
    listenAddress = listenAddress == null || listenAddress.isEmpty() ? DEFAULT_LISTEN_ADDRESS : listenAddress;
    allowedHosts = allowedHosts == null ? List.of() : allowedHosts.stream().map(String::trim).filter(h -> !h.isEmpty()).toList();
    jwksUri = jwksUri == null || jwksUri.isEmpty() ? null : jwksUri;
    pathPrefix = normalisePrefix(pathPrefix);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(PORT_FLAG + " must be a port number (0-65535), got " + port);
    }
    if (enabled && tlsEnabled && (tlsCertFile == null || tlsKeyFile == null)) {
      throw new IllegalArgumentException((tlsCertFile == null ? TLS_CERT_FILE_FLAG : TLS_KEY_FILE_FLAG) + " is required when the OIDC"
          + " server is enabled (unless " + TLS_ENABLED_FLAG + "=false, e.g. behind an ingress that terminates TLS)");
    }
    if (jwksUri != null) {
      URI u;
      try {
        u = new URI(jwksUri);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException(JWKS_URI_FLAG + " is not a valid URL: '" + jwksUri + "'");
      }
      if (!u.isAbsolute() || u.getHost() == null) {
        throw new IllegalArgumentException(JWKS_URI_FLAG + " must be an absolute URL such as https://example.com/jwks.json, got '" + jwksUri + "'");
      }
    }
  }

  /** {@code oidc/} and {@code /oidc} alike become {@code /oidc}; nothing and {@code /} become null (no prefix). */
  private static String normalisePrefix(String p) {
    if (p == null) {
      return null;
    }
    String s = p.trim();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty()) {
      return null;
    }
    if (s.contains("?") || s.contains("#") || s.contains(" ")) {
      throw new IllegalArgumentException(PATH_PREFIX_FLAG + " must be a URL path such as /oidc, got '" + p + "'");
    }
    return s.startsWith("/") ? s : "/" + s;
  }

  public String discoveryPath() {
    return (pathPrefix == null ? "" : pathPrefix) + "/.well-known/openid-configuration";
  }

  public String jwksPath() {
    return (pathPrefix == null ? "" : pathPrefix) + "/jwks.json";
  }
}
