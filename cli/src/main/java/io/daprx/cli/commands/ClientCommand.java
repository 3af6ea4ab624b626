package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.cli.client.ApiClient;
import io.daprx.cli.client.ClientHome;
import io.daprx.cli.client.Connection;
import io.daprx.cli.output.Output;
import io.daprx.cli.output.OutputFormat;
import io.daprx.cli.output.Progress;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command that talks to the management server shares: global options, the connection, output. */
public abstract class ClientCommand {

  /** The subscription every path is under; the server answers for one subscription, found at first use. */
  private String subscription;

  @Spec
  protected CommandSpec spec;

  @Mixin
  protected GlobalOptions global;

  private ApiClient api;

  /** Set by {@link CommandEnvironment}; null: the process's. */
  Map<String, String> environment;

  /** Set by {@link CommandEnvironment}; null: the process's. */
  Terminal terminal;

  protected Terminal terminal() {
    return terminal != null ? terminal : Terminal.system();
  }

  /** Whether a spinner belongs on this run: on stderr when it is a terminal, unless the output is none or only errors are shown. */
  protected boolean showsProgress() {
    return Progress.enabledFor(terminal().stderrIsTerminal(), format(), global.onlyShowErrors);
  }

  protected Map<String, String> env() {
    return environment != null ? environment : System.getenv();
  }

  protected ClientHome home() {
    return ClientHome.fromEnvironment(env());
  }

  protected ApiClient api() {
    if (api == null) {
      api = Connection.connect(home(), env(), this::debug, this::verbose);
    }
    return api;
  }

  protected String sub() {
    if (subscription == null) {
      ApiClient c = api();
      JsonNode local = home().serverInfo();
      // the local server records its subscription beside its address, sparing a round trip
      if (local != null && c.base().toString().startsWith(local.path("url").asText("?")) && local.hasNonNull("subscription")) {
        subscription = local.path("subscription").asText();
      } else {
        subscription = c.get("subscriptions").body().path("value").path(0).path("subscriptionId").asText();
      }
    }
    return subscription;
  }

  protected String subPath() {
    return "subscriptions/" + sub();
  }

  protected PrintWriter out() {
    return spec.commandLine().getOut();
  }

  protected PrintWriter err() {
    return spec.commandLine().getErr();
  }

  protected void warn(String message) {
    if (!global.onlyShowErrors) {
      err().println("WARNING: " + message);
      err().flush();
    }
  }

  protected void verbose(String message) {
    if (global.verbose || global.debug) {
      err().println("INFO: " + message);
      err().flush();
    }
  }

  protected void debug(String message) {
    if (global.debug) {
      err().println("DEBUG: " + message);
      err().flush();
    }
  }

  /**
   * Checks what picocli's parsing cannot, just before the command runs; Main turns an error here into a usage error
   * (exit 2), as argparse's in az. Here: {@code -o} is one of az's formats; commands that take other values override it.
   */
  public void checkArguments() {
    OutputFormat.parse(global.output);
  }

  protected OutputFormat format() {
    return OutputFormat.parse(global.output);
  }

  /** Prints a result in the chosen format, with the command's table columns when no query is given. */
  protected void print(JsonNode result, List<Output.Column> tableColumns) {
    String text = Output.render(result, format(), global.query, terminal().stdoutIsTerminal(), tableColumns);
    out().print(text);
    out().flush();
  }

  protected void print(JsonNode result) {
    print(result, List.of());
  }

  /** ARM lists come as {"value": [...]}: commands print the array. */
  protected static JsonNode items(JsonNode list) {
    return list.has("value") ? list.get("value") : list;
  }

  // ---- clusters

  /** A cluster reference: resource group, name, and type ({@code managedClusters} or {@code connectedClusters}). */
  public record ClusterRef(String resourceGroup, String name, String type) {}

  protected String clusterPath(ClusterRef c) {
    String rp = switch (c.type().toLowerCase(java.util.Locale.ROOT)) {
      case "managedclusters" -> "Microsoft.ContainerService/managedClusters";
      case "connectedclusters" -> "Microsoft.Kubernetes/connectedClusters";
      default -> throw new IllegalArgumentException("invalid --cluster-type '" + c.type() + "': use managedClusters or connectedClusters");
    };
    return subPath() + "/resourceGroups/" + c.resourceGroup() + "/providers/" + rp + "/" + c.name();
  }

  /** The API path of the cluster the options name, or of the current cluster. */
  protected String clusterPath(ClusterOptions o) {
    return clusterPath(cluster(o.resourceGroup, o.name, null));
  }

  /** The given cluster, or the current one ({@code daprx cluster use}); an error saying how to choose when neither. */
  protected ClusterRef cluster(String rg, String name, String type) {
    if (rg != null && name != null) {
      return new ClusterRef(rg, name, type == null ? "managedClusters" : type);
    }
    if (rg != null || name != null) {
      throw new IllegalArgumentException("give both --resource-group/-g and --cluster-name/-c, or neither to use the current cluster");
    }
    return currentCluster().orElseThrow(() -> new IllegalArgumentException(
        "no cluster given and no current cluster: pass -g RG --cluster-name NAME, or choose one with 'daprx cluster use -g RG -n NAME'"));
  }

  protected Optional<ClusterRef> currentCluster() {
    JsonNode c = home().config().path("currentCluster");
    if (c.isMissingNode() || c.isNull()) {
      return Optional.empty();
    }
    return Optional.of(new ClusterRef(c.path("resourceGroup").asText(), c.path("name").asText(), c.path("type").asText("managedClusters")));
  }

  protected void setCurrentCluster(ClusterRef c) {
    ObjectNode config = home().config();
    if (c == null) {
      config.remove("currentCluster");
    } else {
      ObjectNode cur = config.putObject("currentCluster");
      cur.put("resourceGroup", c.resourceGroup());
      cur.put("name", c.name());
      cur.put("type", c.type());
    }
    home().saveConfig(config);
  }
}
