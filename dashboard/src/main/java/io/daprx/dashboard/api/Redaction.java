package io.daprx.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keeps secret values out of everything the dashboard shows. A Dapr resource names its settings as
 * {@code {name, value}} or {@code {name, secretKeyRef}} pairs (component metadata, HTTPEndpoint headers): a
 * {@code secretKeyRef} is a reference and stays, an inline {@code value} whose name looks secret is masked. The
 * {@code last-applied-configuration} annotation (a copy of the whole object, inline values included) is masked too.
 */
public final class Redaction {

  public static final String MASK = "••••••";
  static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|passwd|secret|token|key|connectionstring|credential).*");
  private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private Redaction() {}

  /** Whether a setting of this name holds a secret value. */
  public static boolean looksSecret(String name) {
    return name != null && SECRET_NAME.matcher(name).matches();
  }

  /** A deep copy of {@code resource} with every secret value masked and the server's bookkeeping dropped. */
  public static JsonNode redact(JsonNode resource) {
    JsonNode copy = resource.deepCopy();
    if (copy.path("metadata") instanceof ObjectNode meta) {
      meta.remove("managedFields");
      if (meta.path("annotations") instanceof ObjectNode annotations && annotations.has(LAST_APPLIED)) {
        annotations.put(LAST_APPLIED, MASK);
      }
    }
    walk(copy);
    return copy;
  }

  private static void walk(JsonNode node) {
    if (node instanceof ObjectNode o) {
      JsonNode name = o.get("name");
      if (name != null && name.isTextual() && o.has("value") && !o.get("value").isNull() && looksSecret(name.asText())) {
        o.put("value", MASK);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        walk(it.next().getValue());
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(Redaction::walk);
    }
  }
}
