package io.daprx.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.trust.BundleStore;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundles;
import io.daprx.common.trust.FileBundleStore;
import io.daprx.common.trust.RawBundle;
import io.daprx.sentry.SentryOptions;
import io.daprx.sentry.ca.KubernetesBundleStore;
import io.daprx.sentry.ca.KubernetesJwtKeyStore;
import io.daprx.sentry.jwt.FileJwtKeyStore;
import io.daprx.sentry.jwt.JwtKeyMaterial;
import io.daprx.sentry.jwt.JwtKeyStore;
import io.daprx.sentry.jwt.JwtKeys;
import io.daprx.sentry.jwt.JwtOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code daprx mtls}: look at and rotate the control plane's CA. */
@Command(name = "mtls", mixinStandardHelpOptions = true,
    description = "Inspect and rotate the certificate authority of the control plane.",
    subcommands = {MtlsCommand.Expiry.class, MtlsCommand.Renew.class, MtlsIssueCommand.class,
        io.daprx.cli.commands.MtlsExportCommand.class})
final class MtlsCommand {

  /** Where the CA bundle is: a directory or the Kubernetes trust-bundle Secret; neither, for expiry: the current cluster. */
  static final class Source {
    @Option(names = "--issuer-credentials", paramLabel = "DIR", required = true,
        description = "directory with ca.crt, issuer.crt and issuer.key (standalone)")
    Path dir;

    @Option(names = {"-k", "--kubernetes"}, required = true,
        description = "use Secret dapr-trust-bundle of the control-plane namespace (kubeconfig from $KUBECONFIG or ~/.kube/config)")
    boolean kubernetes;
  }

  /** Shared options of the subcommands. */
  abstract static class Base implements io.daprx.cli.commands.CurrentCluster.Aware {
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    /** Where the current cluster is looked up; set by {@link io.daprx.cli.commands.CommandEnvironment}. */
    Map<String, String> env = System.getenv();

    @Override
    public void useEnvironment(Map<String, String> environment) {
      this.env = environment;
    }

    /** The CA's private half is needed: only a directory or the Secret has it. */
    Source source() {
      if (source == null) {
        throw new IllegalArgumentException("give --issuer-credentials DIR (standalone) or -k/--kubernetes: this command needs the"
            + " CA's keys, which the management server never hands out");
      }
      return source;
    }

    @Option(names = "--namespace", defaultValue = "${env:NAMESPACE:-" + SentryOptions.DEFAULT_NAMESPACE + "}",
        description = "control-plane namespace, with --kubernetes (default: ${DEFAULT-VALUE})")
    String namespace;

    Clock clock = Clock.systemUTC();

    <T> T withStore(Function<BundleStore, T> body) {
      if (source().dir != null) {
        return body.apply(new FileBundleStore(source.dir));
      }
      try (KubernetesClient client = new KubernetesClientBuilder().build()) {
        return body.apply(new KubernetesBundleStore(client, namespace));
      }
    }

