package io.daprx.common.svid;

import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The token a control-plane component shows sentry: in Kubernetes mode its projected service-account token (KUBERNETES
 * validator); on a local cluster the JWT its supervisor keeps fresh in a file (JWKS validator, as daprd with
 * {@code DAPR_SENTRY_TOKEN_FILE}); else none (INSECURE, as upstream's standalone mode).
 */
public final class SentryToken {

  /** The validator a request names and the token it carries, read anew at each request. */
  public record Proof(TokenValidator validator, Supplier<String> token) {}

  /** Where the projected token (audience: sentry's SPIFFE ID) is mounted in every control-plane pod. */
  public static final Path KUBERNETES_FILE = Path.of("/var/run/secrets/dapr.io/sentrytoken/token");

  private SentryToken() {}

  /**
   * How a component proves itself with the token in {@code file}: the KUBERNETES validator in Kubernetes mode, JWKS in
   * standalone mode; no file means no proof (INSECURE).
   */
  public static Proof proof(boolean kubernetes, Path file) {
    if (file == null) {
      return new Proof(TokenValidator.INSECURE, () -> "");
    }
    return new Proof(kubernetes ? TokenValidator.KUBERNETES : TokenValidator.JWKS, fromFile(file));
  }

  /** Reads the token at each call: the kubelet rotates the file, so a renewal must not reuse an old one. */
  public static Supplier<String> fromFile(Path file) {
    return () -> {
      try {
        return Files.readString(file).trim();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the sentry token " + file + ": " + e.getMessage(), e);
      }
    };
  }
}
