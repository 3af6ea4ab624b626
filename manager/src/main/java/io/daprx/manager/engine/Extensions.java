package io.daprx.manager.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.api.ApiException;
import io.daprx.manager.api.ArmIds;
import io.daprx.manager.install.DaprSettings;
import io.daprx.manager.install.InvalidSettingsException;
import io.daprx.manager.security.SecretBox;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.Store;
import io.daprx.manager.store.StoreException;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The {@code Microsoft.KubernetesConfiguration/extensions} resource: validation, gating and the start of
 * its long-running operations. Every request is checked completely before anything is written, and the
 * resource and its operation are written in one transaction, so a refused request changes nothing.
 */
public final class Extensions {

  public static final String KIND = "extension";
  public static final String OPERATION_KIND = "operation";
  public static final String DAPR_TYPE = "Microsoft.Dapr";
  public static final String DEFAULT_NAMESPACE = "dapr-system";

  /** What a write answered: HTTP status, the resource as shown, and the operation id to poll (null when none). */
  public record Accepted(int status, ObjectNode body, String operationId, String etag) {}

  private final Store store;
  private final Registrations registrations;
  private final SecretBox secrets;
  private final java.util.function.Consumer<String> submit;
  private final Clock clock;

  /** @param submit starts running a stored operation (the {@link OperationRunner}'s submit) */
  public Extensions(Store store, Registrations registrations, SecretBox secrets, java.util.function.Consumer<String> submit, Clock clock) {
    this.store = store;
    this.registrations = registrations;
    this.secrets = secrets;
    this.submit = submit;
    this.clock = clock;
  }

  // ---- reads

  public Doc doc(Doc cluster, String name) {
    return store.get(ArmIds.extension(armId(cluster), name)).orElseThrow(() -> ApiException.notFound("ExtensionNotFound",
        "The Resource '" + ArmIds.EXTENSION_TYPE + "/" + name + "' under cluster '" + cluster.body().path("name").asText()
            + "' could not be found!"));
  }

