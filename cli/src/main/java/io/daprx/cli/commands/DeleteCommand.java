package io.daprx.cli.commands;

import io.daprx.common.dapr.ResourceKind;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code daprx delete component NAME}: removes Dapr resources from a cluster, as kubectl delete does. */
@Command(name = "delete", mixinStandardHelpOptions = true, description = {
    "Delete Dapr resources (components, configurations, subscriptions, resiliencies, httpendpoints, mcpservers, workflowaccesspolicies) from a cluster.",
    "Sidecars get a DELETED event for each from the operator.",
    "  daprx delete component statestore", "  daprx delete configuration appconfig -n shop"})
public final class DeleteCommand extends ClientCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "KIND", description = "component, configuration, subscription, resiliency or httpendpoint")
  String kind;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "NAME", description = "the resources to delete")
  List<String> names;

  @Option(names = {"--namespace", "-n"}, description = "their namespace (default: default)")
  String namespace;

  @Option(names = {"--ignore-not-found"}, description = "a resource that does not exist is not an error")
  boolean ignoreNotFound;

  @Mixin
  ClusterOptions cluster;

  @Override
  public Integer call() {
    ResourceKind k = kind(kind);
    String base = clusterPath(cluster) + "/resources/" + k.plural() + "/";
    String ns = namespace == null ? "default" : namespace;
    String reference = k.reference();
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

  /** The Dapr kind a user names (plural, singular, Kind or {@code <plural>.dapr.io}); an error listing the kinds otherwise. */
  static ResourceKind kind(String word) {
    ResourceKind k = ResourceKind.resolve(word).orElse(null);
    if (k == null) {
      throw new IllegalArgumentException("the server doesn't have a resource type \"" + word
          + "\": use pods, services, components, configurations, subscriptions, resiliencies, httpendpoints, mcpservers or workflowaccesspolicies");
    }
    return k;
  }
}
