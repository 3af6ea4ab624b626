package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code daprx group}: resource groups, as {@code az group}. */
@Command(name = "group", mixinStandardHelpOptions = true, description = "Manage resource groups.",
    subcommands = {GroupCommand.Create.class, GroupCommand.ListGroups.class, GroupCommand.Show.class, GroupCommand.Delete.class})
public final class GroupCommand {

  static final List<io.daprx.cli.output.Output.Column> TABLE = List.of(new io.daprx.cli.output.Output.Column("Name", "name"),
      new io.daprx.cli.output.Output.Column("Location", "location"), new io.daprx.cli.output.Output.Column("Status", "properties.provisioningState"));

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a resource group (or show the existing one).")
  static final class Create extends ClientCommand implements Callable<Integer> {
    @Option(names = {"--name", "-n", "--resource-group", "-g"}, required = true)
    String name;

    @Option(names = {"--location", "-l"}, defaultValue = "local")
    String location;

    @Override
    public Integer call() {
      print(api().send("PUT", subPath() + "/resourcegroups/" + name, JsonNodeFactory.instance.objectNode().put("location", location), Map.of()).body());
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a resource group.")
  static final class Show extends ClientCommand implements Callable<Integer> {
    @Option(names = {"--name", "-n", "--resource-group", "-g"}, required = true)
    String name;

    @Override
    public Integer call() {
      print(api().get(subPath() + "/resourcegroups/" + name).body(), TABLE);
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List resource groups.")
  static final class ListGroups extends ClientCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      print(items(api().get(subPath() + "/resourcegroups").body()), TABLE);
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete an empty resource group.")
  static final class Delete extends ClientCommand implements Callable<Integer> {
    @Option(names = {"--name", "-n", "--resource-group", "-g"}, required = true)
    String name;

    @Option(names = {"--yes", "-y"})
    boolean yes;

    @Override
    public Integer call() {
      if (!yes) {
        Confirm.ask(this, "Are you sure you want to perform this operation?");
      }
      api().send("DELETE", subPath() + "/resourcegroups/" + name, null, Map.of());
      return 0;
    }
  }
}