  public ArrayNode list(Doc cluster) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    store.list(KIND, cluster.id()).forEach(d -> out.add(Json.external(d.body())));
    return out;
  }

  public ObjectNode operation(Doc cluster, String name, String operationId) {
    String extId = ArmIds.extension(armId(cluster), name);
    return store.get(ArmIds.operation(extId, operationId)).map(d -> Json.external(d.body()))
        .orElseThrow(() -> ApiException.notFound("OperationNotFound", "Operation '" + operationId + "' of extension '" + name + "' was not found."));
  }

  /** The raw settings (plain and protected) an install runs with: for the runner only, never for the API. */
  public Map<String, String> effectiveSettings(Doc ext) {
    Map<String, String> all = new TreeMap<>(stringMap(ext.body().path("properties").path("configurationSettings")));
    all.putAll(protectedSettings(ext));
    return all;
  }

  // ---- create

  public Accepted create(Doc cluster, String name, JsonNode request, boolean mustNotExist) {
    checkName(name);
    String id = ArmIds.extension(armId(cluster), name);
    Optional<Doc> existing = store.get(id);
    if (existing.isPresent()) {
      if (mustNotExist) {
        throw ApiException.conflict("ExtensionAlreadyExists", "Extension '" + name + "' already exists on cluster '"
            + cluster.body().path("name").asText() + "'. Change it with: daprx k8s-extension update ... --name " + name);
      }
      return update(cluster, name, request, null);
    }
    JsonNode props = request.path("properties");
    String type = text(props, "extensionType");
    if (type == null) {
      throw ApiException.badRequest("InvalidExtensionType", "properties.extensionType is required: use Microsoft.Dapr.");
    }
    if (!type.equalsIgnoreCase(DAPR_TYPE)) {
      throw ApiException.badRequest("InvalidExtensionType", "Extension type '" + type + "' is not supported: the only extension type available is '"
          + DAPR_TYPE + "'.");
    }
    String namespace = releaseNamespace(props);
    boolean autoUpgrade = !props.has("autoUpgradeMinorVersion") || props.get("autoUpgradeMinorVersion").isNull()
        || props.get("autoUpgradeMinorVersion").asBoolean(true);
    String version = text(props, "version");
    checkVersion(version, autoUpgrade);
    String train = releaseTrain(props);
    Map<String, String> settings = stringMap(props.path("configurationSettings"));
    Map<String, String> protectedSettings = stringMap(props.path("configurationProtectedSettings"));
    parseSettings(settings, protectedSettings);
    requireRegistrations();
    if ("Stopped".equals(cluster.body().path("properties").path("powerState").path("code").asText())) {
      throw ApiException.conflict("ClusterStopped", "Cluster '" + cluster.body().path("name").asText()
          + "' is stopped. Start it with: daprx cluster start -g <group> -n " + cluster.body().path("name").asText());
    }
    checkNoOtherDapr(cluster, name, settings);

    String now = clock.instant().toString();
    ObjectNode body = Json.object();
    body.put("id", id);
    body.put("name", name);
    body.put("type", ArmIds.EXTENSION_TYPE);
    ObjectNode p = body.putObject("properties");
    p.put("extensionType", DAPR_TYPE.toLowerCase(Locale.ROOT));
    p.put("autoUpgradeMinorVersion", autoUpgrade);
    p.put("releaseTrain", train);
    if (version == null) {
      p.putNull("version");
    } else {
      p.put("version", version);
    }
    p.putNull("currentVersion");
    p.putObject("scope").putObject("cluster").put("releaseNamespace", namespace);
    p.set("configurationSettings", Json.MAPPER.valueToTree(settings));
    p.set("configurationProtectedSettings", keysOnly(protectedSettings));
    p.put("provisioningState", "Creating");
    p.putArray("statuses");
    p.putNull("errorInfo");
    p.put("isSystemExtension", false);
    p.putNull("aksAssignedIdentity");
    ObjectNode sys = body.putObject("systemData");
    sys.put("createdBy", "daprx");
    sys.put("createdByType", "User");
    sys.put("createdAt", now);
    sys.put("lastModifiedBy", "daprx");
    sys.put("lastModifiedByType", "User");
    sys.put("lastModifiedAt", now);
    if (!protectedSettings.isEmpty()) {
      body.put("_protected", seal(protectedSettings));
    }
    return startOperation(id, body, null, "create", 201, false);
  }

  // ---- update

  public Accepted update(Doc cluster, String name, JsonNode patch, String ifMatch) {
    Doc ext = doc(cluster, name);
    if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(ext.etag())) {
      throw new ApiException(412, "PreconditionFailed", "Extension '" + name
          + "' was changed by someone else since you read it; show it again and retry the update.");
    }
    requireNoOperation(ext);
    JsonNode props = patch.path("properties");
    ObjectNode body = ext.body().deepCopy();
    ObjectNode p = (ObjectNode) body.get("properties");
    String type = text(props, "extensionType");
    if (type != null && !type.equalsIgnoreCase(p.path("extensionType").asText())) {
      throw ApiException.badRequest("InvalidUpdate", "The extension type cannot be changed after create; delete the extension and create a new one.");
    }
    if (props.has("scope") && !props.path("scope").path("namespace").isMissingNode()) {
      throw ApiException.badRequest("InvalidUpdate", "The scope cannot be changed after create.");
    }
    String newNs = text(props.path("scope").path("cluster"), "releaseNamespace");
    if (newNs != null && !newNs.equals(p.path("scope").path("cluster").path("releaseNamespace").asText())) {
      throw ApiException.badRequest("InvalidUpdate", "The release namespace cannot be changed after create.");
    }
    boolean autoUpgrade = props.has("autoUpgradeMinorVersion") && !props.get("autoUpgradeMinorVersion").isNull()
        ? props.get("autoUpgradeMinorVersion").asBoolean() : p.path("autoUpgradeMinorVersion").asBoolean(true);
    String version = props.has("version") ? text(props, "version") : text(p, "version");
    if (props.has("autoUpgradeMinorVersion") && autoUpgrade && !props.has("version")) {
      version = null; // turning auto-upgrade back on unpins
    }
    checkVersion(version, autoUpgrade);
    Map<String, String> before = stringMap(p.path("configurationSettings"));
    Map<String, String> after = mergePatch(before, props.path("configurationSettings"));
    Map<String, String> protectedBefore = protectedSettings(ext);
    Map<String, String> protectedAfter = mergePatch(protectedBefore, props.path("configurationProtectedSettings"));
    List<String> immutable = DaprSettings.immutableChanges(before, after);
    if (!immutable.isEmpty()) {
      throw ApiException.badRequest("InvalidConfigurationSettings", "Cannot change " + String.join(", ", immutable)
          + " after create: the placement StatefulSet and the replica layout are fixed at install. Delete the extension and create it again with the new value.");
    }
    parseSettings(after, protectedAfter);
    if (props.has("releaseTrain")) {
      p.put("releaseTrain", releaseTrain(props));
    }
    p.put("autoUpgradeMinorVersion", autoUpgrade);
    if (version == null) {
      p.putNull("version");
    } else {
      p.put("version", version);
    }
    p.set("configurationSettings", Json.MAPPER.valueToTree(after));
    p.set("configurationProtectedSettings", keysOnly(protectedAfter));
    if (protectedAfter.isEmpty()) {
      body.remove("_protected");
    } else {
      body.put("_protected", seal(protectedAfter));
    }
    p.put("provisioningState", "Updating");
    ((ObjectNode) body.get("systemData")).put("lastModifiedAt", clock.instant().toString());
    return startOperation(ext.id(), body, ext.etag(), "update", 202, false);
  }

  // ---- delete

  /** Starts deleting; null when there is no such extension (the CLI warns and exits 0). */
  public Accepted delete(Doc cluster, String name, boolean force) {
    Optional<Doc> ext = store.get(ArmIds.extension(armId(cluster), name));
    if (ext.isEmpty()) {
      return null;
    }
    if (!force) {
      requireNoOperation(ext.get());
    }
    ObjectNode body = ext.get().body().deepCopy();
    ((ObjectNode) body.get("properties")).put("provisioningState", "Deleting");
    return startOperation(ext.get().id(), body, ext.get().etag(), "delete", 202, force);
  }

  // ---- the operation

  private Accepted startOperation(String extId, ObjectNode body, String etag, String kind, int status, boolean force) {
    String opId = UUID.randomUUID().toString();
    String opDocId = ArmIds.operation(extId, opId);
    body.put("_operation", opId);
    ObjectNode op = Json.object();
    op.put("id", opDocId);
    op.put("name", opId);
    op.put("status", "InProgress");
    op.put("startTime", clock.instant().toString());
    op.putNull("endTime");
    op.putNull("error");
    op.put("_kind", kind);
    op.put("_extensionId", extId);
    op.put("_force", force);
    Doc saved;
    try {
      saved = store.inTransaction(s -> {
        Doc d = etag == null ? s.create(extId, KIND, parentOf(extId), body) : s.update(extId, body, etag);
        s.create(opDocId, OPERATION_KIND, extId, op);
        return d;
      });
    } catch (StoreException e) {
      if (e.reason() == StoreException.Reason.PRECONDITION_FAILED) {
        throw new ApiException(412, "PreconditionFailed", e.getMessage());
      }
      if (e.reason() == StoreException.Reason.CONFLICT) {
        throw ApiException.conflict("ExtensionAlreadyExists", e.getMessage());
      }
      throw e;
    }
    submit.accept(opDocId);
    return new Accepted(status, Json.external(saved.body()), opId, saved.etag());
  }

  private void requireNoOperation(Doc ext) {
    String opId = ext.body().path("_operation").asText(null);
    if (opId == null) {
      return;
    }
    store.get(ArmIds.operation(ext.id(), opId)).ifPresent(op -> {
      if ("InProgress".equals(op.body().path("status").asText())) {
        throw ApiException.conflict("OperationInProgress", "Another operation (" + ext.body().path("properties").path("provisioningState").asText()
            + ") is in progress on extension '" + ext.body().path("name").asText() + "'; wait for it to finish and retry.");
      }
    });
  }

  private void requireRegistrations() {
    StringBuilder missing = new StringBuilder();
    for (String f : List.of("AKS-ExtensionManager", "AKS-Dapr")) {
      if (!registrations.featureRegistered("Microsoft.ContainerService", f)) {
        missing.append("\n  daprx feature register --namespace Microsoft.ContainerService --name ").append(f);
      }
    }
    for (String ns : List.of("Microsoft.KubernetesConfiguration", "Microsoft.ContainerService")) {
      if (!registrations.providerRegistered(ns)) {
        missing.append("\n  daprx provider register --namespace ").append(ns);
      }
    }
    if (missing.length() > 0) {
      throw ApiException.conflict("MissingSubscriptionRegistration",
          "The subscription is not registered for the Dapr extension. Run these commands, then wait until 'daprx feature list' shows Registered:"
              + missing);
    }
  }

  private void checkNoOtherDapr(Doc cluster, String name, Map<String, String> settings) {
    if ("true".equalsIgnoreCase(settings.get("skipExistingDaprCheck")) || settings.containsKey("existingDaprReleaseName")) {
      return;
    }
    for (Doc other : store.list(KIND, cluster.id())) {
      if (!other.body().path("name").asText().equals(name)
          && DAPR_TYPE.equalsIgnoreCase(other.body().path("properties").path("extensionType").asText())) {
        throw ApiException.conflict("ExistingDaprInstallation", "Dapr is already installed on this cluster by extension '"
            + other.body().path("name").asText() + "'. Manage it with that extension, or set skipExistingDaprCheck=true to install anyway.");
      }
    }
  }

  private static void checkVersion(String version, boolean autoUpgrade) {
    if (version == null) {
      return;
    }
    if (autoUpgrade) {
      throw ApiException.badRequest("InvalidVersion", "To pin to specific version, auto-upgrade-minor-version must be set to 'false'.");
    }
    if (!Versions.available().contains(version)) {
      throw ApiException.badRequest("InvalidVersion", "Version '" + version + "' is not available; available versions: "
          + String.join(", ", Versions.available()));
    }
  }

  private static void parseSettings(Map<String, String> settings, Map<String, String> protectedSettings) {
    Map<String, String> all = new TreeMap<>(settings);
    all.putAll(protectedSettings);
    try {
      DaprSettings.parse(all);
    } catch (InvalidSettingsException e) {
      throw ApiException.badRequest("InvalidConfigurationSettings", e.getMessage());
    }
  }

  private static String releaseNamespace(JsonNode props) {
    JsonNode scope = props.path("scope");
    if (scope.has("namespace")) {
      throw ApiException.badRequest("InvalidScope", "Invalid scope 'namespace'. This extension can be installed only at 'cluster' scope.");
    }
    String ns = text(scope.path("cluster"), "releaseNamespace");
    if (ns == null) {
      return DEFAULT_NAMESPACE;
    }
    try {
      io.daprx.common.spiffe.SpiffeId.requireValidNamespace(ns);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("InvalidReleaseNamespace", e.getMessage());
    }
    return ns;
  }

  private static String releaseTrain(JsonNode props) {
    String train = text(props, "releaseTrain");
    if (train == null || train.equalsIgnoreCase("stable")) {
      return "Stable";
    }
    if (train.equalsIgnoreCase("dev")) {
      return "Dev";
    }
    throw ApiException.badRequest("InvalidReleaseTrain", "Invalid release train '" + train + "': use stable or dev.");
  }

  private static void checkName(String name) {
    if (!name.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?") && !name.matches("[A-Za-z0-9][-A-Za-z0-9]{0,252}")) {
      throw ApiException.badRequest("InvalidName", "Invalid extension name '" + name + "': use letters, digits and '-'.");
    }
  }

  private Map<String, String> protectedSettings(Doc ext) {
    String sealed = ext.body().path("_protected").asText(null);
    if (sealed == null) {
      return Map.of();
    }
    try {
      return stringMap(Json.MAPPER.readTree(secrets.open(sealed)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored protected settings are damaged", e);
    }
  }

  private String seal(Map<String, String> values) {
    try {
      return secrets.seal(Json.MAPPER.writeValueAsString(new TreeMap<>(values)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Protected settings are shown by name only, never by value. */
  private static ObjectNode keysOnly(Map<String, String> values) {
    ObjectNode o = Json.object();
    new TreeMap<>(values).keySet().forEach(o::putNull);
    return o;
  }

  /** JSON merge patch (RFC 7386) of a string map: a key set to null is removed. */
  static Map<String, String> mergePatch(Map<String, String> base, JsonNode patch) {
    Map<String, String> out = new LinkedHashMap<>(base);
    if (patch == null || !patch.isObject()) {
      return out;
    }
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        out.remove(e.getKey());
      } else {
        out.put(e.getKey(), scalar(e.getKey(), e.getValue()));
      }
    }
    return out;
  }

  static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null || node.isMissingNode() || node.isNull()) {
      return out;
    }
    if (!node.isObject()) {
      throw ApiException.badRequest("InvalidRequestContent", "Settings must be a JSON object of strings.");
    }
    node.fields().forEachRemaining(e -> {
      if (!e.getValue().isNull()) {
        out.put(e.getKey(), scalar(e.getKey(), e.getValue()));
      }
    });
    return out;
  }

  private static String scalar(String key, JsonNode v) {
    if (!v.isValueNode()) {
      throw ApiException.badRequest("InvalidRequestContent", "Setting '" + key + "' must be a string, number or boolean.");
    }
    return v.asText();
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
  }

  /** The cluster's ARM id as the user spelled it (the store's key is lower-cased). */
  private static String armId(Doc cluster) {
    return cluster.body().path("id").asText(cluster.id());
  }

  private static String parentOf(String extId) {
    return extId.substring(0, extId.indexOf("/providers/" + ArmIds.EXTENSIONS_RP + "/"));
  }
}
