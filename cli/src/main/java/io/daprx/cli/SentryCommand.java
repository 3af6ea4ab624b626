package io.daprx.cli;

import io.daprx.common.runtime.ComponentFlags;
import io.daprx.sentry.SentryFlags;
import io.daprx.common.pki.CryptoProviders;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.sentry.Sentry;
import io.daprx.sentry.SentryOptions;
import io.daprx.sentry.jwt.JwtOptions;
import io.daprx.sentry.jwt.OidcOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code daprx sentry}: runs the certificate authority, with Dapr's flag names and defaults. */
@Command(name = "sentry", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run sentry, the certificate authority that issues SPIFFE X.509 certificates to sidecars and the control plane.")
final class SentryCommand implements Callable<Integer> {

  @Option(names = ComponentFlags.PORT, defaultValue = "" + SentryOptions.DEFAULT_PORT, description = "gRPC port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = ComponentFlags.HEALTHZ_PORT, defaultValue = "" + SentryOptions.DEFAULT_HEALTHZ_PORT, description = "port of GET /healthz (default: ${DEFAULT-VALUE})")
  int healthzPort;

  @Option(names = ComponentFlags.METRICS_PORT, defaultValue = "" + SentryOptions.DEFAULT_METRICS_PORT, description = "port of GET /metrics (default: ${DEFAULT-VALUE})")
  int metricsPort;

  @Option(names = "--enable-metrics", defaultValue = "true", arity = "1", description = "serve Prometheus metrics (default: ${DEFAULT-VALUE})")
  boolean enableMetrics;

  @Option(names = ComponentFlags.LISTEN_ADDRESS, defaultValue = "0.0.0.0", description = "address to listen on (default: ${DEFAULT-VALUE})")
  String listenAddress;

  @Option(names = SentryFlags.ISSUER_CREDENTIALS, paramLabel = "DIR",
      description = "directory with ca.crt, issuer.crt and issuer.key (standalone mode); generated there when all three are absent")
  Path issuerCredentials;

  @Option(names = ComponentFlags.TRUST_DOMAIN, defaultValue = SentryOptions.DEFAULT_TRUST_DOMAIN, description = "trust domain of the control plane (default: ${DEFAULT-VALUE})")
  String trustDomain;

  @Option(names = ComponentFlags.NAMESPACE, defaultValue = "${env:NAMESPACE:-" + SentryOptions.DEFAULT_NAMESPACE + "}",
      description = "namespace of the control plane; env NAMESPACE is honoured (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = ComponentFlags.MODE, defaultValue = "standalone", converter = ModeConverter.class,
      description = "standalone or kubernetes (default: ${DEFAULT-VALUE})")
  SentryOptions.Mode mode;

  @Option(names = SentryFlags.WORKLOAD_CERT_TTL, defaultValue = SentryFlags.DEFAULT_WORKLOAD_CERT_TTL,
      description = "validity of issued certificates; in kubernetes mode the --config Configuration's spec.mtls.workloadCertTTL wins (default: ${DEFAULT-VALUE})")
  Duration workloadCertTtl;

  @Option(names = SentryFlags.ALLOWED_CLOCK_SKEW, defaultValue = SentryFlags.DEFAULT_ALLOWED_CLOCK_SKEW,
      description = "how far NotBefore is back-dated; in kubernetes mode the --config Configuration's spec.mtls.allowedClockSkew wins (default: ${DEFAULT-VALUE})")
  Duration allowedClockSkew;

  @Option(names = SentryFlags.CONFIG, paramLabel = "NAME",
      description = "kubernetes mode: the Dapr Configuration in --namespace whose spec.mtls sets the TTL and clock skew, followed while"
          + " sentry runs (default: " + SentryOptions.DEFAULT_CONFIG + "); standalone mode takes the two flags only")
  String config;

  @Option(names = "--token-validators", split = ",", paramLabel = "NAME",
      description = "validators to accept: insecure, kubernetes, jwks (default: insecure in standalone mode, kubernetes in kubernetes mode)")
  List<String> tokenValidators;

  @Option(names = "--jwks-source", paramLabel = "FILE|URL", description = "JWKS used by the jwks validator")
  String jwksSource;

  @Option(names = SentryFlags.CONTROL_PLANE_JWKS, paramLabel = "FILE",
      description = "standalone mode: JWKS of the key that vouches for control-plane replicas; identities in the control-plane"
          + " namespace or trust domain are then signed only for a JWT of that key (a local cluster's supervisor sets this)")
  Path controlPlaneJwks;

  @Option(names = "--kubeconfig", description = "kubeconfig for kubernetes mode (default: in-cluster, then $KUBECONFIG or ~/.kube/config)")
  Path kubeconfig;

  @Option(names = "--ca-expiry-warning", defaultValue = "720h", description = "warn this long before the issuer or root expires (default: ${DEFAULT-VALUE})")
  Duration expiryWarning;

  @Option(names = SentryFlags.REQUIRE_EXISTING_CA, defaultValue = "${env:" + SentryFlags.REQUIRE_EXISTING_CA_ENV + ":-false}",
      description = "the CA was made before sentry started (as daprx's local clusters do): refuse to start, rather than generate a new"
          + " root, when --issuer-credentials holds none; env " + SentryFlags.REQUIRE_EXISTING_CA_ENV + " is honoured")
  boolean requireExistingCa;

  @Option(names = "--crypto-provider", defaultValue = "auto", converter = CryptoConverter.class,
      description = "auto, accp or jdk (default: ${DEFAULT-VALUE})")
  CryptoProviders.Preference cryptoProvider;

  @Option(names = JwtOptions.ENABLED_FLAG, arity = "0..1", defaultValue = "false", fallbackValue = "true",
      description = "answer each certificate with JWT SVIDs (jwt: the trust domain plus the requested audiences, and one per audience)")
  boolean jwtEnabled;

  @Option(names = JwtOptions.KEY_FILENAME_FLAG, defaultValue = JwtOptions.DEFAULT_KEY_FILENAME, paramLabel = "NAME",
      description = "JWT signing key file beside the CA (a key of the trust-bundle Secret in kubernetes mode); generated when absent (default: ${DEFAULT-VALUE})")
  String jwtKeyFilename;

  @Option(names = JwtOptions.JWKS_FILENAME_FLAG, defaultValue = JwtOptions.DEFAULT_JWKS_FILENAME, paramLabel = "NAME",
      description = "JWKS file beside the CA (default: ${DEFAULT-VALUE})")
  String jwksFilename;

  @Option(names = JwtOptions.ISSUER_FLAG, paramLabel = "URL", description = "iss of the JWTs (none if unset); the OIDC discovery document announces it")
  String jwtIssuer;

  @Option(names = JwtOptions.SIGNING_ALGORITHM_FLAG, defaultValue = JwtOptions.DEFAULT_SIGNING_ALGORITHM, paramLabel = "ALG",
      description = "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or ES512; a generated key is of its kind (default: ${DEFAULT-VALUE})")
  String jwtSigningAlgorithm;

  @Option(names = JwtOptions.KEY_ID_FLAG, paramLabel = "KID", description = "kid of the signing key (default: the base64 SHA-256 thumbprint of the key)")
  String jwtKeyId;

  @Option(names = JwtOptions.TTL_FLAG, defaultValue = JwtOptions.DEFAULT_TTL,
      description = "validity of the JWTs, never past the certificate issued with them (default: ${DEFAULT-VALUE})")
  Duration jwtTtl;

  @Option(names = OidcOptions.ENABLED_FLAG, arity = "0..1", defaultValue = "false", fallbackValue = "true",
      description = "serve OIDC discovery (/.well-known/openid-configuration and /jwks.json) for relying parties; needs " + JwtOptions.ENABLED_FLAG)
  boolean oidcEnabled;

  @Option(names = OidcOptions.LISTEN_ADDRESS_FLAG, defaultValue = OidcOptions.DEFAULT_LISTEN_ADDRESS, description = "(default: ${DEFAULT-VALUE})")
  String oidcListenAddress;

  @Option(names = OidcOptions.PORT_FLAG, defaultValue = "" + OidcOptions.DEFAULT_PORT, description = "(default: ${DEFAULT-VALUE})")
  int oidcPort;

  @Option(names = OidcOptions.TLS_ENABLED_FLAG, arity = "0..1", defaultValue = "true", fallbackValue = "true",
      description = "serve OIDC over HTTPS with the two files below; false behind an ingress that terminates TLS (default: ${DEFAULT-VALUE})")
  boolean oidcTlsEnabled;

  @Option(names = OidcOptions.TLS_CERT_FILE_FLAG, paramLabel = "FILE", description = "PEM certificate (chain) of the OIDC server")
  Path oidcTlsCertFile;

  @Option(names = OidcOptions.TLS_KEY_FILE_FLAG, paramLabel = "FILE", description = "PEM private key of the OIDC server")
  Path oidcTlsKeyFile;

  @Option(names = OidcOptions.JWKS_URI_FLAG, paramLabel = "URL", description = "jwks_uri to announce (default: beside the issuer)")
  String oidcJwksUri;

  @Option(names = OidcOptions.PATH_PREFIX_FLAG, paramLabel = "PATH", description = "path in front of both OIDC endpoints")
  String oidcPathPrefix;

  @Option(names = OidcOptions.ALLOWED_HOSTS_FLAG, split = ",", paramLabel = "HOST",
      description = "hosts the OIDC endpoints answer for (Host or X-Forwarded-Host); default: any")
  List<String> oidcAllowedHosts;

  @Mixin
  LogOptions log;

  @Override
  public Integer call() throws InterruptedException {
    log.configure();
    if (kubeconfig != null) {
      System.setProperty("kubeconfig", kubeconfig.toAbsolutePath().toString());
    }
    SentryOptions options = new SentryOptions(listenAddress, port, healthzPort, enableMetrics ? metricsPort : -1,
        issuerCredentials, trustDomain, namespace, mode, workloadCertTtl, allowedClockSkew, config,
        parseValidators(tokenValidators), jwksSource, Duration.ofSeconds(5), expiryWarning, cryptoProvider, controlPlaneJwks,
        requireExistingCa).withJwt(
        new JwtOptions(jwtEnabled, jwtKeyFilename, jwksFilename, jwtIssuer, JwtOptions.algorithm(jwtSigningAlgorithm), jwtKeyId, jwtTtl),
        new OidcOptions(oidcEnabled, oidcListenAddress, oidcPort, oidcTlsEnabled, oidcTlsCertFile, oidcTlsKeyFile, oidcJwksUri,
            oidcPathPrefix, oidcAllowedHosts));
    if (mode == SentryOptions.Mode.STANDALONE && config != null) {
      // upstream reads a configuration file here; ours takes the TTL and skew from their flags
      org.slf4j.LoggerFactory.getLogger(SentryCommand.class).warn(
          "--config is read in kubernetes mode only; standalone sentry issues with --workload-cert-ttl and --allowed-clock-skew");
    }
    Sentry sentry = new Sentry(options, Clock.systemUTC()).start();
    return runUntilStopped(sentry);
  }

  /** Blocks until SIGTERM/SIGINT, then closes the component in order. */
  static int runUntilStopped(AutoCloseable component) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        component.close();
      } catch (Exception e) {
        System.err.println("error while stopping: " + e);
      } finally {
        stopped.countDown();
      }
    }, "shutdown"));
    stopped.await();
    return 0;
  }

  /** Flag values picocli reports as usage errors (exit 2), like any other bad flag. */
  static final class ModeConverter implements picocli.CommandLine.ITypeConverter<SentryOptions.Mode> {
    @Override
    public SentryOptions.Mode convert(String value) {
      return Main.conversion(() -> parseMode(value));
    }
  }

  static final class CryptoConverter implements picocli.CommandLine.ITypeConverter<CryptoProviders.Preference> {
    @Override
    public CryptoProviders.Preference convert(String value) {
      return Main.conversion(() -> parseCrypto(value));
    }
  }

  static SentryOptions.Mode parseMode(String mode) {
    return switch (mode.toLowerCase(Locale.ROOT)) {
      case "standalone" -> SentryOptions.Mode.STANDALONE;
      case "kubernetes" -> SentryOptions.Mode.KUBERNETES;
      default -> throw new IllegalArgumentException("invalid --mode '" + mode + "': use standalone or kubernetes");
    };
  }

  static Set<TokenValidator> parseValidators(List<String> names) {
    Set<TokenValidator> out = EnumSet.noneOf(TokenValidator.class);
    if (names == null) {
      return out;
    }
    for (String n : names) {
      switch (n.trim().toLowerCase(Locale.ROOT)) {
        case "insecure" -> out.add(TokenValidator.INSECURE);
        case "kubernetes" -> out.add(TokenValidator.KUBERNETES);
        case "jwks" -> out.add(TokenValidator.JWKS);
        default -> throw new IllegalArgumentException("invalid --token-validators value '" + n + "': use insecure, kubernetes or jwks");
      }
    }
    return out;
  }

  static CryptoProviders.Preference parseCrypto(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "auto" -> CryptoProviders.Preference.AUTO;
      case "accp" -> CryptoProviders.Preference.ACCP;
      case "jdk" -> CryptoProviders.Preference.JDK;
      default -> throw new IllegalArgumentException("invalid --crypto-provider '" + name + "': use auto, accp or jdk");
    };
  }
}
