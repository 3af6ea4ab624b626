package io.daprx.common.svid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/** The service-account token a control-plane component shows sentry in Kubernetes mode (KUBERNETES validator). */
public final class SentryToken {

  /** Where the projected token (audience: sentry's SPIFFE ID) is mounted in every control-plane pod. */
  public static final Path KUBERNETES_FILE = Path.of("/var/run/secrets/dapr.io/sentrytoken/token");

  private SentryToken() {}

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
