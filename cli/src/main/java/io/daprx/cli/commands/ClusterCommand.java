package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.daprx.cli.client.ApiError;
import io.daprx.cli.output.AzShape;
import io.daprx.cli.output.Output;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code daprx cluster}: local managed clusters (each replica of the control plane a local process). */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Manage local clusters.",
    subcommands = {ClusterCommand.Create.class, ClusterCommand.ListClusters.class, ClusterCommand.Show.class, ClusterCommand.Delete.class,
        ClusterCommand.Use.class, ClusterCommand.Start.class, ClusterCommand.Stop.class, GetCredentialsCommand.class})
public final class ClusterCommand {

  static final List<Output.Column> TABLE = List.of(new Output.Column("Name", "name"), new Output.Column("Location", "location"),
      new Output.Column("PowerState", "powerState.code"), new Output.Column("ProvisioningState", "provisioningState"));

  abstract static class Named extends ClientCommand {
    @Option(names = {"--resource-group", "-g"}, required = true)
    String resourceGroup;

    @Option(names = {"--name", "-n"}, required = true)
    String name;

    String path() {
      return clusterPath(new ClusterRef(resourceGroup, name, "managedClusters"));
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a local cluster and make it the current one.")
  static final class Create extends Named implements Callable<Integer> {
    @Option(names = {"--location", "-l"}, description = "a label (default: the resource group's)")
    String location;

    @Override
    public Integer call() {
      try {
        api().get(subPath() + "/resourcegroups/" + resourceGroup);
      } catch (ApiError e) {
        if (e.status() != 404) {
          throw e;
        }
        verbose("Resource group '" + resourceGroup + "' does not exist: creating it");
        api().send("PUT", subPath() + "/resourcegroups/" + resourceGroup, JsonNodeFactory.instance.objectNode().put("location", "local"), Map.of());
      }
      JsonNode body = JsonNodeFactory.instance.objectNode().put("location", location);
      JsonNode created = api().send("PUT", path(), body, Map.of()).body();
      setCurrentCluster(new ClusterRef(resourceGroup, name, "managedClusters"));
      print(AzShape.managedCluster(created), TABLE);
      if (!global.onlyShowErrors) {
        // stderr: what create prints on stdout stays the cluster's JSON for scripts
        err().println("To use kubectl on it: daprx cluster get-credentials -g " + resourceGroup + " -n " + name);
        err().flush();
      }
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a cluster.")
  static final class Show extends Named implements Callable<Integer> {
    @Override
    public Integer call() {
      print(AzShape.managedCluster(api().get(path()).body()), TABLE);
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List clusters.")
  static final class ListClusters extends ClientCommand implements Callable<Integer> {
    @Option(names = {"--resource-group", "-g"})
    String resourceGroup;

    @Override
    public Integer call() {
      String path = resourceGroup == null ? subPath() + "/providers/Microsoft.ContainerService/managedClusters"
          : subPath() + "/resourceGroups/" + resourceGroup + "/providers/Microsoft.ContainerService/managedClusters";
      print(AzShape.managedCluster(items(api().get(path).body())), TABLE);
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a cluster with everything installed on it.")
  static final class Delete extends Named implements Callable<Integer> {
    @Option(names = {"--yes", "-y"})
    boolean yes;

    @Override
    public Integer call() {
      if (!yes) {
        Confirm.ask(this, "Are you sure you want to perform this operation?");
      }
      api().send("DELETE", path(), null, Map.of());
      if (currentCluster().filter(c -> c.resourceGroup().equalsIgnoreCase(resourceGroup) && c.name().equalsIgnoreCase(name)).isPresent()) {
        setCurrentCluster(null);
      }
      return 0;
    }
  }

  @Command(name = "use", mixinStandardHelpOptions = true, description = "Make a cluster the current one for get, logs and k8s-extension.")
  static final class Use extends Named implements Callable<Integer> {
    @Override
    public Integer call() {
      api().get(path()); // it must exist
      setCurrentCluster(new ClusterRef(resourceGroup, name, "managedClusters"));
      out().println("Switched to cluster \"" + name + "\" (resource group \"" + resourceGroup + "\").");
      return 0;
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a stopped cluster exactly as it was.")
  static final class Start extends Named implements Callable<Integer> {
    @Override
    public Integer call() {
      print(AzShape.managedCluster(api().send("POST", path() + "/start", null, Map.of()).body()), TABLE);
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop every process of a cluster, keeping what is installed.")
  static final class Stop extends Named implements Callable<Integer> {
    @Override
    public Integer call() {
      print(AzShape.managedCluster(api().send("POST", path() + "/stop", null, Map.of()).body()), TABLE);
      return 0;
    }
  }
}
