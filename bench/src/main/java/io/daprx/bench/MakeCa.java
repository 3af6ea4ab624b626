package io.daprx.bench;

import io.daprx.common.trust.CaBundles;
import io.daprx.common.trust.FileBundleStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Writes a fresh control-plane CA (ca.crt, issuer.crt, issuer.key: root and issuer as sentry makes them) into a
 * directory, so that several sentries — ours and upstream's — can start from the same credentials and one load
 * generator verifies them all.
 *
 * <p>Usage: {@code MakeCa DIR [TRUST_DOMAIN [NAMESPACE]]} (defaults cluster.local, dapr-system).
 */
public final class MakeCa {

  private MakeCa() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: MakeCa DIR [TRUST_DOMAIN [NAMESPACE]]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    String trustDomain = args.length > 1 ? args[1] : "cluster.local";
    String namespace = args.length > 2 ? args[2] : "dapr-system";
    Files.createDirectories(dir);
    FileBundleStore store = new FileBundleStore(dir);
    if (!store.load().empty()) {
      System.err.println("MakeCa: " + dir + " already holds CA files; not overwriting them");
      System.exit(2);
    }
    store.save(CaBundles.generate(trustDomain, namespace, CaBundles.DEFAULT_CA_TTL, Clock.systemUTC()).toRaw());
  }
}
