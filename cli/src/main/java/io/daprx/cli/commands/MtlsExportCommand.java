package io.daprx.cli.commands;

import io.daprx.common.io.AtomicFiles;
import io.daprx.common.pki.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code daprx mtls export}: writes a cluster's trust anchors ({@code ca.crt}) for sidecars and tools. */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Write the trust anchors (ca.crt) of a cluster's control plane.")
public final class MtlsExportCommand extends ClientCommand implements Callable<Integer> {

  @Option(names = {"--resource-group", "-g"})
  String resourceGroup;

  @Option(names = {"--name", "-n", "--cluster-name", "-c"})
  String name;

  @Option(names = "--out", required = true, paramLabel = "DIR")
  Path out;

  @Override
  public Integer call() {
    ClusterRef c = cluster(resourceGroup, name, null);
    String ca = api().get(clusterPath(c) + "/trustBundle").body().path("ca.crt").asText("");
    try {
      // sidecars and tools trust what this file says: a file that is not certificates must never replace one that is
      Pem.parseCertificates(ca);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the trust anchors the management server returned for cluster " + c.name() + " are not"
          + " PEM certificates (" + e.getMessage() + "); nothing was written. Check the cluster's control plane"
          + " ('daprx k8s-extension show'), then try again");
    }
    Path file = out.resolve("ca.crt");
    try {
      AtomicFiles.replace(file, ca.getBytes(StandardCharsets.UTF_8)); // whole or not at all
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    out().println("Trust anchors written to " + out.resolve("ca.crt").toAbsolutePath());
    out().flush();
    return 0;
  }
}
