package io.daprx.manager.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Brings fields an older daprx wrote with a plain create or update under our server-side apply manager, as
 * {@code k8s.io/client-go/util/csaupgrade} does for kubectl: the fields of a legacy manager's {@code Update} entry are
 * merged into the {@value KubeApply#FIELD_MANAGER} {@code Apply} entry (made if absent) and the legacy entry is dropped.
 * Without it those fields stay with the legacy manager for good, and a setting our desired state no longer has (a node
 * selector removed by an update) is never removed from the live object.
 *
 * <p>Unlike kubectl's {@code kubectl-client-side-apply}, the legacy name here, fabric8's user agent, is shared by every
 * fabric8 writer: sentry fills the trust bundle's data, the injector a webhook's {@code caBundle}, and their writes land
 * in the same entry. Those fields are what the control plane fills at runtime, not what the manager renders, so they are
 * left with the legacy entry: any {@code caBundle}, and a Secret's or ConfigMap's data keys the desired object does not
 * have. Entries of a subresource (status) or of another API version are left as they are.
 */
final class LegacyOwnership {

  /** The manager name an API server records for fabric8's plain create/update/patch (its user agent's product). */
  static final Set<String> LEGACY_MANAGERS = Set.of("fabric8-kubernetes-client");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> DATA_FIELDS = Set.of("f:data", "f:binaryData", "f:stringData");

  private LegacyOwnership() {}

  /**
   * The JSON patch (RFC 6902) that moves {@code live}'s legacy fields to our manager, pinned to its resourceVersion so a
   * concurrent write makes it fail (409) rather than lose that write's ownership; empty when there is nothing to move.
   */
  static Optional<String> patch(HasMetadata live, HasMetadata desired) {
    List<ManagedFieldsEntry> entries = live.getMetadata().getManagedFields();
    if (entries == null || entries.isEmpty()) {
      return Optional.empty(); // a server that keeps no managed fields (fabric8's CRUD mock)
    }
    String apiVersion = live.getApiVersion();
    ArrayNode out = JSON.createArrayNode();
    ObjectNode ours = null;
    ObjectNode adopted = JSON.createObjectNode();
    boolean moved = false;
    for (ManagedFieldsEntry e : entries) {
      ObjectNode entry = JSON.valueToTree(e);
      if (isOurs(e)) {
        ours = entry;
      } else if (isLegacy(e, apiVersion)) {
        ObjectNode fields = e.getFieldsV1() == null ? JSON.createObjectNode() : JSON.valueToTree(e.getFieldsV1());
        ObjectNode left = JSON.createObjectNode();
        split(fields, adopted, left, desired, List.of());
        moved = true;
        if (left.isEmpty()) {
          continue; // nothing of it stays with the legacy manager
        }
        entry.set("fieldsV1", left);
      }
      out.add(entry);
    }
    if (!moved || adopted.isEmpty()) {
      return Optional.empty();
    }
    if (ours == null) {
      ours = JSON.createObjectNode().put("manager", KubeApply.FIELD_MANAGER).put("operation", "Apply").put("apiVersion", apiVersion)
          .put("fieldsType", "FieldsV1");
      ours.set("fieldsV1", JSON.createObjectNode());
      out.add(ours);
    }
    merge((ObjectNode) ours.get("fieldsV1"), adopted);
    ArrayNode patch = JSON.createArrayNode();
    patch.addObject().put("op", "replace").put("path", "/metadata/managedFields").set("value", out);
    patch.addObject().put("op", "replace").put("path", "/metadata/resourceVersion").put("value", live.getMetadata().getResourceVersion());
    return Optional.of(patch.toString());
  }

  private static boolean isOurs(ManagedFieldsEntry e) {
    return KubeApply.FIELD_MANAGER.equals(e.getManager()) && "Apply".equals(e.getOperation()) && noSubresource(e);
  }

  private static boolean isLegacy(ManagedFieldsEntry e, String apiVersion) {
    return LEGACY_MANAGERS.contains(e.getManager()) && "Update".equals(e.getOperation()) && noSubresource(e)
        && apiVersion.equals(e.getApiVersion());
  }

  private static boolean noSubresource(ManagedFieldsEntry e) {
    return e.getSubresource() == null || e.getSubresource().isEmpty();
  }

  /** Sorts the field trie {@code fields} (at {@code path}) into what we adopt and what stays with its runtime writer. */
  private static void split(ObjectNode fields, ObjectNode adopted, ObjectNode left, HasMetadata desired, List<String> path) {
    for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      List<String> at = new ArrayList<>(path);
      at.add(f.getKey());
      if (filledAtRuntime(at, desired)) {
        left.set(f.getKey(), f.getValue().deepCopy());
      } else if (f.getValue() instanceof ObjectNode child && !child.isEmpty()) {
        ObjectNode a = JSON.createObjectNode();
        ObjectNode l = JSON.createObjectNode();
        split(child, a, l, desired, at);
        if (!a.isEmpty()) {
          adopted.set(f.getKey(), a);
        }
        if (!l.isEmpty()) {
          left.set(f.getKey(), l);
        }
      } else {
        adopted.set(f.getKey(), f.getValue().deepCopy());
      }
    }
  }

  private static boolean filledAtRuntime(List<String> path, HasMetadata desired) {
    if (path.get(path.size() - 1).equals("f:caBundle")) {
      return true;
    }
    if (path.size() == 2 && DATA_FIELDS.contains(path.get(0)) && (desired instanceof Secret || desired instanceof ConfigMap)) {
      Set<String> keys = desiredData(desired);
      // "." is the map itself: ours only when we render some of it
      return path.get(1).equals(".") ? keys.isEmpty() : !keys.contains(path.get(1).substring(2));
    }
    return false;
  }

  private static Set<String> desiredData(HasMetadata desired) {
    Set<String> keys = new java.util.HashSet<>();
    if (desired instanceof Secret s) {
      keys.addAll(s.getData() == null ? Set.of() : s.getData().keySet());
      keys.addAll(s.getStringData() == null ? Set.of() : s.getStringData().keySet());
    } else if (desired instanceof ConfigMap c) {
      keys.addAll(c.getData() == null ? Set.of() : c.getData().keySet());
      keys.addAll(c.getBinaryData() == null ? Set.of() : c.getBinaryData().keySet());
    }
    return keys;
  }

  /** Union of two field tries (a field is an object key; its children are the fields under it). */
  private static void merge(ObjectNode into, ObjectNode from) {
    from.fields().forEachRemaining(f -> {
      JsonNode have = into.get(f.getKey());
      if (have instanceof ObjectNode h && f.getValue() instanceof ObjectNode o) {
        merge(h, o);
      } else if (have == null) {
        into.set(f.getKey(), f.getValue().deepCopy());
      }
    });
  }
}
