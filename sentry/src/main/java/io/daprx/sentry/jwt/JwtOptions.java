package io.daprx.sentry.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import io.daprx.sentry.SentryFlags;
import java.time.Duration;
import java.util.List;

/**
 * Sentry's JWT SVIDs, with upstream's flags (dapr 1.16+ {@code cmd/sentry/options}) and defaults: off unless
 * {@code --jwt-enabled}; the signing key {@code jwt.key} and its public JWKS {@code jwks.json} beside the CA (in the
 * issuer-credentials directory, or as keys of the trust-bundle Secret on Kubernetes); RS256; {@code kid} the standard-base64
 * SHA-256 JWK thumbprint of the key unless {@code --jwt-key-id}; no {@code iss} unless {@code --jwt-issuer}; 24h.
 *
 * @param keyFilename {@code --jwt-key-filename}: a file name (or Secret key), not a path
 * @param jwksFilename {@code --jwks-filename}: likewise
 * @param issuer {@code --jwt-issuer}; null: tokens carry no {@code iss}
 * @param signingAlgorithm {@code --jwt-signing-algorithm}: also the kind of key sentry generates when there is none
 * @param keyId {@code --jwt-key-id}; null: the thumbprint
 * @param ttl {@code --jwt-ttl}; a token never outlives the certificate issued with it
 */
public record JwtOptions(boolean enabled, String keyFilename, String jwksFilename, String issuer, JWSAlgorithm signingAlgorithm,
    String keyId, Duration ttl) {

  public static final String ENABLED_FLAG = SentryFlags.JWT_ENABLED;
  public static final String KEY_FILENAME_FLAG = SentryFlags.JWT_KEY_FILENAME;
  public static final String JWKS_FILENAME_FLAG = SentryFlags.JWKS_FILENAME;
  public static final String ISSUER_FLAG = SentryFlags.JWT_ISSUER;
  public static final String SIGNING_ALGORITHM_FLAG = SentryFlags.JWT_SIGNING_ALGORITHM;
  public static final String KEY_ID_FLAG = SentryFlags.JWT_KEY_ID;
  public static final String TTL_FLAG = SentryFlags.JWT_TTL;

  public static final String DEFAULT_KEY_FILENAME = "jwt.key";
  public static final String DEFAULT_JWKS_FILENAME = "jwks.json";
  public static final String DEFAULT_SIGNING_ALGORITHM = "RS256";
  public static final String DEFAULT_TTL = "24h";

  /** What sentry can sign with: RSA keys (RS*, PS*) and the NIST curves (ES*); upstream's default RS256 first. */
  public static final List<JWSAlgorithm> ALGORITHMS = SentryFlags.JWT_SIGNING_ALGORITHMS.stream().map(JWSAlgorithm::parse).toList();

  public static final JwtOptions DISABLED = new JwtOptions(false, DEFAULT_KEY_FILENAME, DEFAULT_JWKS_FILENAME, null,
      JWSAlgorithm.RS256, null, Duration.ofHours(24));

  public JwtOptions {
    keyFilename = fileName(keyFilename, DEFAULT_KEY_FILENAME, KEY_FILENAME_FLAG);
    jwksFilename = fileName(jwksFilename, DEFAULT_JWKS_FILENAME, JWKS_FILENAME_FLAG);
    if (keyFilename.equals(jwksFilename)) {
      throw new IllegalArgumentException(KEY_FILENAME_FLAG + " and " + JWKS_FILENAME_FLAG + " must name different files (both are '"
          + keyFilename + "')");
    }
    issuer = issuer == null || issuer.isEmpty() ? null : issuer;
    keyId = keyId == null || keyId.isEmpty() ? null : keyId;
    if (issuer != null && !enabled) {
      // upstream refuses it too: an issuer without tokens is a configuration that does not do what its author thinks
      throw new IllegalArgumentException(ISSUER_FLAG + " is set but JWT issuing is off: add " + ENABLED_FLAG + " or drop " + ISSUER_FLAG);
    }
    if (signingAlgorithm == null) {
      signingAlgorithm = JWSAlgorithm.RS256;
    }
    if (!ALGORITHMS.contains(signingAlgorithm)) {
      throw new IllegalArgumentException(SIGNING_ALGORITHM_FLAG + " '" + signingAlgorithm + "' is not supported: use one of "
          + ALGORITHMS.stream().map(JWSAlgorithm::getName).toList());
    }
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException(TTL_FLAG + " must be positive, e.g. " + DEFAULT_TTL);
    }
  }

  /** The algorithm named by a flag value, refused with the list of supported ones. */
  public static JWSAlgorithm algorithm(String name) {
    return ALGORITHMS.stream().filter(a -> a.getName().equalsIgnoreCase(name == null ? "" : name.trim())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(SIGNING_ALGORITHM_FLAG + " '" + name + "' is not supported: use one of "
            + ALGORITHMS.stream().map(JWSAlgorithm::getName).toList()));
  }

  private static String fileName(String name, String dflt, String flag) {
    if (name == null || name.isEmpty()) {
      return dflt;
    }
    if (name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(flag + " takes a file name inside --issuer-credentials (a key of the trust-bundle Secret"
          + " on Kubernetes), not a path: got '" + name + "'");
    }
    return name;
  }
}
