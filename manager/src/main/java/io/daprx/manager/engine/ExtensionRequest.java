package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.manager.model.DomainException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a PUT or PATCH of an extension asks for, read once from its body at the API's edge. A field a PATCH leaves out
 * is null (or {@code versionGiven} false: a version set to null unpins, a missing one keeps the pin).
 *
 * @param scopeNamespace whether the request asks for {@code namespace} scope (which this extension refuses)
 * @param settings the configuration settings as a merge patch: a key mapped to null is removed
 * @param protectedSettings the same for protected settings
 */
public record ExtensionRequest(
    String extensionType,
    Boolean autoUpgradeMinorVersion,
    boolean versionGiven,
    String version,
    String releaseTrain,
    boolean scopeNamespace,
    String releaseNamespace,
    Map<String, String> settings,
    Map<String, String> protectedSettings) {

  /** Reads a request body ({@code {"properties": {...}}}); refuses settings that are not an object of scalars. */
  public static ExtensionRequest parse(JsonNode body) {
    JsonNode p = body.path("properties");
    JsonNode auto = p.get("autoUpgradeMinorVersion");
    JsonNode scope = p.path("scope");
    return new ExtensionRequest(text(p, "extensionType"), auto == null || auto.isNull() ? null : auto.asBoolean(true),
        p.has("version"), text(p, "version"), text(p, "releaseTrain"), scope.has("namespace"), text(scope.path("cluster"), "releaseNamespace"),
        patch(p.get("configurationSettings")), patch(p.get("configurationProtectedSettings")));
  }

  /** A settings object as a map; a key set to null stays, mapped to null (removed by a merge patch). */
  private static Map<String, String> patch(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (!node.isObject()) {
      throw DomainException.invalid("InvalidRequestContent", "Settings must be a JSON object of strings.");
    }
    Map<String, String> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        out.put(e.getKey(), null);
      } else if (!e.getValue().isValueNode()) {
        throw DomainException.invalid("InvalidRequestContent", "Setting '" + e.getKey() + "' must be a string, number or boolean.");
      } else {
        out.put(e.getKey(), e.getValue().asText());
      }
    }
    return out;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
  }

  /** JSON merge patch (RFC 7386) of a string map: a key mapped to null is removed. */
  static Map<String, String> merge(Map<String, String> base, Map<String, String> patch) {
    Map<String, String> out = new LinkedHashMap<>(base);
    if (patch != null) {
      patch.forEach((k, v) -> {
        if (v == null) {
          out.remove(k);
        } else {
          out.put(k, v);
        }
      });
    }
    return out;
  }

  /** The settings a create asks for: a create has nothing to remove, so null values are dropped. */
  static Map<String, String> values(Map<String, String> patch) {
    return merge(Map.of(), patch);
  }
}
