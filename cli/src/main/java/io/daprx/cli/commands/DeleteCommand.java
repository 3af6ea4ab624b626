package io.daprx.cli.commands;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code daprx delete component NAME}: removes Dapr resources from a cluster, as kubectl delete does. */
@Command(name = "delete", mixinStandardHelpOptions = true, description = {
    "Delete Dapr resources (components, configurations, subscriptions, resiliencies, httpendpoints) from a cluster.",
    "Sidecars get a DELETED event for each from the operator.",
    "  daprx delete component statestore", "  daprx delete configuration appconfig -n shop"})
public final class DeleteCommand extends ClientCommand implements Callable<Integer> {

  /** The Dapr kinds the server knows, by every name kubectl accepts: plural, singular, Kind, {@code <plural>.dapr.io}. */
  private static final Map<String, String> PLURALS = Map.of(
      "component", "components", "configuration", "configurations", "subscription", "subscriptions",
      "resiliency", "resiliencies", "httpendpoint", "httpendpoints");

  @Parameters(index = "0", paramLabel = "KIND", description = "component, configuration, subscription, resiliency or httpendpoint")
  String kind;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "NAME", description = "the resources to delete")
  List<String> names;

  @Option(names = {"--namespace", "-n"}, description = "their namespace (default: default)")
  String namespace;

  @Option(names = {"--ignore-not-found"}, description = "a resource that does not exist is not an error")
  boolean ignoreNotFound;

  @Option(names = {"--cluster-name", "-c"}, description = "the cluster (default: the current cluster)")
  String clusterName;

  @Option(names = {"--resource-group", "-g"})
  String resourceGroup;

  @Override
  public Integer call() {
    String plural = plural(kind);
    String base = clusterPath(cluster(resourceGroup, clusterName, null)) + "/resources/" + plural + "/";
    String ns = namespace == null ? "default" : namespace;
    String reference = PLURALS.entrySet().stream().filter(e -> e.getValue().equals(plural)).findFirst().orElseThrow().getKey() + ".dapr.io";
    for (String name : names) {
      try {
        api().send("DELETE", base + name + "?namespace=" + ns, null, Map.of());
        out().println(reference + " \"" + name + "\" deleted");
        out().flush();
      } catch (io.daprx.cli.client.ApiError e) {
        if (!(ignoreNotFound && e.status() == 404)) {
          throw e;
        }
      }
    }
    return 0;
  }

  /** The plural of a Dapr kind as a user names it; an error listing the kinds otherwise. */
  static String plural(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    if (w.endsWith(".dapr.io")) {
      w = w.substring(0, w.length() - ".dapr.io".length());
    }
    if (PLURALS.containsKey(w)) {
      return PLURALS.get(w);
    }
    if (PLURALS.containsValue(w)) {
      return w;
    }
    throw new IllegalArgumentException("the server doesn't have a resource type \"" + word
        + "\": use pods, services, components, configurations, subscriptions, resiliencies or httpendpoints");
  }
}
