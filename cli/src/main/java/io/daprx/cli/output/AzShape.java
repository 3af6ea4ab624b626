package io.daprx.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resources as az prints them: the management API speaks ARM ({@code properties} nested), while az's SDK models
 * flatten {@code properties} to the top level, add {@code resourceGroup} (parsed from the id) and print every field of
 * the model, null where the service gave no value. Scripts written for az ({@code --query provisioningState -o tsv})
 * read these names, so the CLI prints the same ones; fields the models do not know are kept, flattened too.
 */
public final class AzShape {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern RESOURCE_GROUP = Pattern.compile("/resource[gG]roups/([^/]+)");

  /** The fields of {@code az k8s-extension show} (the SDK's {@code Extension} model). */
  static final List<String> EXTENSION = List.of("aksAssignedIdentity", "autoUpgradeMinorVersion", "configurationProtectedSettings",
      "configurationSettings", "currentVersion", "customLocationSettings", "errorInfo", "extensionType", "id", "identity",
      "isSystemExtension", "name", "packageUri", "plan", "provisioningState", "releaseTrain", "resourceGroup", "scope", "statuses",
      "systemData", "type", "version");

  /** The fields of {@code az connectedk8s show} (the SDK's {@code ConnectedCluster} model). */
  static final List<String> CONNECTED_CLUSTER = List.of("agentPublicKeyCertificate", "agentVersion", "arcAgentProfile",
      "azureHybridBenefit", "connectivityStatus", "distribution", "distributionVersion", "id", "identity", "infrastructure", "kind",
      "kubernetesVersion", "lastConnectivityTime", "location", "managedIdentityCertificateExpirationTime", "miscellaneousProperties",
      "name", "offering", "privateLinkScopeResourceId", "privateLinkState", "provisioningState", "resourceGroup", "systemData", "tags",
      "totalCoreCount", "totalNodeCount", "type");

  /** The fields of {@code az aks show} (the SDK's {@code ManagedCluster} model). */
  static final List<String> MANAGED_CLUSTER = List.of("aadProfile", "addonProfiles", "agentPoolProfiles", "apiServerAccessProfile",
      "autoScalerProfile", "autoUpgradeProfile", "azureMonitorProfile", "azurePortalFqdn", "currentKubernetesVersion",
      "disableLocalAccounts", "diskEncryptionSetId", "dnsPrefix", "enableRbac", "extendedLocation", "fqdn", "fqdnSubdomain",
      "httpProxyConfig", "id", "identity", "identityProfile", "ingressProfile", "kubernetesVersion", "linuxProfile", "location",
      "maxAgentPools", "name", "networkProfile", "nodeResourceGroup", "oidcIssuerProfile", "podIdentityProfile", "powerState",
      "privateFqdn", "privateLinkResources", "provisioningState", "publicNetworkAccess", "resourceGroup", "resourceUid",
      "securityProfile", "servicePrincipalProfile", "sku", "storageProfile", "supportPlan", "systemData", "tags", "type",
      "upgradeSettings", "windowsProfile", "workloadAutoScalerProfile");

  private AzShape() {}

  /** An extension, or an array of them, as {@code az k8s-extension show/list} prints it. */
  public static JsonNode extension(JsonNode arm) {
    return each(arm, EXTENSION);
  }

  /** A local cluster, or an array of them, as {@code az aks show/list} prints one. */
  public static JsonNode managedCluster(JsonNode arm) {
    JsonNode shaped = each(arm, MANAGED_CLUSTER);
    // az aks show reports the version running next to the one asked for
    forEach(shaped, c -> {
      if (c.path("currentKubernetesVersion").isNull()) {
        c.set("currentKubernetesVersion", c.path("kubernetesVersion").deepCopy());
      }
    });
    return shaped;
  }

  /** A connected cluster, or an array of them, as {@code az connectedk8s show/list} prints one. */
  public static JsonNode connectedCluster(JsonNode arm) {
    return each(arm, CONNECTED_CLUSTER);
  }

  private static JsonNode each(JsonNode arm, List<String> fields) {
    if (arm == null || !arm.isContainerNode()) {
      return arm;
    }
    if (arm.isArray()) {
      ArrayNode out = NODES.arrayNode();
      arm.forEach(item -> out.add(flatten(item, fields)));
      return out;
    }
    return flatten(arm, fields);
  }

  private static void forEach(JsonNode shaped, java.util.function.Consumer<ObjectNode> f) {
    if (shaped instanceof ObjectNode o) {
      f.accept(o);
    } else if (shaped != null && shaped.isArray()) {
      shaped.forEach(item -> {
        if (item instanceof ObjectNode o) {
          f.accept(o);
        }
      });
    }
  }

  /** The resource's own fields, its properties beside them (a property never hides a resource field), then the model's missing fields as null. */
  static JsonNode flatten(JsonNode resource, List<String> fields) {
    if (!resource.isObject()) {
      return resource;
    }
    ObjectNode out = NODES.objectNode();
    resource.fields().forEachRemaining(e -> {
      if (!e.getKey().equals("properties")) {
        out.set(e.getKey(), e.getValue().deepCopy());
      }
    });
    resource.path("properties").fields().forEachRemaining(e -> {
      if (!out.has(e.getKey())) {
        out.set(e.getKey(), e.getValue().deepCopy());
      }
    });
    if (!out.hasNonNull("resourceGroup")) {
      Matcher m = RESOURCE_GROUP.matcher(resource.path("id").asText(""));
      out.put("resourceGroup", m.find() ? m.group(1) : null);
    }
    if (!out.hasNonNull("systemData") && out.hasNonNull("createdAt")) {
      // our clusters record when they were made in their properties; az shows that time under systemData
      ObjectNode sd = out.putObject("systemData");
      sd.put("createdAt", out.path("createdAt").asText());
      sd.putNull("createdBy");
      sd.putNull("createdByType");
      sd.put("lastModifiedAt", out.path("createdAt").asText());
      sd.putNull("lastModifiedBy");
      sd.putNull("lastModifiedByType");
      out.remove("createdAt");
    }
    for (String f : fields) {
      if (!out.has(f)) {
        out.putNull(f);
      }
    }
    return out;
  }
}