    /** The CA's store and, beside it, the JWT signing key's (upstream's file or Secret key names unless given). */
    <T> T withStores(String jwtKey, String jwks, BiFunction<BundleStore, JwtKeyStore, T> body) {
      if (source().dir != null) {
        return body.apply(new FileBundleStore(source.dir), new FileJwtKeyStore(source.dir, jwtKey, jwks));
      }
      try (KubernetesClient client = new KubernetesClientBuilder().build()) {
        return body.apply(new KubernetesBundleStore(client, namespace), new KubernetesJwtKeyStore(client, namespace, jwtKey, jwks));
      }
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  @Command(name = "expiry", mixinStandardHelpOptions = true, description = {"Show when the root and issuer certificates expire.",
      "Without --issuer-credentials or -k: those of the current cluster's control plane (daprx cluster use)."})
  static final class Expiry extends Base implements Callable<Integer> {

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
    String output;

    @Override
    public Integer call() throws IOException {
      Expiries e = source == null ? ofCurrentCluster() : withStore(store -> {
        RawBundle raw = store.load();
        if (raw.empty()) {
          throw new IllegalStateException("no CA bundle in " + store.describe() + ": sentry generates one when it first starts");
        }
        CaBundle bundle = CaBundles.parse(raw, store.describe(), clock, false);
        return new Expiries(bundle.rootNotAfter(), bundle.issuerNotAfter(), bundle.trustAnchors().size());
      });
      Instant now = clock.instant();
      if ("json".equals(output)) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rootExpiry", e.root().toString());
        m.put("issuerExpiry", e.issuer() == null ? null : e.issuer().toString());
        m.put("trustAnchors", e.anchors());
        // the one JSON style of every command's output (az's)
        out().print(io.daprx.cli.output.Output.render(new ObjectMapper().valueToTree(m), io.daprx.cli.output.OutputFormat.JSON, null,
            false));
      } else {
        out().println(line("Root", e.root(), now));
        if (e.issuer() != null) {
          out().println(line("Issuer", e.issuer(), now));
        }
        if (e.anchors() > 1) {
          out().println("Trust anchors: " + e.anchors() + " (a root rotation is in its overlap)");
        }
      }
      out().flush();
      return 0;
    }

    /** When the current root (the first anchor, as sentry writes them) and the issuer expire; issuer null when unknown. */
    record Expiries(Instant root, Instant issuer, int anchors) {}

    /** The public certificates of the current cluster's CA, from the management server, as `dapr mtls expiry -k` reads the Secret. */
    private Expiries ofCurrentCluster() {
      io.daprx.cli.commands.CurrentCluster.Trust t = io.daprx.cli.commands.CurrentCluster.trust(env,
          "--issuer-credentials DIR or -k/--kubernetes").orElseThrow(() -> new IllegalArgumentException(
              "no cluster is current: give --issuer-credentials DIR (standalone) or -k/--kubernetes, or choose a cluster with"
                  + " 'daprx cluster use -g RG -n NAME'"));
      var anchors = Pem.parseCertificates(t.caCrt());
      if (anchors.isEmpty()) {
        throw new IllegalStateException("the management server returned no trust anchors for cluster " + t.cluster());
      }
      var issuer = t.issuerCrt() == null ? java.util.List.<java.security.cert.X509Certificate>of() : Pem.parseCertificates(t.issuerCrt());
      return new Expiries(anchors.get(0).getNotAfter().toInstant(), issuer.isEmpty() ? null : issuer.get(0).getNotAfter().toInstant(),
          anchors.size());
    }

    private static String line(String what, Instant at, Instant now) {
      long hours = Duration.between(now, at).toHours();
      return hours < 0
          ? what + " certificate EXPIRED " + (-hours) + " hours ago. Expiry date: " + at
          : what + " certificate expires in " + hours + " hours. Expiry date: " + at;
    }
  }

  @Command(name = "renew-certificate", mixinStandardHelpOptions = true,
      description = {"Issue a new issuer certificate (and, with --new-root, a new root) for the control plane's CA.",
          "Running sentries pick the new bundle up by themselves; running workloads keep working through an overlap."})
  static final class Renew extends Base implements Callable<Integer> {

    @Option(names = "--valid-until", defaultValue = "365", paramLabel = "DAYS", description = "validity in days (default: ${DEFAULT-VALUE})")
    int validDays;

    @Option(names = "--root-key", paramLabel = "FILE",
        description = "PEM private key of the current root: renews the issuer under the same root (no disruption), and with --new-root cross-signs the new root")
    Path rootKey;

    @Option(names = "--new-root", description = "make a new root too; both old and new roots are trusted until the old one expires")
    boolean newRoot;

    @Option(names = JwtOptions.KEY_FILENAME_FLAG, defaultValue = JwtOptions.DEFAULT_KEY_FILENAME, paramLabel = "NAME",
        description = "sentry's JWT signing key beside the CA, rotated too when present (default: ${DEFAULT-VALUE})")
    String jwtKeyFilename;

