package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.cli.client.ClientHome;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code daprx extension}: the CLI's optional command groups ({@code k8s-extension}, {@code connectedk8s}),
 * as {@code az extension}. They ship inside daprx; adding one turns it on, as installing does for az.
 */
@Command(name = "extension", mixinStandardHelpOptions = true, description = "Manage optional command groups of the CLI.",
    subcommands = {ExtensionCommand.Add.class, ExtensionCommand.Update.class, ExtensionCommand.ListExt.class,
        ExtensionCommand.Show.class, ExtensionCommand.Remove.class})
public final class ExtensionCommand {

  /** Command groups that can be added, with their versions and summaries. */
  static final Map<String, String[]> AVAILABLE = Map.of(
      "k8s-extension", new String[] {"1.6.3", "Microsoft Azure Command-Line Tools K8s-extension Extension"},
      "connectedk8s", new String[] {"1.10.0", "Microsoft Azure Command-Line Tools Connectedk8s Extension"});

  static ObjectNode describe(String name) {
    String[] a = AVAILABLE.get(name);
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("experimental", false);
    o.put("extensionType", "whl");
    o.put("name", name);
    o.put("path", "builtin:" + name);
    o.put("preview", false);
    o.put("summary", a[1]);
    o.put("version", a[0]);
    return o;
  }

  static boolean installed(ClientHome home, String name) {
    return home.config().path("extensions").has(name);
  }

  /** Adds a command group the first time a command of it is used, as az's dynamic install does. */
  static void ensureInstalled(ClientCommand cmd, String name) {
    if (!installed(cmd.home(), name)) {
      cmd.warn("The command requires the extension " + name + ". It will be installed first.");
      setInstalled(cmd.home(), name, true);
    }
  }

  static void setInstalled(ClientHome home, String name, boolean on) {
    ObjectNode config = home.config();
    ObjectNode ext = config.has("extensions") ? (ObjectNode) config.get("extensions") : config.putObject("extensions");
    if (on) {
      ext.put(name, AVAILABLE.get(name)[0]);
    } else {
      ext.remove(name);
    }
    home.saveConfig(config);
  }

  abstract static class Named extends ClientCommand {
    @Option(names = {"--name", "-n"}, required = true, description = "the command group, e.g. k8s-extension")
    String name;

    void requireKnown() {
      if (!AVAILABLE.containsKey(name)) {
        throw new IllegalArgumentException("No matching extensions for '" + name + "'. Available: " + String.join(", ", AVAILABLE.keySet()));
      }
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a command group.")
  static final class Add extends Named implements Callable<Integer> {
    @Override
    public Integer call() {
      requireKnown();
      if (installed(home(), name)) {
        warn("Extension '" + name + "' is already installed.");
        return 0;
      }
      setInstalled(home(), name, true);
      return 0;
    }
  }

  @Command(name = "update", mixinStandardHelpOptions = true, description = "Update a command group to the version in this daprx.")
  static final class Update extends Named implements Callable<Integer> {
    @Override
    public Integer call() {
      requireKnown();
      if (!installed(home(), name)) {
        throw new IllegalArgumentException("The extension " + name + " is not installed. Add it with: daprx extension add --name " + name);
      }
      warn("Latest version of '" + name + "' is already installed.");
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show an added command group.")
  static final class Show extends Named implements Callable<Integer> {
    @Override
    public Integer call() {
      requireKnown();
      if (!installed(home(), name)) {
        throw new IllegalArgumentException("The extension " + name + " is not installed.");
      }
      print(describe(name));
      return 0;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a command group.")
  static final class Remove extends Named implements Callable<Integer> {
    @Override
    public Integer call() {
      requireKnown();
      if (!installed(home(), name)) {
        throw new IllegalArgumentException("The extension " + name + " is not installed.");
      }
      setInstalled(home(), name, false);
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List added command groups.")
  static final class ListExt extends ClientCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      JsonNode ext = home().config().path("extensions");
      AVAILABLE.keySet().stream().sorted().filter(ext::has).forEach(n -> out.add(describe(n)));
      print(out, java.util.List.of(new io.daprx.cli.output.Output.Column("Experimental", "experimental"),
          new io.daprx.cli.output.Output.Column("ExtensionType", "extensionType"), new io.daprx.cli.output.Output.Column("Name", "name"),
          new io.daprx.cli.output.Output.Column("Path", "path"), new io.daprx.cli.output.Output.Column("Preview", "preview"),
          new io.daprx.cli.output.Output.Column("Version", "version")));
      return 0;
    }
  }
}
