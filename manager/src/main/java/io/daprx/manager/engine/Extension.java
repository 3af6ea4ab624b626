package io.daprx.manager.engine;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.store.Doc;
import java.util.List;
import java.util.Map;

/**
 * The {@code Microsoft.KubernetesConfiguration/extensions} resource as stored, typed: what the user asked for and how it
 * stands ({@link Properties}, ARM's shape, which the API shows), who changed it ({@link SystemData}), and the manager's own
 * state that the API never shows — the operation in flight, the protected settings and the last state that ran with
 * success (both sealed), an auto-upgrade that was rolled back. Read and written only through {@link #of(Doc)} and
 * {@link #toJson()}, so every class sees the same fields with the same types.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Extension(
    String id,
    String name,
    String type,
    Properties properties,
    SystemData systemData,
    @JsonProperty("_protected") @JsonInclude(JsonInclude.Include.NON_NULL) String sealedProtected,
    @JsonProperty("_operation") @JsonInclude(JsonInclude.Include.NON_NULL) String operationId,
    @JsonProperty("_applied") @JsonInclude(JsonInclude.Include.NON_NULL) SealedState lastApplied,
    @JsonProperty("_upgradeFailed") @JsonInclude(JsonInclude.Include.NON_NULL) UpgradeFailure upgradeFailed) {

  /**
   * The spec (extension type, upgrade policy, pinned version, scope, settings) and the status (provisioning state, the
   * version running, statuses, error) in ARM's one {@code properties} object.
   *
   * @param version the pinned version, null when following the train
   * @param currentVersion the version that really runs, null before the first success
   * @param configurationProtectedSettings the protected settings' names only, each mapped to null: never a value
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Properties(
      String extensionType,
      boolean autoUpgradeMinorVersion,
      String releaseTrain,
      String version,
      String currentVersion,
      Scope scope,
      Map<String, String> configurationSettings,
      Map<String, String> configurationProtectedSettings,
      String provisioningState,
      List<Status> statuses,
      ErrorInfo errorInfo,
      @JsonProperty("isSystemExtension") boolean isSystemExtension,
      JsonNode aksAssignedIdentity) {

    public String releaseNamespace() {
      return scope.cluster().releaseNamespace();
    }

    public Properties withState(String state, List<Status> newStatuses, ErrorInfo error) {
      return new Properties(extensionType, autoUpgradeMinorVersion, releaseTrain, version, currentVersion, scope, configurationSettings,
          configurationProtectedSettings, state, newStatuses, error, isSystemExtension, aksAssignedIdentity);
    }

    public Properties withCurrentVersion(String v) {
      return new Properties(extensionType, autoUpgradeMinorVersion, releaseTrain, version, v, scope, configurationSettings,
          configurationProtectedSettings, provisioningState, statuses, errorInfo, isSystemExtension, aksAssignedIdentity);
    }

    public Properties withProvisioningState(String state) {
      return withState(state, statuses, errorInfo);
    }
  }

  public record Scope(ClusterScope cluster) {}

  public record ClusterScope(String releaseNamespace) {}

  /** One line of the extension's statuses, as ARM shows them. */
  public record Status(String code, String displayStatus, String level, String message, String time) {}

  public record ErrorInfo(String code, String message) {}

  public record SystemData(String createdBy, String createdByType, String createdAt, String lastModifiedBy, String lastModifiedByType,
      String lastModifiedAt) {

    public SystemData modified(String by, String byType, String at) {
      return new SystemData(createdBy, createdByType, createdAt, by, byType, at);
    }
  }

  /** A release and the settings (plain and protected, sealed) it ran with. */
  public record SealedState(JsonNode release, String settings) {

    public Release releaseValue() {
      return Catalog.fromJson(release);
    }
  }

  /** An auto-upgrade to {@code version} that was rolled back {@code at} (an instant's text). */
  public record UpgradeFailure(String version, String at) {}

  public static Extension of(Doc doc) {
    return of(doc.body());
  }

  public static Extension of(JsonNode body) {
    try {
      return Json.MAPPER.treeToValue(body, Extension.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalStateException("a stored extension is damaged: " + e.getMessage(), e);
    }
  }

  public ObjectNode toJson() {
    return Json.MAPPER.valueToTree(this);
  }

  public Extension withProperties(Properties p) {
    return new Extension(id, name, type, p, systemData, sealedProtected, operationId, lastApplied, upgradeFailed);
  }

  public Extension withSystemData(SystemData s) {
    return new Extension(id, name, type, properties, s, sealedProtected, operationId, lastApplied, upgradeFailed);
  }

  public Extension withOperation(String opId) {
    return new Extension(id, name, type, properties, systemData, sealedProtected, opId, lastApplied, upgradeFailed);
  }

  public Extension withLastApplied(SealedState applied) {
    return new Extension(id, name, type, properties, systemData, sealedProtected, operationId, applied, upgradeFailed);
  }

  public Extension withUpgradeFailed(UpgradeFailure f) {
    return new Extension(id, name, type, properties, systemData, sealedProtected, operationId, lastApplied, f);
  }

  public String namespace() {
    return properties.releaseNamespace();
  }
}
