package io.daprx.cli.commands;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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
    String ca = api().get(clusterPath(cluster(resourceGroup, name, null)) + "/trustBundle").body().path("ca.crt").asText();
    try {
      Files.createDirectories(out);
      Files.writeString(out.resolve("ca.crt"), ca);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out.resolve("ca.crt") + ": " + e.getMessage(), e);
    }
    out().println("Trust anchors written to " + out.resolve("ca.crt").toAbsolutePath());
    out().flush();
    return 0;
  }
}
