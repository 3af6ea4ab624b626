package io.daprx.manager.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.model.ArmIds;
import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.CatalogException;
import io.daprx.manager.catalog.CatalogSource;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.model.InvalidSettingsException;
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

  /** How many finished operations of an extension are kept as its history. */
  static final int HISTORY = 50;

  /**
   * Operations by start time, newest first. Compared as instants: their text is not in time order when the fraction
   * of a second is dropped ({@code …:01Z} sorts after {@code …:01.500Z}).
   */
  private static final java.util.Comparator<Doc> NEWEST_FIRST =
      java.util.Comparator.comparing((Doc d) -> java.time.Instant.parse(d.body().path("startTime").asText())).reversed();

  private final Store store;
  private final Registrations registrations;
  private final SecretBox secrets;
  private final java.util.function.Consumer<String> submit;
  private final CatalogSource catalog;
  private final Semver build;
  private final Clock clock;

  /**
   * @param submit starts running a stored operation (the {@link OperationRunner}'s submit)
   * @param build the version of the build this server runs, which local clusters run without a download
   */
  public Extensions(Store store, Registrations registrations, SecretBox secrets, java.util.function.Consumer<String> submit,
      CatalogSource catalog, Semver build, Clock clock) {
    this.store = store;
    this.registrations = registrations;
    this.secrets = secrets;
    this.submit = submit;
    this.catalog = catalog;
    this.build = build;
    this.clock = clock;
  }

  /** What an install last ran successfully: the target is put back to it when a later change fails. */
  public record Applied(Release release, Map<String, String> settings) {}

  // ---- reads

  public Doc doc(Doc cluster, String name) {
    return store.get(ArmIds.extension(armId(cluster), name)).orElseThrow(() -> DomainException.notFound("ExtensionNotFound",
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
        .orElseThrow(() -> DomainException.notFound("OperationNotFound", "Operation '" + operationId + "' of extension '" + name + "' was not found."));
  }

  /** The extension's operations, newest first: its history of installs, updates, upgrades and rollbacks. */
  public ArrayNode operations(Doc cluster, String name) {
    return operations(doc(cluster, name));
  }

  ArrayNode operations(Doc ext) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    store.list(OPERATION_KIND, ext.id()).stream().sorted(NEWEST_FIRST).forEach(d -> out.add(Json.external(d.body())));
    return out;
  }

  /**
   * The versions of an extension type a cluster can install ({@code extension-types list-versions-by-cluster}): the
   * supported window of the train (the latest patch of the newest three minors) that the cluster can run, oldest first.
   */
  public ArrayNode versions(Doc cluster, String extensionType, String train, String majorVersion, boolean latestOnly) {
    if (!DAPR_TYPE.equalsIgnoreCase(extensionType)) {
      throw DomainException.notFound("ExtensionTypeNotFound", "Extension type '" + extensionType + "' is not available: the only extension type is '"
          + DAPR_TYPE + "'.");
    }
    Catalog c = catalog.current();
    String t = train == null || train.isBlank() ? Catalog.DEFAULT_TRAIN : train.toLowerCase(Locale.ROOT);
    List<Release> found;
    try {
      found = c.supported(t).stream().filter(runsOn(cluster))
          .filter(r -> majorVersion == null || majorVersion.isBlank() || String.valueOf(r.version().major()).equals(majorVersion.trim()))
          .toList();
    } catch (CatalogException e) {
      throw DomainException.invalid("InvalidReleaseTrain", e.getMessage());
    }
    if (latestOnly && !found.isEmpty()) {
      found = List.of(found.get(found.size() - 1));
    }
    ArrayNode out = Json.MAPPER.createArrayNode();
    String base = armId(cluster) + "/providers/" + ArmIds.EXTENSIONS_RP + "/extensionTypes/" + DAPR_TYPE.toLowerCase(Locale.ROOT) + "/versions/";
    for (Release r : found) {
      ObjectNode o = out.addObject();
      o.put("id", base + r.version());
      o.put("name", r.version().toString());
      o.put("type", ArmIds.EXTENSIONS_RP + "/extensionTypes/versions");
      ObjectNode p = o.putObject("properties");
      p.put("version", r.version().toString());
      p.put("releaseTrain", Character.toUpperCase(t.charAt(0)) + t.substring(1));
      p.put("daprVersion", r.daprVersion());
      ArrayNode types = p.putArray("supportedClusterTypes");
      types.add("connectedClusters");
      if (Catalog.runsLocally(r, build)) {
        types.add("managedClusters");
      }
    }
    return out;
  }

  /** The state the extension last reached with success, if any. */
  public Optional<Applied> applied(Doc ext) {
    JsonNode a = ext.body().path("_applied");
    if (!a.isObject()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Applied(Catalog.fromJson(a.path("release")), stringMap(Json.MAPPER.readTree(secrets.open(a.path("settings").asText())))));
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalStateException("the stored last applied state of " + ext.id() + " is damaged", e);
    }
  }

  /** Records what an install now runs (sealed: the settings include the protected ones). */
  void recordApplied(ObjectNode body, Applied applied) {
    ObjectNode a = body.putObject("_applied");
    a.set("release", Catalog.toJson(applied.release()));
    a.put("settings", seal(applied.settings()));
  }

  /** The release an operation moves to, as stored when it was accepted. */
  public static Release targetRelease(Doc operation) {
    return Catalog.fromJson(operation.body().path("_release"));
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
        throw DomainException.conflict("ExtensionAlreadyExists", "Extension '" + name + "' already exists on cluster '"
            + cluster.body().path("name").asText() + "'. Change it with: daprx k8s-extension update ... --name " + name);
      }
      return update(cluster, name, request, null);
    }
    JsonNode props = request.path("properties");
    String type = text(props, "extensionType");
    if (type == null) {
      throw DomainException.invalid("InvalidExtensionType", "properties.extensionType is required: use Microsoft.Dapr.");
    }
    if (!type.equalsIgnoreCase(DAPR_TYPE)) {
      throw DomainException.invalid("InvalidExtensionType", "Extension type '" + type + "' is not supported: the only extension type available is '"
          + DAPR_TYPE + "'.");
    }
    String namespace = releaseNamespace(props);
    boolean autoUpgrade = !props.has("autoUpgradeMinorVersion") || props.get("autoUpgradeMinorVersion").isNull()
        || props.get("autoUpgradeMinorVersion").asBoolean(true);
    String version = text(props, "version");
    String train = releaseTrain(props);
    Release release = targetRelease(cluster, version, autoUpgrade, train, null, null);
    Map<String, String> settings = stringMap(props.path("configurationSettings"));
    Map<String, String> protectedSettings = stringMap(props.path("configurationProtectedSettings"));
    parseSettings(settings, protectedSettings);
    requireRegistrations();
    if ("Stopped".equals(cluster.body().path("properties").path("powerState").path("code").asText())) {
      throw DomainException.conflict("ClusterStopped", "Cluster '" + cluster.body().path("name").asText()
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
    return startOperation(id, body, null, "create", 201, false, null, release);
  }

  // ---- update

  public Accepted update(Doc cluster, String name, JsonNode patch, String ifMatch) {
    Doc ext = doc(cluster, name);
    if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(ext.etag())) {
      throw DomainException.preconditionFailed("PreconditionFailed", "Extension '" + name
          + "' was changed by someone else since you read it; show it again and retry the update.");
    }
    requireNoOperation(ext);
    JsonNode props = patch.path("properties");
    ObjectNode body = ext.body().deepCopy();
    ObjectNode p = (ObjectNode) body.get("properties");
    String type = text(props, "extensionType");
    if (type != null && !type.equalsIgnoreCase(p.path("extensionType").asText())) {
      throw DomainException.invalid("InvalidUpdate", "The extension type cannot be changed after create; delete the extension and create a new one.");
    }
    if (props.has("scope") && !props.path("scope").path("namespace").isMissingNode()) {
      throw DomainException.invalid("InvalidUpdate", "The scope cannot be changed after create.");
    }
    String newNs = text(props.path("scope").path("cluster"), "releaseNamespace");
    if (newNs != null && !newNs.equals(p.path("scope").path("cluster").path("releaseNamespace").asText())) {
      throw DomainException.invalid("InvalidUpdate", "The release namespace cannot be changed after create.");
    }
    boolean autoUpgrade = props.has("autoUpgradeMinorVersion") && !props.get("autoUpgradeMinorVersion").isNull()
        ? props.get("autoUpgradeMinorVersion").asBoolean() : p.path("autoUpgradeMinorVersion").asBoolean(true);
    String version = props.has("version") ? text(props, "version") : text(p, "version");
    if (props.has("autoUpgradeMinorVersion") && autoUpgrade && !props.has("version")) {
      version = null; // turning auto-upgrade back on unpins
    }
    String train = props.has("releaseTrain") ? releaseTrain(props) : p.path("releaseTrain").asText(Catalog.DEFAULT_TRAIN);
    Release from = applied(ext).map(Applied::release).orElse(null);
    // a version whose auto-upgrade was just rolled back is not taken again by an unrelated update; pin it to retry it
    Release release = targetRelease(cluster, version, autoUpgrade, train, from, ext.body().path("_upgradeFailed").path("version").asText(null));
    Map<String, String> before = stringMap(p.path("configurationSettings"));
    Map<String, String> after = mergePatch(before, props.path("configurationSettings"));
    Map<String, String> protectedBefore = protectedSettings(ext);
    Map<String, String> protectedAfter = mergePatch(protectedBefore, props.path("configurationProtectedSettings"));
    List<String> immutable = DaprSettings.immutableChanges(before, after);
    if (!immutable.isEmpty()) {
      throw DomainException.invalid("InvalidConfigurationSettings", "Cannot change " + String.join(", ", immutable)
          + " after create: the placement StatefulSet and the replica layout are fixed at install. Delete the extension and create it again with the new value.");
    }
    parseSettings(after, protectedAfter);
    p.put("releaseTrain", train);
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
    return startOperation(ext.id(), body, ext.etag(), "update", 202, false, from, release);
  }

  // ---- upgrade (the auto-upgrader's only write)

  /**
   * Starts moving an installed extension to a newer release of its train, as auto-upgrade does; refused (409)
   * while another operation runs on it, so two operations never touch one install.
   */
  public Accepted upgrade(Doc ext, Release to) {
    requireNoOperation(ext);
    Release from = applied(ext).orElseThrow(() -> DomainException.conflict("NotInstalled",
        "Extension '" + ext.body().path("name").asText() + "' has never been installed successfully; nothing to upgrade.")).release();
    ObjectNode body = ext.body().deepCopy();
    ((ObjectNode) body.get("properties")).put("provisioningState", "Updating");
    ObjectNode sys = (ObjectNode) body.get("systemData");
    sys.put("lastModifiedBy", "daprx auto-upgrade");
    sys.put("lastModifiedByType", "Application");
    sys.put("lastModifiedAt", clock.instant().toString());
    return startOperation(ext.id(), body, ext.etag(), "upgrade", 202, false, from, to);
  }

  /** Which releases a cluster can run: any on Kubernetes; on a local cluster, those with a jar for it. */
  public java.util.function.Predicate<Release> runsOn(Doc cluster) {
    return io.daprx.manager.deploy.Targets.isConnected(cluster) ? r -> true : r -> Catalog.runsLocally(r, build);
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
    return startOperation(ext.get().id(), body, ext.get().etag(), "delete", 202, force, applied(ext.get()).map(Applied::release).orElse(null), null);
  }

  // ---- the operation

  private Accepted startOperation(String extId, ObjectNode body, String etag, String kind, int status, boolean force, Release from,
      Release to) {
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
    ObjectNode shown = op.putObject("properties");
    shown.put("operation", kind);
    shown.put("fromVersion", from == null ? null : from.version().toString());
    shown.put("toVersion", to == null ? null : to.version().toString());
    op.put("_kind", kind);
    op.put("_extensionId", extId);
    op.put("_force", force);
    if (to != null) {
      op.set("_release", Catalog.toJson(to));
    }
    Doc saved;
    try {
      saved = store.inTransaction(s -> {
        Doc d = etag == null ? s.create(extId, KIND, parentOf(extId), body) : s.update(extId, body, etag);
        s.create(opDocId, OPERATION_KIND, extId, op);
        pruneHistory(s, extId);
        return d;
      });
    } catch (StoreException e) {
      if (e.reason() == StoreException.Reason.PRECONDITION_FAILED) {
        throw DomainException.preconditionFailed("PreconditionFailed", e.getMessage());
      }
      if (e.reason() == StoreException.Reason.CONFLICT) {
        throw DomainException.conflict("ExtensionAlreadyExists", e.getMessage());
      }
      throw e;
    }
    submit.accept(opDocId);
    return new Accepted(status, Json.external(saved.body()), opId, saved.etag());
  }

  /** Keeps the newest {@value #HISTORY} operations of an extension; older ones only grow the store. */
  private static void pruneHistory(Store s, String extId) {
    List<Doc> ops = s.list(OPERATION_KIND, extId).stream().sorted(NEWEST_FIRST).toList();
    ops.stream().skip(HISTORY).filter(d -> !"InProgress".equals(d.body().path("status").asText())).forEach(d -> s.delete(d.id(), null));
  }

  private void requireNoOperation(Doc ext) {
    String opId = ext.body().path("_operation").asText(null);
    if (opId == null) {
      return;
    }
    store.get(ArmIds.operation(ext.id(), opId)).ifPresent(op -> {
      if ("InProgress".equals(op.body().path("status").asText())) {
        throw DomainException.conflict("OperationInProgress", "Another operation (" + ext.body().path("properties").path("provisioningState").asText()
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
      throw DomainException.conflict("MissingSubscriptionRegistration",
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
        throw DomainException.conflict("ExistingDaprInstallation", "Dapr is already installed on this cluster by extension '"
            + other.body().path("name").asText() + "'. Manage it with that extension, or set skipExistingDaprCheck=true to install anyway.");
      }
    }
  }

  /**
   * The release an operation moves to, by EXTENSION.md's rules: a pinned {@code --version} (auto-upgrade off) if the
   * train has it, it is supported and the cluster can run it; else the newest of the train above what runs
   * ({@code current}), never below it and never the version whose auto-upgrade failed ({@code failedUpgrade}); a fresh
   * install gets the train's newest.
   */
  private Release targetRelease(Doc cluster, String version, boolean autoUpgrade, String train, Release current, String failedUpgrade) {
    if (version != null && autoUpgrade) {
      throw DomainException.invalid("InvalidVersion", "To pin to specific version, auto-upgrade-minor-version must be set to 'false'.");
    }
    Catalog c = catalog.current();
    java.util.function.Predicate<Release> runs = runsOn(cluster);
    try {
      if (version != null) {
        Release r = c.requested(version, train);
        if (!runs.test(r)) {
          throw DomainException.invalid("InvalidVersion", "Version '" + version + "' cannot run on local cluster '" + cluster.body().path("name").asText()
              + "': the catalog offers no local distribution of it. Versions for this cluster: " + versionsFor(c, train, runs));
        }
        return r;
      }
      if (current != null) {
        return autoUpgrade ? c.autoUpgradeTarget(current.version(), train, true, runs.and(r -> !r.version().toString().equals(failedUpgrade)))
            .orElse(current) : current;
      }
      return c.defaultVersion(train, runs).orElseThrow(() -> DomainException.invalid("InvalidVersion", "Release train '" + train
          + "' of " + catalog.describe() + " has no version this cluster can run."));
    } catch (CatalogException e) {
      throw DomainException.invalid("InvalidVersion", e.getMessage());
    }
  }

  private static String versionsFor(Catalog c, String train, java.util.function.Predicate<Release> runs) {
    List<String> v = c.supported(train).stream().filter(runs).map(r -> r.version().toString()).toList();
    return v.isEmpty() ? "none" : String.join(", ", v);
  }

  private static void parseSettings(Map<String, String> settings, Map<String, String> protectedSettings) {
    Map<String, String> all = new TreeMap<>(settings);
    all.putAll(protectedSettings);
    try {
      DaprSettings.parse(all);
    } catch (InvalidSettingsException e) {
      throw DomainException.invalid("InvalidConfigurationSettings", e.getMessage());
    }
  }

  private static String releaseNamespace(JsonNode props) {
    JsonNode scope = props.path("scope");
    if (scope.has("namespace")) {
      throw DomainException.invalid("InvalidScope", "Invalid scope 'namespace'. This extension can be installed only at 'cluster' scope.");
    }
    String ns = text(scope.path("cluster"), "releaseNamespace");
    if (ns == null) {
      return DEFAULT_NAMESPACE;
    }
    try {
      io.daprx.common.spiffe.SpiffeId.requireValidNamespace(ns);
    } catch (IllegalArgumentException e) {
      throw DomainException.invalid("InvalidReleaseNamespace", e.getMessage());
    }
    return ns;
  }

  /** The train as shown ({@code Stable}, {@code Dev}): one the catalog has. */
  private String releaseTrain(JsonNode props) {
    String train = text(props, "releaseTrain");
    String name = train == null ? Catalog.DEFAULT_TRAIN : train.toLowerCase(Locale.ROOT);
    java.util.Set<String> known = catalog.current().trains().keySet();
    if (!known.contains(name)) {
      throw DomainException.invalid("InvalidReleaseTrain", "Invalid release train '" + train + "': use " + String.join(" or ", known) + ".");
    }
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  private static void checkName(String name) {
    if (!name.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?") && !name.matches("[A-Za-z0-9][-A-Za-z0-9]{0,252}")) {
      throw DomainException.invalid("InvalidName", "Invalid extension name '" + name + "': use letters, digits and '-'.");
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
      throw DomainException.invalid("InvalidRequestContent", "Settings must be a JSON object of strings.");
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
      throw DomainException.invalid("InvalidRequestContent", "Setting '" + key + "' must be a string, number or boolean.");
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
