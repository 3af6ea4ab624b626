package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.cli.client.ApiError;
import io.daprx.cli.output.AzShape;
import io.daprx.cli.output.Output;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code daprx connectedk8s}: Kubernetes clusters reached with a kubeconfig (az's {@code connectedk8s}). */
@Command(name = "connectedk8s", mixinStandardHelpOptions = true, description = "Connect Kubernetes clusters with a kubeconfig.",
    subcommands = {ConnectedK8sCommand.Connect.class, ConnectedK8sCommand.ListClusters.class, ConnectedK8sCommand.Show.class,
        ConnectedK8sCommand.Delete.class})
public final class ConnectedK8sCommand {

  static final String TYPE = "connectedClusters";
  static final List<Output.Column> TABLE = List.of(new Output.Column("Name", "name"), new Output.Column("Location", "location"),
      new Output.Column("ConnectivityStatus", "connectivityStatus"),
      new Output.Column("KubernetesVersion", "kubernetesVersion"),
      new Output.Column("ProvisioningState", "provisioningState"));

  abstract static class Named extends ClientCommand {
    @Option(names = {"--resource-group", "-g"}, required = true)
    String resourceGroup;

    @Option(names = {"--name", "-n"}, required = true)
    String name;

    String path() {
      return clusterPath(new ClusterRef(resourceGroup, name, TYPE));
    }
  }

  @Command(name = "connect", mixinStandardHelpOptions = true, description = "Connect a Kubernetes cluster and make it the current one.")
  static final class Connect extends Named implements Callable<Integer> {
    @Option(names = "--kubeconfig", required = true, description = "the kubeconfig file; it is stored encrypted and never shown")
    Path kubeconfig;

    @Option(names = "--kube-context", description = "the context to use (default: the kubeconfig's current-context)")
    String context;

    @Option(names = {"--location", "-l"})
    String location;

    @Override
    public Integer call() {
      String text;
      try {
        text = Files.readString(kubeconfig);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
      }
      try {
        api().get(subPath() + "/resourcegroups/" + resourceGroup);
      } catch (ApiError e) {
        if (e.status() != 404) {
          throw e;
        }
        verbose("Resource group '" + resourceGroup + "' does not exist: creating it");
        api().send("PUT", subPath() + "/resourcegroups/" + resourceGroup, JsonNodeFactory.instance.objectNode().put("location", "local"), Map.of());
      }
      ObjectNode body = JsonNodeFactory.instance.objectNode().put("kubeconfig", text);
      body.put("context", context);
      body.put("location", location);
      JsonNode connected = api().send("PUT", path(), body, Map.of()).body();
      if ("Offline".equals(connected.path("properties").path("connectivityStatus").asText())) {
        warn("The cluster's API server did not answer; it is connected as Offline. Extensions are installed once it is reachable.");
      }
      setCurrentCluster(new ClusterRef(resourceGroup, name, TYPE));
      print(AzShape.connectedCluster(connected), TABLE);
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a connected cluster.")
  static final class Show extends Named implements Callable<Integer> {
    @Override
    public Integer call() {
      print(AzShape.connectedCluster(api().get(path()).body()), TABLE);
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List connected clusters.")
  static final class ListClusters extends ClientCommand implements Callable<Integer> {
    @Option(names = {"--resource-group", "-g"})
    String resourceGroup;

    @Override
    public Integer call() {
      String path = (resourceGroup == null ? subPath() : subPath() + "/resourceGroups/" + resourceGroup)
          + "/providers/Microsoft.Kubernetes/connectedClusters";
      print(AzShape.connectedCluster(items(api().get(path).body())), TABLE);
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Remove every extension's control plane from the cluster (CRDs stay) and forget the cluster.")
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
}
