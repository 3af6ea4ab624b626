package io.daprx.cli.commands;

import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.kube.ControlPlaneManifests;
import io.daprx.manager.kube.CrdSource;
import io.daprx.manager.kube.InstallSpec;
import io.daprx.manager.kube.ManifestWriter;
import io.daprx.cli.output.Output;
import io.daprx.cli.output.OutputFormat;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code daprx manifests}: the Kubernetes objects of an install, without a server or a cluster. */
@Command(name = "manifests", mixinStandardHelpOptions = true, subcommands = ManifestsCommand.Render.class,
    description = "Show the Kubernetes objects of a Dapr install.")
public final class ManifestsCommand {

  /** {@code daprx manifests render}: what an install would apply, like {@code helm template}. */
  @Command(name = "render", sortOptions = false,
      description = {"Print every Kubernetes object of a Dapr install, in apply order, as multi-document YAML (or a JSON List).",
          "Needs no server and no cluster. The CA is left to sentry, which generates it into the empty dapr-trust-bundle Secret."})
  static final class Render implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = {"--namespace", "--release-namespace"}, defaultValue = "dapr-system",
        description = "the control-plane namespace (default: ${DEFAULT-VALUE})")
    String namespace;

    @Option(names = {"--configuration-settings", "--config"}, arity = "1..*", paramLabel = "KEY=VALUE",
        description = "settings, e.g. global.ha.enabled=false")
    List<String> config = new ArrayList<>();

    @Option(names = {"--config-settings-file", "--configuration-settings-file"}, description = "JSON file of settings")
    Path configFile;

    @Option(names = "--version", description = "a supported version of the release train (default: its newest)")
    String version;

    @Option(names = "--release-train", defaultValue = Catalog.DEFAULT_TRAIN, description = "stable or dev (default: ${DEFAULT-VALUE})")
    String releaseTrain;

    @Option(names = "--catalog", paramLabel = "FILE|URL", description = "a version catalog to use instead of the built-in one")
    String catalog;

    @Option(names = {"-o", "--output"}, defaultValue = "yaml", description = "yaml or json (default: ${DEFAULT-VALUE})")
    String output;

    @Override
    public Integer call() {
      String format = output.toLowerCase(Locale.ROOT);
      if (!format.equals("yaml") && !format.equals("json")) {
        throw new IllegalArgumentException("invalid --output '" + output + "': use yaml or json");
      }
      DaprSettings settings = DaprSettings.parse(K8sExtensionCommand.settings(config, configFile, "--configuration-settings", true));
      Catalog versions = Catalog.load(catalog);
      Release release = version != null ? versions.requested(version, releaseTrain) : versions.defaultVersion(releaseTrain);
      List<HasMetadata> objects = ControlPlaneManifests.render(new InstallSpec(namespace, settings, release, null),
          CrdSource.classpath(ManifestsCommand.class.getClassLoader()));
      PrintWriter out = spec.commandLine().getOut();
      // the CLI's one JSON style and one YAML style (az's, which is kubectl's block style too), not fabric8's quoting
      out.print(format.equals("json") ? Output.render(tree(ManifestWriter.json(objects)), OutputFormat.JSON, null, false, List.of())
          : Output.yamlStream(objects.stream().map(o -> tree(ManifestWriter.json(List.of(o))).path("items").path(0)).toList()));
      out.flush();
      return 0;
    }

    private static com.fasterxml.jackson.databind.JsonNode tree(String json) {
      try {
        return JSON.readTree(json);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
}
