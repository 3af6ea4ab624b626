package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
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
    "  daprx delete component statestore", "  daprx delete configuration appconfig -n shop", "  daprx delete -f statestore.yaml"})
public final class DeleteCommand extends ClientCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "KIND", description = "component, configuration, subscription, resiliency or httpendpoint")
  String kind;

  @Parameters(index = "1..*", arity = "0..*", paramLabel = "NAME", description = "the resources to delete")
  List<String> names;

  @Option(names = {"--filename", "-f"}, paramLabel = "FILE|DIR|-",
      description = "delete the objects these files describe, as kubectl delete -f (a file, a directory, or - for standard input)")
  String filename;

  @Option(names = {"--namespace", "-n"}, description = "their namespace (default: default)")
  String namespace;

  @Option(names = {"--ignore-not-found"}, description = "a resource that does not exist is not an error")
  boolean ignoreNotFound;

  @Mixin
  ClusterOptions cluster;

  @Override
  public Integer call() {
    if (filename != null) {
      if (kind != null) {
        throw new IllegalArgumentException("give either KIND NAME... or --filename, not both");
      }
      for (com.fasterxml.jackson.databind.node.ObjectNode o : ApplyCommand.documents(filename)) {
        JsonNode meta = o.path("metadata");
        String ns = meta.path("namespace").asText(namespace == null ? "default" : namespace);
        delete(kind(o.path("kind").asText()), ns, meta.path("name").asText());
      }
      return 0;
    }
    if (kind == null || names == null || names.isEmpty()) {
      throw new IllegalArgumentException("give KIND and NAME (daprx delete component statestore) or --filename FILE");
    }
    ResourceKind k = kind(kind);
    String ns = namespace == null ? "default" : namespace;
    for (String name : names) {
      delete(k, ns, name);
    }
    return 0;
  }

  private void delete(ResourceKind k, String ns, String name) {
    try {
      api().send("DELETE", clusterPath(cluster) + "/resources/" + k.plural() + "/" + name + "?namespace=" + ns, null, Map.of());
      out().println(k.reference() + " \"" + name + "\" deleted");
      out().flush();
    } catch (io.daprx.cli.client.ApiError e) {
      if (!(ignoreNotFound && e.status() == 404)) {
        throw e;
      }
    }
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
