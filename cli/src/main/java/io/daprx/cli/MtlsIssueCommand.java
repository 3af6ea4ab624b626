package io.daprx.cli;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.common.tls.Svid;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.sentry.SentryOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code daprx mtls issue}: asks a running sentry for a certificate exactly as daprd does (fresh key, CSR,
 * sentry verified by its SPIFFE ID), to check a sentry or to get a workload certificate by hand.
 */
@Command(name = "issue", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Get a workload certificate from a running sentry, the way a sidecar does.")
final class MtlsIssueCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--sentry-address", required = true, paramLabel = "HOST:PORT", description = "sentry's gRPC address")
  String address;

  @Option(names = "--trust-anchors", required = true, paramLabel = "FILE", description = "PEM trust anchors (ca.crt) to verify sentry with")
  Path anchors;

  @Option(names = "--app-id", required = true, description = "the app id to ask for")
  String appId;

  @Option(names = "--namespace", defaultValue = "default", description = "namespace of the app (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = "--trust-domain", defaultValue = "", description = "trust domain to ask for (default: sentry decides, \"public\" for apps)")
  String trustDomain;

  @Option(names = "--token-file", paramLabel = "FILE", description = "token proving the identity (empty: the INSECURE validator)")
  Path tokenFile;

  @Option(names = "--token-validator", defaultValue = "insecure", description = "insecure, kubernetes or jwks (default: ${DEFAULT-VALUE})")
  String tokenValidator;

  @Option(names = "--key-type", defaultValue = "ed25519", description = "ed25519 (daprd 1.18) or p256 (daprd 1.17) (default: ${DEFAULT-VALUE})")
  String keyType;

  @Option(names = "--control-plane-trust-domain", defaultValue = SentryOptions.DEFAULT_TRUST_DOMAIN, description = "(default: ${DEFAULT-VALUE})")
  String cpTrustDomain;

  @Option(names = "--control-plane-namespace", defaultValue = SentryOptions.DEFAULT_NAMESPACE, description = "(default: ${DEFAULT-VALUE})")
  String cpNamespace;

  @Option(names = "--out", paramLabel = "DIR", description = "write cert.pem (leaf + chain), key.pem (mode 0600) and ca.pem there")
  Path out;

  @Override
  public Integer call() throws IOException {
    List<X509Certificate> bootstrap;
    try {
      bootstrap = Pem.parseCertificates(Files.readString(anchors));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read --trust-anchors " + anchors + ": " + e.getMessage());
    }
    KeyAlgorithm alg = switch (keyType.toLowerCase(Locale.ROOT)) {
      case "ed25519" -> KeyAlgorithm.ED25519;
      case "p256", "ecdsa" -> KeyAlgorithm.EC_P256;
      default -> throw new IllegalArgumentException("invalid --key-type '" + keyType + "': use ed25519 or p256");
    };
    TokenValidator tv = SentryCommand.parseValidators(List.of(tokenValidator)).iterator().next();
    String token = tokenFile == null ? "" : Files.readString(tokenFile).trim();
    SpiffeId sentryId = SpiffeId.of(cpTrustDomain, cpNamespace, "dapr-sentry");
    SvidClient.Options opts = new SvidClient.Options(address, sentryId, appId, namespace, trustDomain, tv, () -> token, alg,
        Duration.ofSeconds(3), 3);
    Svid svid;
    try (SvidClient client = SvidClient.connect(opts, bootstrap, Clock.systemUTC())) {
      svid = client.start().current();
    }
    PrintWriter w = spec.commandLine().getOut();
    w.println("Issued " + svid.id());
    w.println("  key:        " + (alg == KeyAlgorithm.ED25519 ? "Ed25519" : "ECDSA P-256"));
    w.println("  serial:     " + svid.leaf().getSerialNumber().toString(16));
    w.println("  not before: " + svid.notBefore());
    w.println("  not after:  " + svid.notAfter());
    w.println("  issuer:     " + svid.leaf().getIssuerX500Principal().getName());
    w.println("  chain:      " + svid.chain().size() + " certificates; trust anchors: " + svid.trustAnchors().size());
    if (out != null) {
      Files.createDirectories(out);
      Files.writeString(out.resolve("cert.pem"), Pem.encodeCertificates(svid.chain()));
      Files.writeString(out.resolve("ca.pem"), Pem.encodeCertificates(svid.trustAnchors()));
      Path key = out.resolve("key.pem");
      Files.deleteIfExists(key);
      Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(key, Pem.encodePrivateKey(svid.privateKey()));
      w.println("  written to: " + out.toAbsolutePath() + " (cert.pem, key.pem, ca.pem)");
    }
    w.flush();
    return 0;
  }
}
