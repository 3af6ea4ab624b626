package io.daprx.manager.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.CatalogSource;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.engine.Extension.ClusterScope;
import io.daprx.manager.engine.Extension.Properties;
import io.daprx.manager.engine.Extension.Scope;
import io.daprx.manager.engine.Extension.SealedState;
import io.daprx.manager.engine.Extension.SystemData;
import io.daprx.manager.model.ArmIds;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.model.InvalidSettingsException;
import io.daprx.manager.security.SecretBox;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.Store;
import io.daprx.manager.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

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

  /** What an install runs, or last ran with success: the target is put back to it when a later change fails. */
  public record Applied(Release release, DaprSettings settings) {}

  /** How many finished operations of an extension are kept as its history. */
  static final int HISTORY = 50;

  /**
   * Operations by start time, newest first. Compared as instants: their text is not in time order when the fraction
   * of a second is dropped ({@code …:01Z} sorts after {@code …:01.500Z}).
   */
  private static final Comparator<Doc> NEWEST_FIRST =
      Comparator.comparing((Doc d) -> Instant.parse(d.body().path("startTime").asText())).reversed();

  private static final TypeReference<TreeMap<String, String>> STRING_MAP = new TypeReference<>() {};

  private final Store store;
  private final Registrations registrations;
  private final SecretBox secrets;
  private final Consumer<String> submit;
  private final Releases releases;
  private final Clock clock;
  private final ExtensionHealth health;

  public Extensions(Store store, Registrations registrations, SecretBox secrets, Consumer<String> submit,
      CatalogSource catalog, Semver build, Clock clock) {
    this(store, registrations, secrets, submit, catalog, build, clock, ExtensionHealth.NONE);
  }

  /**
   * @param health how an installed control plane stands now, shown in the extension's statuses
   * @param submit starts running a stored operation (the {@link OperationRunner}'s submit)
   * @param build the version of the build this server runs, which local clusters run without a download
   */
  public Extensions(Store store, Registrations registrations, SecretBox secrets, Consumer<String> submit,
      CatalogSource catalog, Semver build, Clock clock, ExtensionHealth health) {
    this.store = store;
    this.health = health;
    this.registrations = registrations;
    this.secrets = secrets;
    this.submit = submit;
    this.releases = new Releases(catalog, build);
    this.clock = clock;
  }

  // ---- reads

  public Doc doc(Doc cluster, String name) {
    return store.get(ArmIds.extension(armId(cluster), name)).orElseThrow(() -> DomainException.notFound("ExtensionNotFound",
        "The Resource '" + ArmIds.EXTENSION_TYPE + "/" + name + "' under cluster '" + cluster.body().path("name").asText()
            + "' could not be found!"));
  }

  public ArrayNode list(Doc cluster) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    store.list(KIND, cluster.id()).forEach(d -> out.add(shown(cluster, d)));
    return out;
  }

  /** The extension as the API shows it: what is stored, with its control plane's health now. */
  public ObjectNode shown(Doc cluster, Doc ext) {
    return health.shown(cluster, ext, () -> applied(ext).map(Applied::settings).orElse(null));
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

  /** The versions of an extension type a cluster can install (see {@link Releases#versions}). */
  public ArrayNode versions(Doc cluster, String extensionType, String train, String majorVersion, boolean latestOnly) {
    return releases.versions(cluster, armId(cluster), extensionType, train, majorVersion, latestOnly);
  }

  /** The state the extension last reached with success, if any. */
  public Optional<Applied> applied(Doc ext) {
    SealedState a = Extension.of(ext).lastApplied();
    if (a == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Applied(a.releaseValue(), DaprSettings.parse(open(a.settings()))));
    } catch (RuntimeException e) {
      throw new IllegalStateException("the stored last applied state of " + ext.id() + " is damaged", e);
    }
  }

  /** What an install now runs, sealed (the settings include the protected ones), to be recorded as its last success. */
  SealedState seal(Applied applied) {
    return new SealedState(Catalog.toJson(applied.release()), seal(applied.settings().source()));
  }

  /** The settings (plain and protected) the extension asks for, parsed: for the runner only, never for the API. */
  public DaprSettings desiredSettings(Doc ext) {
    Extension e = Extension.of(ext);
    Map<String, String> all = new TreeMap<>(e.properties().configurationSettings());
    all.putAll(open(e.sealedProtected()));
    return DaprSettings.parse(all);
  }

  /** Which releases a cluster can run: any on Kubernetes; on a local cluster, those with a jar for it. */
  public Predicate<Release> runsOn(Doc cluster) {
    return releases.runsOn(cluster);
  }

  // ---- create

  public Accepted create(Doc cluster, String name, ExtensionRequest request, boolean mustNotExist) {
    return create(cluster, name, request, mustNotExist, null);
  }

  /**
   * A PUT: creates the extension, or updates it when it exists. {@code ifMatch} (the store's ETag, {@code *} for any)
   * makes it conditional: it must exist and, unless {@code *}, still carry that ETag.
   */
  public Accepted create(Doc cluster, String name, ExtensionRequest request, boolean mustNotExist, String ifMatch) {
    checkName(name);
    String id = ArmIds.extension(armId(cluster), name);
    if (store.get(id).isPresent()) {
      if (mustNotExist) {
        throw DomainException.conflict("ExtensionAlreadyExists", "Extension '" + name + "' already exists on cluster '"
            + cluster.body().path("name").asText() + "'. Change it with: daprx k8s-extension update ... --name " + name);
      }
      return update(cluster, name, request, ifMatch);
    }
    if (ifMatch != null) {
      throw DomainException.preconditionFailed("PreconditionFailed", "Extension '" + name + "' does not exist, and the request is"
          + " conditional on it (If-Match); create it without If-Match.");
    }
    String type = request.extensionType();
    if (type == null) {
      throw DomainException.invalid("InvalidExtensionType", "properties.extensionType is required: use Microsoft.Dapr.");
    }
    if (!type.equalsIgnoreCase(DAPR_TYPE)) {
      throw DomainException.invalid("InvalidExtensionType", "Extension type '" + type + "' is not supported: the only extension type available is '"
          + DAPR_TYPE + "'.");
    }
    String namespace = releaseNamespace(request);
    boolean autoUpgrade = request.autoUpgradeMinorVersion() == null || request.autoUpgradeMinorVersion();
    String train = releases.train(request.releaseTrain());
    Release release = releases.target(cluster, request.version(), autoUpgrade, train, null, null);
    Map<String, String> settings = ExtensionRequest.values(request.settings());
    Map<String, String> protectedSettings = ExtensionRequest.values(request.protectedSettings());
    DaprSettings parsed = parseSettings(settings, protectedSettings);
    requireRegistrations();
    if ("Stopped".equals(cluster.body().path("properties").path("powerState").path("code").asText())) {
      throw DomainException.conflict("ClusterStopped", "Cluster '" + cluster.body().path("name").asText()
          + "' is stopped. Start it with: daprx cluster start -g <group> -n " + cluster.body().path("name").asText());
    }
    checkNoOtherDapr(store, cluster, name, parsed);
    String now = clock.instant().toString();
    Properties p = new Properties(DAPR_TYPE.toLowerCase(Locale.ROOT), autoUpgrade, train, request.version(), null,
        new Scope(new ClusterScope(namespace)), settings, keysOnly(protectedSettings), "Creating", List.of(), null, false, null);
    Extension ext = new Extension(id, name, ArmIds.EXTENSION_TYPE, p, new SystemData("daprx", "User", now, "daprx", "User", now),
        protectedSettings.isEmpty() ? null : seal(protectedSettings), null, null, null);
    // checked again inside the transaction that stores the extension: two racing creates under different names on one
    // local cluster must not both pass
    return startOperation(ext, null, "create", 201, false, null, release, s -> checkNoOtherDapr(s, cluster, name, parsed));
  }

  // ---- update

  public Accepted update(Doc cluster, String name, ExtensionRequest request, String ifMatch) {
    Doc doc = doc(cluster, name);
    if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(doc.etag())) {
      throw DomainException.preconditionFailed("PreconditionFailed", "Extension '" + name
          + "' was changed by someone else since you read it; show it again and retry the update.");
    }
    requireNoOperation(doc);
    Extension ext = Extension.of(doc);
    Properties p = ext.properties();
    if (request.extensionType() != null && !request.extensionType().equalsIgnoreCase(p.extensionType())) {
      throw DomainException.invalid("InvalidUpdate", "The extension type cannot be changed after create; delete the extension and create a new one.");
    }
    if (request.scopeNamespace()) {
      throw DomainException.invalid("InvalidUpdate", "The scope cannot be changed after create.");
    }
    if (request.releaseNamespace() != null && !request.releaseNamespace().equals(p.releaseNamespace())) {
      throw DomainException.invalid("InvalidUpdate", "The release namespace cannot be changed after create.");
    }
    boolean autoUpgrade = request.autoUpgradeMinorVersion() != null ? request.autoUpgradeMinorVersion() : p.autoUpgradeMinorVersion();
    String version = request.versionGiven() ? request.version() : p.version();
    if (request.autoUpgradeMinorVersion() != null && autoUpgrade && !request.versionGiven()) {
      version = null; // turning auto-upgrade back on unpins
    }
    String train = request.releaseTrain() != null ? releases.train(request.releaseTrain()) : p.releaseTrain();
    Release from = applied(doc).map(Applied::release).orElse(null);
    // a version whose auto-upgrade was just rolled back is not taken again by an unrelated update; pin it to retry it
    Release release = releases.target(cluster, version, autoUpgrade, train, from,
        ext.upgradeFailed() == null ? null : ext.upgradeFailed().version());
    Map<String, String> before = p.configurationSettings();
    Map<String, String> after = ExtensionRequest.merge(before, request.settings());
    Map<String, String> protectedAfter = ExtensionRequest.merge(open(ext.sealedProtected()), request.protectedSettings());
    List<String> immutable = DaprSettings.immutableChanges(before, after);
    if (!immutable.isEmpty()) {
      throw DomainException.invalid("InvalidConfigurationSettings", "Cannot change " + String.join(", ", immutable)
          + " after create: the placement StatefulSet, the scheduler's volumes and the replica layout are fixed at install. Delete the extension"
          + " and create it again with the new value.");
    }
    parseSettings(after, protectedAfter);
    Properties changed = new Properties(p.extensionType(), autoUpgrade, train, version, p.currentVersion(), p.scope(), after,
        keysOnly(protectedAfter), "Updating", p.statuses(), p.errorInfo(), p.isSystemExtension(), p.aksAssignedIdentity());
    SystemData sys = ext.systemData().modified(ext.systemData().lastModifiedBy(), ext.systemData().lastModifiedByType(),
        clock.instant().toString());
    Extension updated = new Extension(ext.id(), ext.name(), ext.type(), changed, sys, protectedAfter.isEmpty() ? null : seal(protectedAfter),
        ext.operationId(), ext.lastApplied(), ext.upgradeFailed());
    return startOperation(updated, doc.etag(), "update", 202, false, from, release);
  }

  // ---- upgrade (the auto-upgrader's only write)

  /**
   * Starts moving an installed extension to a newer release of its train, as auto-upgrade does; refused (409)
   * while another operation runs on it, so two operations never touch one install.
   */
  public Accepted upgrade(Doc doc, Release to) {
    requireNoOperation(doc);
    Extension ext = Extension.of(doc);
    Release from = applied(doc).orElseThrow(() -> DomainException.conflict("NotInstalled",
        "Extension '" + ext.name() + "' has never been installed successfully; nothing to upgrade.")).release();
    Extension upgrading = ext.withProperties(ext.properties().withProvisioningState("Updating"))
        .withSystemData(ext.systemData().modified("daprx auto-upgrade", "Application", clock.instant().toString()));
    return startOperation(upgrading, doc.etag(), "upgrade", 202, false, from, to);
  }

  // ---- delete

  /** Starts deleting; null when there is no such extension (the CLI warns and exits 0). */
  public Accepted delete(Doc cluster, String name, boolean force) {
    return delete(cluster, name, force, null);
  }

  /** As {@link #delete(Doc, String, boolean)}; with {@code ifMatch}, only the extension carrying that ETag ({@code *}: any). */
  public Accepted delete(Doc cluster, String name, boolean force, String ifMatch) {
    Optional<Doc> doc = store.get(ArmIds.extension(armId(cluster), name));
    if (doc.isEmpty() && ifMatch == null) {
      return null;
    }
    if (doc.isEmpty() || (!"*".equals(ifMatch) && ifMatch != null && !ifMatch.equals(doc.get().etag()))) {
      throw DomainException.preconditionFailed("PreconditionFailed", "Extension '" + name + "' " + (doc.isEmpty() ? "does not exist"
          : "was changed by someone else since you read it") + "; show it again and retry the delete.");
    }
    if (!force) {
      requireNoOperation(doc.get());
    }
    Extension ext = Extension.of(doc.get());
    return startOperation(ext.withProperties(ext.properties().withProvisioningState("Deleting")), doc.get().etag(), "delete", 202, force,
        applied(doc.get()).map(Applied::release).orElse(null), null);
  }

  // ---- the operation

  private Accepted startOperation(Extension ext, String etag, String kind, int status, boolean force, Release from, Release to) {
    return startOperation(ext, etag, kind, status, force, from, to, s -> {});
  }

  /** @param guard a last check made inside the transaction, before anything is written; it throws to refuse */
  private Accepted startOperation(Extension ext, String etag, String kind, int status, boolean force, Release from, Release to,
      Consumer<Store> guard) {
    String opId = UUID.randomUUID().toString();
    String opDocId = ArmIds.operation(ext.id(), opId);
    ObjectNode body = ext.withOperation(opId).toJson();
    Operation op = new Operation(opDocId, opId, Operation.IN_PROGRESS, clock.instant().toString(), null, null,
        new Operation.Shown(kind, from == null ? null : from.version().toString(), to == null ? null : to.version().toString(), null),
        kind, ext.id(), force, to == null ? null : Catalog.toJson(to));
    Doc saved;
    try {
      saved = store.inTransaction(s -> {
        guard.accept(s);
        Doc d = etag == null ? s.create(ext.id(), KIND, parentOf(ext.id()), body) : s.update(ext.id(), body, etag);
        s.create(opDocId, OPERATION_KIND, ext.id(), op.toJson());
        pruneHistory(s, ext.id());
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
    ops.stream().skip(HISTORY).filter(d -> !Operation.of(d).inProgress()).forEach(d -> s.delete(d.id(), null));
  }

  private void requireNoOperation(Doc doc) {
    Extension ext = Extension.of(doc);
    if (ext.operationId() == null) {
      return;
    }
    store.get(ArmIds.operation(doc.id(), ext.operationId())).ifPresent(op -> {
      if (Operation.of(op).inProgress()) {
        throw DomainException.conflict("OperationInProgress", "Another operation (" + ext.properties().provisioningState()
            + ") is in progress on extension '" + ext.name() + "'; wait for it to finish and retry.");
      }
    });
  }

  /**
   * The features and providers the Dapr extension needs. One that was never registered is missing: the error names only
   * those, with the commands that register them. One still {@code Registering} is on its way, which a pasted block of the
   * seed's commands always meets: that is its own code, {@code RegistrationInProgress}, which clients wait out and retry.
   */
  private void requireRegistrations() {
    StringBuilder missing = new StringBuilder();
    List<String> registering = new ArrayList<>();
    for (String f : List.of("AKS-ExtensionManager", "AKS-Dapr")) {
      String state = registrations.feature("Microsoft.ContainerService", f).path("properties").path("state").asText();
      if (state.equals("Registering")) {
        registering.add("feature Microsoft.ContainerService/" + f);
      } else if (!state.equals("Registered")) {
        missing.append("\n  daprx feature register --namespace Microsoft.ContainerService --name ").append(f);
      }
    }
    for (String ns : List.of("Microsoft.KubernetesConfiguration", "Microsoft.ContainerService")) {
      String state = registrations.provider(ns).path("registrationState").asText();
      if (state.equals("Registering")) {
        registering.add("provider " + ns);
      } else if (!state.equals("Registered")) {
        missing.append("\n  daprx provider register --namespace ").append(ns);
      }
    }
    if (missing.length() > 0) {
      throw DomainException.conflict("MissingSubscriptionRegistration",
          "The subscription is not registered for the Dapr extension. Run these commands, then wait until 'daprx feature list' shows Registered:"
              + missing);
    }
    if (!registering.isEmpty()) {
      throw DomainException.conflict("RegistrationInProgress",
          "The subscription's registration for the Dapr extension is still in progress (" + String.join(", ", registering)
              + " Registering); retry in a few seconds.");
    }
  }

  /**
   * One Dapr per cluster unless the user says otherwise. A local cluster holds exactly one control plane (its pods' ports
   * and names, its CA and its placement state are the cluster's, not the install's), so there a second Dapr extension
   * is refused whatever the settings say: installing it would take over, and deleting it would destroy, the first.
   */
  private static void checkNoOtherDapr(Store s, Doc cluster, String name, DaprSettings settings) {
    boolean local = !io.daprx.manager.deploy.Targets.isConnected(cluster);
    if (!local && (settings.skipExistingDaprCheck() || settings.existingDaprReleaseName() != null)) {
      return;
    }
    for (Doc other : s.list(KIND, cluster.id())) {
      Extension e = Extension.of(other);
      if (e.name().equalsIgnoreCase(name) || !DAPR_TYPE.equalsIgnoreCase(e.properties().extensionType())) {
        continue;
      }
      String clusterName = cluster.body().path("name").asText();
      if (local) {
        throw DomainException.conflict("ExistingDaprInstallation", "Local cluster '" + clusterName + "' already runs the Dapr control plane of"
            + " extension '" + e.name() + "' (" + e.properties().provisioningState() + "), and a local cluster holds only one. Manage it with"
            + " 'daprx k8s-extension update --name " + e.name() + "', or delete that extension first; skipExistingDaprCheck does not apply"
            + " to local clusters.");
      }
      throw DomainException.conflict("ExistingDaprInstallation", "Dapr is already installed on this cluster by extension '"
          + e.name() + "'. Manage it with that extension, or set skipExistingDaprCheck=true to install anyway.");
    }
  }

  /** The settings as the install would run them; every problem refused at once, with the known keys. */
  private static DaprSettings parseSettings(Map<String, String> settings, Map<String, String> protectedSettings) {
    Map<String, String> all = new TreeMap<>(settings);
    all.putAll(protectedSettings);
    try {
      return DaprSettings.parse(all);
    } catch (InvalidSettingsException e) {
      List<String> shown = e.problems().stream().map(problem -> withoutProtectedValue(problem, protectedSettings.keySet())).toList();
      throw DomainException.invalid("InvalidConfigurationSettings", String.join("; ", shown));
    }
  }

  /**
   * A problem with a protected setting names the setting and its rule, never the value given: protected values are
   * secrets and an error message ends up in terminals, logs and CI output. Every problem starts with its setting's key.
   */
  static String withoutProtectedValue(String problem, java.util.Set<String> protectedKeys) {
    for (String key : protectedKeys) {
      if (problem.startsWith(key + " ") || problem.startsWith(key + ":")) {
        int got = problem.indexOf(" (got ");
        String rule = got > 0 ? problem.substring(0, got) : key + " has an invalid value";
        return rule + " (the protected value given is not shown)";
      }
    }
    return problem;
  }

  private static String releaseNamespace(ExtensionRequest request) {
    if (request.scopeNamespace()) {
      throw DomainException.invalid("InvalidScope", "Invalid scope 'namespace'. This extension can be installed only at 'cluster' scope.");
    }
    String ns = request.releaseNamespace();
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

  private static void checkName(String name) {
    if (!name.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?") && !name.matches("[A-Za-z0-9][-A-Za-z0-9]{0,252}")) {
      throw DomainException.invalid("InvalidName", "Invalid extension name '" + name + "': use letters, digits and '-'.");
    }
  }

  /** A sealed settings map opened; none when nothing was sealed. */
  private Map<String, String> open(String sealed) {
    if (sealed == null) {
      return Map.of();
    }
    try {
      return Json.MAPPER.readValue(secrets.open(sealed), STRING_MAP);
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
  private static Map<String, String> keysOnly(Map<String, String> values) {
    Map<String, String> o = new TreeMap<>();
    values.keySet().forEach(k -> o.put(k, null));
    return o;
  }

  /** The cluster's ARM id as the user spelled it (the store's key is lower-cased). */
  private static String armId(Doc cluster) {
    return cluster.body().path("id").asText(cluster.id());
  }

  private static String parentOf(String extId) {
    return extId.substring(0, extId.indexOf("/providers/" + ArmIds.EXTENSIONS_RP + "/"));
  }
}
