package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.cli.client.ApiClient;
import io.daprx.cli.client.ApiError;
import io.daprx.cli.output.AzShape;
import io.daprx.cli.output.Output;
import io.daprx.cli.output.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code daprx k8s-extension}: cluster extensions, with the parameters and rules of {@code az k8s-extension}. */
@Command(name = "k8s-extension", mixinStandardHelpOptions = true, description = "Manage cluster extensions (Microsoft.Dapr).",
    subcommands = {K8sExtensionCommand.Create.class, K8sExtensionCommand.Update.class, K8sExtensionCommand.Show.class,
        K8sExtensionCommand.ListExt.class, K8sExtensionCommand.Delete.class, ExtensionTypesCommand.class})
public final class K8sExtensionCommand {

  static final List<Output.Column> TABLE = List.of(
      new Output.Column("Name", "name"),
      new Output.Column("ExtensionType", "extensionType"),
      new Output.Column("Version", "currentVersion"),
      new Output.Column("ProvisioningState", "provisioningState"),
      new Output.Column("LastModifiedAt", "systemData.lastModifiedAt"),
      new Output.Column("IsSystemExtension", "isSystemExtension"));

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How often, and how many times, a create or update asks again while the subscription's registrations finish (a minute in all). */
  static final Duration REGISTRATION_POLL = Duration.ofMillis(500);
  static final int REGISTRATION_WAIT_POLLS = 120;

  /** The options that say which cluster. */
  abstract static class OnCluster extends ClientCommand {
    @Option(names = {"--cluster-name", "-c"}, description = "the cluster (default: the current cluster)")
    String clusterName;

    @Option(names = {"--resource-group", "-g"}, description = "its resource group (default: the current cluster's)")
    String resourceGroup;

    @Option(names = {"--cluster-type", "-t"}, description = "managedClusters or connectedClusters (default: managedClusters)")
    String clusterType;

    /** The cluster's resource path; first makes sure the {@code k8s-extension} command group is installed, as az does. */
    String onClusterPath() {
      ExtensionCommand.ensureInstalled(this, "k8s-extension");
      String type = clusterType;
      if (type != null && !type.equalsIgnoreCase("managedClusters") && !type.equalsIgnoreCase("connectedClusters")) {
        throw new IllegalArgumentException("invalid --cluster-type '" + type + "': use managedClusters or connectedClusters");
      }
      return clusterPath(cluster(resourceGroup, clusterName, type));
    }

    String extensionsPath() {
      return onClusterPath() + "/providers/Microsoft.KubernetesConfiguration/extensions";
    }
  }

  abstract static class Named extends OnCluster {
    @Option(names = {"--name", "-n"}, required = true, description = "the extension's name")
    String name;
  }

