package io.daprx.operator.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import io.daprx.common.yaml.BoundedYaml;
import io.daprx.operator.crds.Crds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks an object against one version of a CRD as the API server does, without one: the {@code openAPIV3Schema} as an
 * OpenAPI 3.0 schema (networknt), then every {@code x-kubernetes-validations} rule with CEL, {@code self} bound to the
 * value at the rule's place (for a rule under {@code items}, each element).
 */
final class CrdSchema {

  // has(), all(), exists()...: the macros Kubernetes enables
  private static final Cel CEL = CelFactory.standardCelBuilder().setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN).build();

  private final JsonNode openApi;
  private final Schema schema;

  private CrdSchema(JsonNode openApi) {
    this.openApi = openApi;
    this.schema = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi30()).getSchema(openApi);
  }

  /** The schema of {@code version} of the jar's CRD {@code name} (e.g. {@code mcpservers.dapr.io}). */
  static CrdSchema of(String name, String version) {
    JsonNode crd = BoundedYaml.documents(Crds.yaml(name).getBytes(StandardCharsets.UTF_8)).get(0);
    for (JsonNode v : crd.path("spec").path("versions")) {
      if (v.path("name").asText().equals(version)) {
        return new CrdSchema(v.path("schema").path("openAPIV3Schema"));
      }
    }
    throw new IllegalArgumentException(name + " has no version " + version);
  }

  /** What the API server would refuse {@code object} for; empty when it is accepted. */
  List<String> problems(JsonNode object) {
    List<String> out = new ArrayList<>();
    for (Error e : schema.validate(object)) {
      out.add(e.toString());
    }
    rules(openApi, object, "", out);
    return out;
  }

  /** Every CEL rule of the schema, each compiled (an API server refuses a CRD whose rule does not compile). */
  List<String> compileRules() {
    List<String> rules = new ArrayList<>();
    collect(openApi, rules);
    for (String rule : rules) {
      try {
        CEL.compile(rule).getAst();
      } catch (CelValidationException e) {
        throw new IllegalStateException("rule does not compile: " + rule + ": " + e.getMessage(), e);
      }
    }
    return rules;
  }

  private static void collect(JsonNode schema, List<String> rules) {
    schema.path("x-kubernetes-validations").forEach(v -> rules.add(v.path("rule").asText()));
    schema.path("properties").forEach(p -> collect(p, rules));
    if (schema.has("items")) {
      collect(schema.path("items"), rules);
    }
  }

  private static void rules(JsonNode schema, JsonNode value, String path, List<String> out) {
    for (JsonNode v : schema.path("x-kubernetes-validations")) {
      try {
        Object ok = CEL.createProgram(CEL.compile(v.path("rule").asText()).getAst()).eval(Map.of("self", java(value)));
        if (!Boolean.TRUE.equals(ok)) {
          out.add((path.isEmpty() ? "<root>" : path) + ": " + v.path("message").asText());
        }
      } catch (CelValidationException | CelEvaluationException e) {
        out.add(path + ": rule failed: " + e.getMessage());
      }
    }
    if (value.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        JsonNode property = schema.path("properties").path(f.getKey());
        if (!property.isMissingNode()) {
          rules(property, f.getValue(), path + "." + f.getKey(), out);
        }
      }
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        rules(schema.path("items"), value.get(i), path + "[" + i + "]", out);
      }
    }
  }

  /** A JSON value as CEL's Java runtime takes it: integers as long, objects as maps, arrays as lists. */
  private static Object java(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.fields().forEachRemaining(f -> m.put(f.getKey(), java(f.getValue())));
      return m;
    } else if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(x -> l.add(java(x)));
      return l;
    } else if (n.isIntegralNumber()) {
      return n.asLong();
    } else if (n.isNumber()) {
      return n.asDouble();
    } else if (n.isBoolean()) {
      return n.asBoolean();
    } else if (n.isNull()) {
      return dev.cel.common.values.NullValue.NULL_VALUE;
    }
    return n.asText();
  }
}
