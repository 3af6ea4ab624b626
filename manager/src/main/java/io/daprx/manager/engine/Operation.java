package io.daprx.manager.engine;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.store.Doc;

/**
 * A long-running operation of an extension (create, update, upgrade, delete), as stored and polled: ARM's fields, then
 * what the runner needs — which extension, whether it is forced, the release it moves to. Read and written only
 * through {@link #of(Doc)} and {@link #toJson()}.
 *
 * @param startTime an instant's text; compared as instants, never as text (see {@link Extensions})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Operation(
    String id,
    String name,
    String status,
    String startTime,
    String endTime,
    Error error,
    Shown properties,
    @JsonProperty("_kind") String kind,
    @JsonProperty("_extensionId") String extensionId,
    @JsonProperty("_force") boolean force,
    @JsonProperty("_release") @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode release) {

  public static final String IN_PROGRESS = "InProgress";

  /** What the history shows of an operation: its kind and the versions it moved between. */
  public record Shown(String operation, String fromVersion, String toVersion,
      @JsonInclude(JsonInclude.Include.NON_NULL) String rolledBackTo) {}

  public record Error(String code, String message) {}

  public static Operation of(Doc doc) {
    try {
      return Json.MAPPER.treeToValue(doc.body(), Operation.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalStateException("stored operation " + doc.id() + " is damaged: " + e.getMessage(), e);
    }
  }

  public ObjectNode toJson() {
    return Json.MAPPER.valueToTree(this);
  }

  public boolean inProgress() {
    return IN_PROGRESS.equals(status);
  }

  /** The release it moves to, as stored when it was accepted (none for a delete). */
  public Release targetRelease() {
    return release == null || release.isNull() ? null : Catalog.fromJson(release);
  }

  /** The operation ended: {@code error} null for success; {@code rolledBackToVersion} when a failure was rolled back. */
  public Operation finished(String at, Error failure, String rolledBackToVersion) {
    Shown shown = rolledBackToVersion == null ? properties
        : new Shown(properties.operation(), properties.fromVersion(), properties.toVersion(), rolledBackToVersion);
    return new Operation(id, name, failure == null ? "Succeeded" : "Failed", startTime, at, failure, shown, kind, extensionId, force, release);
  }
}
