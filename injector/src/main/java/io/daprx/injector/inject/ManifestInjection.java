package io.daprx.injector.inject;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.daprx.injector.patch.Annotation;
import io.daprx.injector.patch.PodPatch;
import io.daprx.injector.patch.PodPatch.Outcome;
import io.daprx.injector.patch.SidecarSettings;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Offline injection of a YAML stream, like {@code linkerd inject}: every workload's pod template goes through the
 * same {@link PodPatch} as the webhook and gets its patch applied; other documents pass through untouched, in order.
 */
public final class ManifestInjection {

  /** The pod template of each workload kind, as JSON Pointer segments from the document root. */
  private static final Map<String, String[]> TEMPLATES = Map.of(
      "Pod", new String[0],
      "Deployment", new String[] {"spec", "template"},
      "StatefulSet", new String[] {"spec", "template"},
      "DaemonSet", new String[] {"spec", "template"},
      "ReplicaSet", new String[] {"spec", "template"},
      "ReplicationController", new String[] {"spec", "template"},
      "Job", new String[] {"spec", "template"},
      "CronJob", new String[] {"spec", "jobTemplate", "spec", "template"});

  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      // "8080" must stay a string (annotations and env values are strings), as must "true"
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
      .build());

  /** The injected stream and one line per workload saying what happened to it. */
  public record Result(String yaml, List<String> notes, int injected) {}

  /** A stream that cannot be injected: bad YAML, or a workload whose annotations cannot make a sidecar. */
  public static final class ManifestException extends IllegalArgumentException {
    public ManifestException(String message) {
      super(message);
    }
  }

  private final SidecarSettings settings;
  private final Map<String, String> extraAnnotations;

  /**
   * @param extraAnnotations set on every workload's pod template before injection (e.g. {@code dapr.io/enabled});
   *     keys without a prefix get {@code dapr.io/}
   */
  public ManifestInjection(SidecarSettings settings, Map<String, String> extraAnnotations) {
    this.settings = settings;
    this.extraAnnotations = new LinkedHashMap<>();
    extraAnnotations.forEach((k, v) -> this.extraAnnotations.put(k.contains("/") ? k : Annotation.PREFIX + k, v));
  }

  /** @param source named in error messages (a file name, or "stdin") */
  public Result inject(String yaml, String source) {
    List<JsonNode> docs = parse(yaml, source);
    List<String> notes = new ArrayList<>();
    int injected = 0;
    StringWriter out = new StringWriter();
    for (int i = 0; i < docs.size(); i++) {
      JsonNode doc = docs.get(i);
      injected += injectDocument(doc, i + 1, notes);
    }
    try {
      for (JsonNode doc : docs) {
        out.write(YAML.writeValueAsString(doc));
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write YAML: " + e.getMessage(), e);
    }
    return new Result(out.toString(), notes, injected);
  }

  private static List<JsonNode> parse(String yaml, String source) {
    List<JsonNode> docs = new ArrayList<>();
    try (JsonParser p = YAML.getFactory().createParser(yaml);
        MappingIterator<JsonNode> it = YAML.readValues(p, JsonNode.class)) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
    } catch (IOException | RuntimeException e) {
      JsonLocation at = e instanceof JsonProcessingException jpe ? jpe.getLocation() : null;
      String where = at != null && at.getLineNr() > 0 ? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "";
      String msg = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : String.valueOf(e.getMessage());
      throw new ManifestException("invalid YAML in " + source + where + " (document " + (docs.size() + 1) + "): "
          + firstLine(msg));
    }
    return docs;
  }

  /** @return how many pod templates were injected (a List counts each item) */
  private int injectDocument(JsonNode doc, int number, List<String> notes) {
    if (!doc.isObject()) {
      return 0;
    }
    String kind = doc.path("kind").asText("");
    if (kind.equals("List") && doc.path("items").isArray()) {
      int n = 0;
      for (JsonNode item : doc.path("items")) {
        n += injectDocument(item, number, notes);
      }
      return n;
    }
    String[] path = TEMPLATES.get(kind);
    if (path == null) {
      return 0;
    }
    String name = doc.path("metadata").path("name").asText("");
    String what = kind.toLowerCase(Locale.ROOT) + " \"" + name + "\"";
    JsonNode template = doc;
    ObjectNode parent = null;
    String field = null;
    for (String segment : path) {
      if (!template.path(segment).isObject()) {
        notes.add(what + " skipped: it has no " + String.join(".", path));
        return 0;
      }
      parent = (ObjectNode) template;
      field = segment;
      template = template.get(segment);
    }
    if (!extraAnnotations.isEmpty()) {
      ObjectNode annotations = ((ObjectNode) template).with("metadata").with("annotations");
      extraAnnotations.forEach(annotations::put);
    }
    String namespace = doc.path("metadata").path("namespace").asText("");
    Outcome outcome = PodPatch.compute(template, namespace.isEmpty() ? null : namespace, name.isEmpty() ? null : name, settings);
    if (outcome instanceof Outcome.Rejected r) {
      throw new ManifestException(what + " (document " + number + "): " + r.message());
    }
    if (outcome instanceof Outcome.Skipped s) {
      notes.add(what + " skipped: " + s.reason());
      return 0;
    }
    Outcome.Patched p = (Outcome.Patched) outcome;
    JsonNode patched = JsonPatch.apply(p.operations(), template);
    if (parent == null) {
      ((ObjectNode) doc).removeAll();
      ((ObjectNode) doc).setAll((ObjectNode) patched);
    } else {
      parent.set(field, patched);
    }
    notes.add(what + " injected (app id " + p.appId() + ")");
    return 1;
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}
