package io.daprx.cli;

import io.daprx.cli.commands.CurrentCluster;
import io.daprx.common.pki.Pem;
import io.daprx.injector.inject.ManifestInjection;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code daprx inject}: the webhook's injection applied offline to a YAML stream, as {@code linkerd inject} does; the
 * result goes to stdout, what happened to each workload to stderr.
 */
@Command(name = "inject", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Add the daprd sidecar to the pod templates of a YAML stream, as the injector webhook would.",
        "Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs whose template has dapr.io/enabled"
            + " \"true\" are injected; other documents pass through unchanged.",
        "Example: kubectl get deploy web -o yaml | daprx inject -f - --trust-anchors-file ca.crt | kubectl apply -f -"})
final class InjectCommand implements Callable<Integer>, CurrentCluster.Aware {

  /** Where the current cluster is looked up; set by {@link io.daprx.cli.commands.CommandEnvironment}. */
  private Map<String, String> env = System.getenv();

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE|-", description = "the YAML to inject; - reads stdin")
  String file;

  @Option(names = "--trust-anchors-file", paramLabel = "FILE",
      description = "PEM trust anchors for the sidecars' DAPR_TRUST_ANCHORS (default: the current cluster's)")
  Path trustAnchorsFile;

  @Option(names = "--enable", description = "set dapr.io/enabled \"true\" on every workload first")
  boolean enable;

  @Option(names = "--app-id", paramLabel = "ID", description = "set dapr.io/app-id on every workload first (meant for one workload)")
  String appId;

  @Option(names = {"-a", "--annotation"}, paramLabel = "KEY=VALUE",
      description = "set an annotation on every workload's pod template first; KEY without a prefix means dapr.io/KEY")
  Map<String, String> annotations = new LinkedHashMap<>();

  @Mixin
  SidecarFlags sidecar;

  @Override
  public Integer call() {
    String anchors = trustAnchorsFile != null ? anchorsFromFile() : anchorsOfCurrentCluster();
    if (Pem.parseCertificates(anchors).isEmpty()) {
      throw new IllegalArgumentException((trustAnchorsFile != null ? "--trust-anchors-file " + trustAnchorsFile
          : "the trust anchors of the current cluster") + " holds no PEM CERTIFICATE");
    }
    Map<String, String> extra = new LinkedHashMap<>();
    if (enable) {
      extra.put("dapr.io/enabled", "true");
    }
    if (appId != null) {
      extra.put("dapr.io/app-id", appId);
    }
    extra.putAll(annotations);
    String source = file.equals("-") ? "stdin" : file;
    ManifestInjection.Result r = new ManifestInjection(sidecar.settings(anchors), extra).inject(read(), source);
    // all or nothing: the YAML is printed only once every document went through
    PrintWriter out = spec.commandLine().getOut();
    out.print(r.yaml());
    out.flush();
    PrintWriter err = spec.commandLine().getErr();
    r.notes().forEach(err::println);
    if (r.notes().isEmpty()) {
      err.println("no workloads in " + source);
    }
    err.flush();
    return 0;
  }

  private String anchorsFromFile() {
    try {
      return Files.readString(trustAnchorsFile);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--trust-anchors-file " + trustAnchorsFile + " does not exist; `daprx mtls export`"
          + " writes ca.crt");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --trust-anchors-file " + trustAnchorsFile + ": " + e.getMessage(), e);
    }
  }

  /** Without a file, the anchors of the current cluster's control plane, as the sidecars it would run with need. */
  private String anchorsOfCurrentCluster() {
    return CurrentCluster.trust(env, "--trust-anchors-file FILE").map(CurrentCluster.Trust::caCrt).orElseThrow(() ->
        new IllegalArgumentException("--trust-anchors-file is required when no cluster is current: sidecars verify the control"
            + " plane with these anchors. Choose the cluster with `daprx cluster use -g GROUP -n CLUSTER`, or export its anchors"
            + " with `daprx mtls export -g GROUP -n CLUSTER --out DIR` (then use DIR/ca.crt), or take ca.crt from sentry's"
            + " issuer-credentials directory"));
  }

  @Override
  public void useEnvironment(Map<String, String> environment) {
    this.env = environment;
  }

  private String read() {
    try {
      if (file.equals("-")) {
        InputStream in = System.in;
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      return Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no such file: " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