    @Option(names = JwtOptions.JWKS_FILENAME_FLAG, defaultValue = JwtOptions.DEFAULT_JWKS_FILENAME, paramLabel = "NAME",
        description = "its JWKS (default: ${DEFAULT-VALUE})")
    String jwksFilename;

    @Override
    public Integer call() {
      if (validDays <= 0) {
        throw new IllegalArgumentException("--valid-until must be a positive number of days");
      }
      if (!newRoot && rootKey == null) {
        throw new IllegalArgumentException("renewing the issuer under the same root needs that root's private key: pass --root-key FILE,"
            + " or --new-root to make a new root as well (old and new roots are then both trusted)");
      }
      String summary = withStores(jwtKeyFilename, jwksFilename, (store, jwtStore) -> {
        RawBundle raw = store.load();
        if (raw.empty()) {
          throw new IllegalStateException("no CA bundle in " + store.describe() + " to renew: sentry generates one when it first starts");
        }
        CaBundle current = CaBundles.parse(raw, store.describe(), clock, false);
        SpiffeId issuerId = CaBundles.issuerIdentity(current).orElseThrow(() -> new IllegalStateException(
            "the issuer in " + store.describe() + " was not made by sentry (its subject is not O=spiffe://<td>/ns/<ns>/dapr-sentry);"
                + " renew it with the tool that made it"));
        PrivateKey key = rootKey == null ? null : readRootKey(current);
        Duration ttl = Duration.ofDays(validDays);
        CaBundle next = newRoot
            ? CaBundles.renewRoot(current, key, issuerId.trustDomain(), issuerId.namespace(), ttl, clock)
            : CaBundles.renewIssuer(current, key, issuerId.trustDomain(), issuerId.namespace(), ttl, clock);
        // the JWT key's new pair is made before anything is written: a broken one is reported, and the CA renewed regardless
        JwtKeyMaterial jwt = jwtStore.load();
        JwtKeyMaterial rotated = null;
        String jwtProblem = null;
        if (jwt.signingKeyPem() != null) {
          try {
            rotated = JwtKeys.rotate(jwt, jwtStore.describe());
          } catch (IllegalArgumentException e) {
            jwtProblem = e.getMessage();
          }
        }
        store.save(next.toRaw());
        if (rotated != null) {
          jwtStore.save(rotated);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Renewed the CA in ").append(store.describe()).append('\n');
        sb.append("  issuer expires ").append(next.issuerNotAfter()).append('\n');
        sb.append("  root expires   ").append(next.rootNotAfter()).append('\n');
        if (newRoot) {
          sb.append("  trust anchors: the new root and the old one (until ").append(current.rootNotAfter()).append(")\n");
          if (key == null) {
            sb.append("Workloads trust certificates from the new issuer from their next renewal (at most half the workload"
                + " certificate TTL); restart sidecars to make it immediate, or pass --root-key to cross-sign.\n");
          }
        }
        if (rotated != null) {
          sb.append("  JWT signing key rotated in ").append(jwtStore.describe()).append(": new tokens are signed with the new key; the")
              .append(" JWKS keeps the previous key, so tokens signed before verify until they expire (rotate again only after that:")
              .append(" --jwt-ttl, 24h by default)\n");
        } else if (jwtProblem != null) {
          sb.append("  JWT signing key NOT rotated: ").append(jwtProblem).append('\n');
        }
        sb.append("Running sentries pick up the new bundle within seconds; sidecars are not restarted.");
        return sb.toString();
      });
      out().println(summary);
      out().flush();
      return 0;
    }

    private PrivateKey readRootKey(CaBundle current) {
      PrivateKey key;
      try {
        key = Pem.parsePrivateKey(Files.readString(rootKey));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read --root-key " + rootKey + ": " + e.getMessage(), e);
      }
      if (!CaBundles.keyMatches(key, current.root())) {
        throw new IllegalArgumentException("--root-key " + rootKey + " is not the private key of the current root certificate");
      }
      return key;
    }
  }
}
