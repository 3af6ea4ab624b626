package io.daprx.cli.commands;

import io.daprx.cli.output.Output;
import io.daprx.cli.output.TableColumns;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code daprx k8s-extension extension-types}: what can be installed, with the parameters of az's group of that name. */
@Command(name = "extension-types", mixinStandardHelpOptions = true,
    description = "Show the extension types and the versions a cluster can install.",
    subcommands = {ExtensionTypesCommand.ListVersionsByCluster.class})
public final class ExtensionTypesCommand {

  static final List<Output.Column> VERSIONS_TABLE = TableColumns.of(
      "Version", "properties.version",
      "ReleaseTrain", "properties.releaseTrain",
      "DaprVersion", "properties.daprVersion",
      "ClusterTypes", "join(', ', properties.supportedClusterTypes)");

  @Command(name = "list-versions-by-cluster", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"List the versions of an extension type a cluster can install: the supported ones of the release train "
          + "(the latest patch of its newest three minors), oldest first.",
          "A local (managedClusters) cluster lists only versions it can run: those with a local distribution, and this build."})
  static final class ListVersionsByCluster extends K8sExtensionCommand.OnCluster implements Callable<Integer> {
    @Option(names = "--extension-type", required = true, description = "the extension type: Microsoft.Dapr")
    String extensionType;

    @Option(names = "--release-train", defaultValue = "stable", description = "stable or dev (default: ${DEFAULT-VALUE})")
    String releaseTrain;

    @Option(names = "--major-version", description = "only versions of this major version, e.g. 1")
    String majorVersion;

    @Option(names = "--show-latest", description = "only the newest version")
    boolean showLatest;

    @Override
    public Integer call() {
      StringBuilder path = new StringBuilder(onClusterPath()).append("/providers/Microsoft.KubernetesConfiguration/extensionTypes/")
          .append(encode(extensionType)).append("/versions?releaseTrain=").append(encode(releaseTrain));
      if (majorVersion != null) {
        path.append("&majorVersion=").append(encode(majorVersion));
      }
      if (showLatest) {
        path.append("&showLatest=true");
      }
      print(items(api().get(path.toString()).body()), VERSIONS_TABLE);
      return 0;
    }

    private static String encode(String value) {
      return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
  }
}