  /** Waits for a long-running operation and prints the resource (or the failure), as az does without --no-wait. */
  static int await(ClientCommand cmd, ApiClient.Response accepted, String resourcePath, boolean print) throws InterruptedException {
    String op = accepted.header("Azure-AsyncOperation").orElseThrow(() -> new IllegalStateException("the server gave no operation to follow"));
    Instant deadline = Instant.now().plus(Duration.ofMinutes(15));
    JsonNode status;
    Map<String, String> steps = new LinkedHashMap<>();
    try (Progress p = Progress.start(cmd.err(), cmd.showsProgress(), "Running")) {
      while (true) {
        status = cmd.api().get(op).body();
        if (!"InProgress".equals(status.path("status").asText())) {
          break;
        }
        if (cmd.global.verbose && print) {
          steps(cmd, resourcePath, steps, p);
        }
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("the operation is still running after 15 minutes; follow it with 'daprx k8s-extension show'");
        }
        p.tick();
        Thread.sleep(250); // polls the operation, as az polls Azure-AsyncOperation
      }
    }
    if (!"Succeeded".equals(status.path("status").asText())) {
      JsonNode e = status.path("error");
      throw new ApiError(500, e.path("code").asText("OperationFailed"), e.path("message").asText("the operation " + status.path("status").asText()));
    }
    if (print) {
      try {
        cmd.print(AzShape.extension(cmd.api().get(resourcePath).body()), TABLE);
      } catch (ApiError gone) {
        if (gone.status() != 404) {
          throw gone;
        }
      }
    }
    return 0;
  }

  /**
   * {@code --verbose} during a create or update: each component's ready count as the server reports it in the
   * extension's statuses ({@code dapr-sentry 2/3 ready}), printed when it changes, so a 30-50 s wait shows what it waits for.
   */
  private static void steps(ClientCommand cmd, String resourcePath, Map<String, String> seen, Progress p) {
    JsonNode statuses;
    try {
      statuses = cmd.api().get(resourcePath).body().path("properties").path("statuses");
    } catch (ApiError notYet) {
      return; // the resource is written with the operation; a later poll reads it
    }
    for (JsonNode s : statuses) {
      String display = s.path("displayStatus").asText("");
      if (display.isEmpty()) {
        continue;
      }
      String step = display.split(" ", 2)[0];
      if (!display.equals(seen.put(step, display))) {
        p.println("INFO: " + display);
      }
    }
  }

  /** Settings from repeated {@code k=v} flags and a JSON file; on update inline wins, on create they are exclusive. */
  static Map<String, String> settings(List<String> inline, Path file, String flag, boolean exclusive) {
    Map<String, String> out = new LinkedHashMap<>();
    if (file != null) {
      if (exclusive && inline != null && !inline.isEmpty()) {
        throw new IllegalArgumentException("Error! Both " + flag + " and " + flag + "-file cannot be provided.");
      }
      try {
        JsonNode n = JSON.readTree(Files.readString(file));
        if (!n.isObject()) {
          throw new IllegalArgumentException(flag + "-file " + file + " must hold a JSON object of settings");
        }
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + flag + "-file " + file + ": " + e.getMessage());
      }
    }
    if (inline != null) {
      for (String kv : inline) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("invalid " + flag + " value '" + (flag.contains("protected") ? "***" : kv)
              + "': use key=value, e.g. global.ha.enabled=false");
        }
        out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
      }
    }
    return out;
  }

  /**
   * A boolean flag's value as az's {@code three_state_flag} reads it (true/yes/1, false/no/0, any case); anything else
   * is a usage error while the arguments are parsed (exit 2), as in az.
   */
  static final class BooleanText implements picocli.CommandLine.ITypeConverter<Boolean> {
    @Override
    public Boolean convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "true", "yes", "1" -> true;
        case "false", "no", "0" -> false;
        default -> throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not true or false");
      };
    }
  }

  /** The options create and update share, and how they become the request's properties. */
  abstract static class Writes extends Named {
    @Mixin
    HelpOption help;

    @Option(names = {"--auto-upgrade-minor-version", "--auto-upgrade"}, arity = "1", converter = BooleanText.class, paramLabel = "BOOL",
        description = "follow new minor versions automatically: true or false")
    Boolean autoUpgrade;

    @Option(names = "--version", description = "pin this version (needs --auto-upgrade-minor-version false)")
    String version;

    @Option(names = "--release-train", description = "stable or dev (default: stable)")
    String releaseTrain;

    @Option(names = {"--configuration-settings", "--config"}, arity = "1..*", paramLabel = "KEY=VALUE", description = "settings, e.g. global.ha.enabled=false")
    List<String> config = new ArrayList<>();

    @Option(names = {"--config-protected-settings", "--configuration-protected-settings"}, arity = "1..*", paramLabel = "KEY=VALUE",
        description = "settings stored encrypted and never shown")
    List<String> protectedConfig = new ArrayList<>();

    @Option(names = {"--config-settings-file", "--configuration-settings-file"}, description = "JSON file of settings")
    Path configFile;

    @Option(names = {"--config-protected-settings-file", "--configuration-protected-settings-file"}, description = "JSON file of protected settings")
    Path protectedFile;

    @Option(names = "--no-wait", description = "do not wait for the operation to finish")
    boolean noWait;

    Map<String, String> settings(boolean exclusive) {
      return K8sExtensionCommand.settings(config, configFile, "--configuration-settings", exclusive);
    }

    Map<String, String> protectedSettings(boolean exclusive) {
      return K8sExtensionCommand.settings(protectedConfig, protectedFile, "--config-protected-settings", exclusive);
    }

    /** Fills the version fields; az refuses a pinned version that would be upgraded automatically. */
    ObjectNode versionProperties(ObjectNode p) {
      Boolean auto = autoUpgrade;
      if (version != null && (auto == null || auto)) {
        throw new IllegalArgumentException("To pin to specific version, auto-upgrade-minor-version must be set to 'false'.");
      }
      if (auto != null) {
        p.put("autoUpgradeMinorVersion", auto);
      }
      if (version != null) {
        p.put("version", version);
      }
      if (releaseTrain != null) {
        p.put("releaseTrain", releaseTrain);
      }
      return p;
    }

    /** Sends the request and, unless --no-wait, follows the operation to its end. */
    int send(String method, ObjectNode body, Map<String, String> headers) throws InterruptedException {
      String path = extensionsPath() + "/" + name;
      ApiClient.Response r = sendOnceRegistered(method, path, body, headers);
      return noWait ? 0 : await(this, r, path, true);
    }

    /**
     * Sends the request, waiting out registrations still in progress: the seed's commands pasted as one block reach
     * create a few seconds after 'provider register', while the providers are still Registering. The server refuses
     * such a request before doing anything ({@code RegistrationInProgress}), so sending it again is safe. Bounded: a
     * registration that takes longer than {@link #REGISTRATION_WAIT_POLLS} polls is reported as the server words it.
     */
    private ApiClient.Response sendOnceRegistered(String method, String path, ObjectNode body, Map<String, String> headers)
        throws InterruptedException {
      try (Progress p = Progress.start(err(), showsProgress(), "Waiting for registrations")) {
        for (int attempt = 1; ; attempt++) {
          try {
            return api().send(method, path, body, headers);
          } catch (ApiError e) {
            if (!"RegistrationInProgress".equals(e.code()) || attempt >= REGISTRATION_WAIT_POLLS) {
              throw e;
            }
            if (attempt == 1) {
              verbose(e.getMessage() + " Waiting.");
            }
            p.tick();
            Thread.sleep(REGISTRATION_POLL.toMillis());
          }
        }
      }
    }
  }

  @Command(name = "create", sortOptions = false, description = "Create a cluster extension.")
  static final class Create extends Writes implements Callable<Integer> {
    @Option(names = "--extension-type", required = true, description = "the extension type: Microsoft.Dapr")
    String extensionType;

    @Option(names = "--scope", description = "cluster or namespace (Microsoft.Dapr: cluster)")
    String scope;

    @Option(names = "--release-namespace", description = "namespace of the install (default: dapr-system)")
    String releaseNamespace;

    @Option(names = "--target-namespace", description = "namespace, with --scope namespace")
    String targetNamespace;

    @Override
    public Integer call() throws InterruptedException {
      ObjectNode body = JSON.createObjectNode();
      ObjectNode p = versionProperties(body.putObject("properties"));
      p.put("extensionType", extensionType);
      if (scope != null && scope.equalsIgnoreCase("namespace")) {
        p.putObject("scope").putObject("namespace").put("targetNamespace", targetNamespace == null ? "default" : targetNamespace);
      } else if (scope != null && !scope.equalsIgnoreCase("cluster")) {
        throw new IllegalArgumentException("invalid --scope '" + scope + "': use cluster or namespace");
      } else {
        ObjectNode c = p.putObject("scope").putObject("cluster");
        if (releaseNamespace != null) {
          c.put("releaseNamespace", releaseNamespace);
        }
      }
      p.set("configurationSettings", JSON.valueToTree(settings(true)));
      p.set("configurationProtectedSettings", JSON.valueToTree(protectedSettings(true)));
      return send("PUT", body, Map.of("If-None-Match", "*"));
    }
  }

  @Command(name = "update", sortOptions = false, description = "Update a cluster extension.")
  static final class Update extends Writes implements Callable<Integer> {
    @Option(names = {"--yes", "-y"}, description = "do not ask for confirmation")
    boolean yes;

    @Override
    public Integer call() throws InterruptedException {
      ObjectNode body = JSON.createObjectNode();
      ObjectNode p = versionProperties(body.putObject("properties"));
      Map<String, String> settings = settings(false);
      Map<String, String> protectedSettings = protectedSettings(false);
      if ((!settings.isEmpty() || !protectedSettings.isEmpty()) && !yes) {
        Confirm.ask(this, "Updating properties in --config-settings or --config-protected-settings may lead to undesirable state if the"
            + " cluster extension type does not support it. Please refer to the documentation of the cluster extension service to check"
            + " if updates to these properties is supported. Do you wish to proceed?");
      }
      if (!settings.isEmpty()) {
        p.set("configurationSettings", JSON.valueToTree(settings));
      }
      if (!protectedSettings.isEmpty()) {
        p.set("configurationProtectedSettings", JSON.valueToTree(protectedSettings));
      }
      return send("PATCH", body, Map.of());
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a cluster extension.")
  static final class Show extends Named implements Callable<Integer> {
    @Override
    public Integer call() {
      print(AzShape.extension(api().get(extensionsPath() + "/" + name).body()), TABLE);
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the extensions of a cluster.")
  static final class ListExt extends OnCluster implements Callable<Integer> {
    @Override
    public Integer call() {
      print(AzShape.extension(items(api().get(extensionsPath()).body())), TABLE);
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a cluster extension and remove its install.")
  static final class Delete extends Named implements Callable<Integer> {
    @Option(names = {"--yes", "-y"}, description = "do not ask for confirmation")
    boolean yes;

    @Option(names = "--force", description = "remove the extension resource even if removing the install fails")
    boolean force;

    @Option(names = "--no-wait", description = "do not wait for the operation to finish")
    boolean noWait;

    @Override
    public Integer call() throws InterruptedException {
      String path = extensionsPath() + "/" + name;
      if (!yes) {
        Confirm.ask(this, "Are you sure you want to perform this operation?");
      }
      ApiClient.Response r = api().send("DELETE", path + (force ? "?forceDelete=true" : ""), null, Map.of());
      if (r.status() == 204) {
        warn("No extension with name '" + name + "' found on cluster '" + (clusterName != null ? clusterName
            : currentCluster().map(ClusterRef::name).orElse("")) + "'");
        return 0;
      }
      if (noWait) {
        return 0;
      }
      return await(this, r, path, false);
    }
  }
}
