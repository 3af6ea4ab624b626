package io.daprx.sentry;

import io.daprx.common.pki.CryptoProviders;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.sentry.ca.IssuancePolicy;
import io.daprx.sentry.config.SystemConfigurationWatch;
import io.daprx.sentry.jwt.JwtOptions;
import io.daprx.sentry.jwt.OidcOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Every setting of sentry, typed, with Dapr's flag names and defaults (see {@link #defaults()}).
 *
 * @param workloadCertTtl validity of issued certificates; in Kubernetes mode the Configuration's {@code spec.mtls.workloadCertTTL} wins
 * @param allowedClockSkew how far NotBefore is back-dated; in Kubernetes mode the Configuration's {@code spec.mtls.allowedClockSkew} wins
 * @param configName the Dapr Configuration in {@code namespace} read in Kubernetes mode (upstream's {@code --config}); null or
 *     blank means {@value #DEFAULT_CONFIG}
 * @param tokenValidators validators accepted; empty means the mode's default (INSECURE standalone, KUBERNETES in Kubernetes)
 * @param jwksSource a JWKS file path or http(s) URL, required when JWKS is enabled
 * @param caPollInterval how often the CA store is re-read for a rotated bundle
 * @param expiryWarning how long before the issuer or root expires sentry starts warning
 * @param controlPlaneJwks standalone mode: the JWKS file of the key that vouches for control-plane replicas; when set, an
 *     identity in the control-plane namespace or trust domain is signed only with a JWT of that key (aud: sentry's SPIFFE
 *     ID, sub: the identity), whatever validator the request names. Null: every validator decides alone, as upstream
 * @param requireExistingCa the CA was made before sentry started ({@link SentryFlags#REQUIRE_EXISTING_CA}): never generate one
 * @param jwt JWT SVIDs issued with each certificate (upstream's {@code --jwt-*} flags); off by default
 * @param oidc the OIDC discovery server publishing the JWKS (upstream's {@code --oidc-*} flags); needs {@code jwt}
 */
public record SentryOptions(
    String listenAddress,
    int port,
    int healthzPort,
    int metricsPort,
    Path issuerCredentials,
    String trustDomain,
    String namespace,
    Mode mode,
    Duration workloadCertTtl,
    Duration allowedClockSkew,
    String configName,
    Set<TokenValidator> tokenValidators,
    String jwksSource,
    Duration caPollInterval,
    Duration expiryWarning,
    CryptoProviders.Preference cryptoProvider,
    Path controlPlaneJwks,
    boolean requireExistingCa,
    JwtOptions jwt,
    OidcOptions oidc) {

  public enum Mode { STANDALONE, KUBERNETES }

  public static final int DEFAULT_PORT = 50001;
  public static final int DEFAULT_HEALTHZ_PORT = 8080;
  public static final int DEFAULT_METRICS_PORT = 9090;
  public static final String DEFAULT_TRUST_DOMAIN = io.daprx.common.spiffe.SpiffeId.CONTROL_PLANE_TRUST_DOMAIN;
  public static final String DEFAULT_NAMESPACE = "dapr-system";
  public static final Duration DEFAULT_WORKLOAD_CERT_TTL = io.daprx.common.runtime.GoDuration.parse(SentryFlags.DEFAULT_WORKLOAD_CERT_TTL);
  public static final Duration DEFAULT_ALLOWED_CLOCK_SKEW = io.daprx.common.runtime.GoDuration.parse(SentryFlags.DEFAULT_ALLOWED_CLOCK_SKEW);
  public static final String DEFAULT_CONFIG = SystemConfigurationWatch.DEFAULT_NAME;

  /** Options of a sentry that generates its CA when its store is empty (a first start). */
  public SentryOptions(String listenAddress, int port, int healthzPort, int metricsPort, Path issuerCredentials, String trustDomain,
      String namespace, Mode mode, Duration workloadCertTtl, Duration allowedClockSkew, String configName,
      Set<TokenValidator> tokenValidators, String jwksSource, Duration caPollInterval, Duration expiryWarning,
      CryptoProviders.Preference cryptoProvider, Path controlPlaneJwks) {
    this(listenAddress, port, healthzPort, metricsPort, issuerCredentials, trustDomain, namespace, mode, workloadCertTtl,
        allowedClockSkew, configName, tokenValidators, jwksSource, caPollInterval, expiryWarning, cryptoProvider, controlPlaneJwks,
        false);
  }

  /** Options without JWT SVIDs (as before they existed). */
  public SentryOptions(String listenAddress, int port, int healthzPort, int metricsPort, Path issuerCredentials, String trustDomain,
      String namespace, Mode mode, Duration workloadCertTtl, Duration allowedClockSkew, String configName,
      Set<TokenValidator> tokenValidators, String jwksSource, Duration caPollInterval, Duration expiryWarning,
      CryptoProviders.Preference cryptoProvider, Path controlPlaneJwks, boolean requireExistingCa) {
    this(listenAddress, port, healthzPort, metricsPort, issuerCredentials, trustDomain, namespace, mode, workloadCertTtl,
        allowedClockSkew, configName, tokenValidators, jwksSource, caPollInterval, expiryWarning, cryptoProvider, controlPlaneJwks,
        requireExistingCa, JwtOptions.DISABLED, OidcOptions.DISABLED);
  }

  public SentryOptions {
    jwt = jwt == null ? JwtOptions.DISABLED : jwt;
    oidc = oidc == null ? OidcOptions.DISABLED : oidc;
    if (oidc.enabled() && !jwt.enabled()) {
      // upstream starts without it, silently; a discovery server with no tokens to verify is a mistake worth saying
      throw new IllegalArgumentException(OidcOptions.ENABLED_FLAG + " serves the JWKS of sentry's JWTs: add " + JwtOptions.ENABLED_FLAG);
    }
    tokenValidators = tokenValidators == null || tokenValidators.isEmpty() ? EnumSet.noneOf(TokenValidator.class) : EnumSet.copyOf(tokenValidators);
    if (workloadCertTtl.isNegative() || workloadCertTtl.isZero()) {
      throw new IllegalArgumentException("--workload-cert-ttl must be positive, e.g. 24h");
    }
    if (allowedClockSkew.isNegative()) {
      throw new IllegalArgumentException("--allowed-clock-skew must not be negative, e.g. 15m");
    }
    configName = configName == null || configName.isBlank() ? DEFAULT_CONFIG : configName;
    if (mode == Mode.STANDALONE && issuerCredentials == null) {
      throw new IllegalArgumentException("standalone mode needs --issuer-credentials DIR (where ca.crt, issuer.crt and issuer.key are, or will be generated)");
    }
    if (mode == Mode.KUBERNETES && controlPlaneJwks != null) {
      throw new IllegalArgumentException(SentryFlags.CONTROL_PLANE_JWKS + " is for standalone mode: in kubernetes mode the KUBERNETES"
          + " validator checks that control-plane identities come from control-plane pods");
    }
  }

  public static SentryOptions defaults(Path issuerCredentials) {
    return new SentryOptions("0.0.0.0", DEFAULT_PORT, DEFAULT_HEALTHZ_PORT, DEFAULT_METRICS_PORT, issuerCredentials,
        DEFAULT_TRUST_DOMAIN, DEFAULT_NAMESPACE, Mode.STANDALONE, DEFAULT_WORKLOAD_CERT_TTL, DEFAULT_ALLOWED_CLOCK_SKEW,
        DEFAULT_CONFIG, Set.of(), null, Duration.ofSeconds(5), Duration.ofDays(30), CryptoProviders.Preference.AUTO, null);
  }

  /** The TTL and skew of the flags: all of it in standalone mode, what the Configuration leaves unset in Kubernetes mode. */
  public IssuancePolicy issuancePolicy() {
    return new IssuancePolicy(workloadCertTtl, allowedClockSkew);
  }

  /** The validators in force: the given ones, or the mode's default. */
  public Set<TokenValidator> effectiveValidators() {
    if (!tokenValidators.isEmpty()) {
      return tokenValidators;
    }
    return EnumSet.of(defaultValidator());
  }

  /** What a request with validator UNKNOWN (older daprd) gets. */
  public TokenValidator defaultValidator() {
    return mode == Mode.KUBERNETES ? TokenValidator.KUBERNETES : TokenValidator.INSECURE;
  }

  public SentryOptions withPorts(int port, int healthzPort, int metricsPort) {
    return new SentryOptions(listenAddress, port, healthzPort, metricsPort, issuerCredentials, trustDomain, namespace, mode,
        workloadCertTtl, allowedClockSkew, configName, tokenValidators, jwksSource, caPollInterval, expiryWarning, cryptoProvider, controlPlaneJwks, requireExistingCa, jwt, oidc);
  }

  public SentryOptions withListenAddress(String address) {
    return new SentryOptions(address, port, healthzPort, metricsPort, issuerCredentials, trustDomain, namespace, mode,
        workloadCertTtl, allowedClockSkew, configName, tokenValidators, jwksSource, caPollInterval, expiryWarning, cryptoProvider, controlPlaneJwks, requireExistingCa, jwt, oidc);
  }

  public SentryOptions withValidators(Set<TokenValidator> validators, String jwksSource) {
    return new SentryOptions(listenAddress, port, healthzPort, metricsPort, issuerCredentials, trustDomain, namespace, mode,
        workloadCertTtl, allowedClockSkew, configName, validators, jwksSource, caPollInterval, expiryWarning, cryptoProvider, controlPlaneJwks, requireExistingCa, jwt, oidc);
  }

  public SentryOptions withTtl(Duration workloadCertTtl, Duration allowedClockSkew) {
    return new SentryOptions(listenAddress, port, healthzPort, metricsPort, issuerCredentials, trustDomain, namespace, mode,
        workloadCertTtl, allowedClockSkew, configName, tokenValidators, jwksSource, caPollInterval, expiryWarning, cryptoProvider, controlPlaneJwks, requireExistingCa, jwt, oidc);
  }

  /** Control-plane identities only with a JWT of a key in this JWKS file (null: as upstream, no such check). */
  public SentryOptions withControlPlaneJwks(Path jwks) {
    return new SentryOptions(listenAddress, port, healthzPort, metricsPort, issuerCredentials, trustDomain, namespace, mode,
        workloadCertTtl, allowedClockSkew, configName, tokenValidators, jwksSource, caPollInterval, expiryWarning, cryptoProvider, jwks, requireExistingCa, jwt, oidc);
  }

  /** The same, with a CA that must already exist ({@link SentryFlags#REQUIRE_EXISTING_CA}). */
  public SentryOptions withRequireExistingCa(boolean require) {
    return new SentryOptions(listenAddress, port, healthzPort, metricsPort, issuerCredentials, trustDomain, namespace, mode,
        workloadCertTtl, allowedClockSkew, configName, tokenValidators, jwksSource, caPollInterval, expiryWarning, cryptoProvider,
        controlPlaneJwks, require, jwt, oidc);
  }

  /** The same, issuing JWT SVIDs as {@code jwt} says and serving OIDC discovery as {@code oidc} says. */
  public SentryOptions withJwt(JwtOptions jwt, OidcOptions oidc) {
    return new SentryOptions(listenAddress, port, healthzPort, metricsPort, issuerCredentials, trustDomain, namespace, mode,
        workloadCertTtl, allowedClockSkew, configName, tokenValidators, jwksSource, caPollInterval, expiryWarning, cryptoProvider,
        controlPlaneJwks, requireExistingCa, jwt, oidc);
  }
}
