package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/** JSON helpers shared by the services: one mapper, and the rule that fields starting with '_' are internal. */
public final class Json {

  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** The body as the API shows it: internal fields (names starting with '_') removed, recursively. */
  public static ObjectNode external(ObjectNode stored) {
    ObjectNode copy = stored.deepCopy();
    strip(copy);
    return copy;
  }

  private static void strip(JsonNode node) {
    if (node instanceof ObjectNode o) {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().startsWith("_")) {
          it.remove();
        } else {
          strip(e.getValue());
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(Json::strip);
    }
  }
}
