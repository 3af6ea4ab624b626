package io.daprx.manager.model;

import java.util.Locale;

/** ARM resource ids of the management API, built in one place so every part spells them the same way. */
public final class ArmIds {

  public static final String EXTENSIONS_RP = "Microsoft.KubernetesConfiguration";
  public static final String EXTENSION_TYPE = "Microsoft.KubernetesConfiguration/extensions";

  private ArmIds() {}

  public static String subscription(String sub) {
    return "/subscriptions/" + sub;
  }

  public static String feature(String sub, String ns, String name) {
    return subscription(sub) + "/providers/Microsoft.Features/providers/" + ns + "/features/" + name;
  }

  public static String provider(String sub, String ns) {
    return subscription(sub) + "/providers/" + ns;
  }

  public static String resourceGroup(String sub, String rg) {
    return subscription(sub) + "/resourceGroups/" + rg;
  }

  /** The cluster's resource provider and type for {@code managedClusters} or {@code connectedClusters}. */
  public static String clusterProvider(String clusterType) {
    return switch (clusterType.toLowerCase(Locale.ROOT)) {
      case "managedclusters" -> "Microsoft.ContainerService/managedClusters";
      case "connectedclusters" -> "Microsoft.Kubernetes/connectedClusters";
      default -> throw DomainException.invalid("InvalidClusterType",
          "Invalid cluster type '" + clusterType + "': use managedClusters or connectedClusters.");
    };
  }

  public static String cluster(String sub, String rg, String clusterType, String name) {
    return resourceGroup(sub, rg) + "/providers/" + clusterProvider(clusterType) + "/" + name;
  }

  public static String extension(String clusterId, String name) {
    return clusterId + "/providers/" + EXTENSIONS_RP + "/extensions/" + name;
  }

  public static String operation(String extensionId, String operationId) {
    return extensionId + "/operations/" + operationId;
  }
}
