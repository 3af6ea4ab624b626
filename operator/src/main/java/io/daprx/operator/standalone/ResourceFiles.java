package io.daprx.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.daprx.operator.resources.Resource;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.operator.resources.Resources;
import io.daprx.operator.resources.SecretResolver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the Dapr resources of one YAML file (one or more documents); other documents are skipped. */
final class ResourceFiles {

  private static final ObjectReader YAML = new YAMLMapper().readerFor(JsonNode.class);

  private ResourceFiles() {}

  /** Whether the directory scan looks at this file: {@code *.yaml} or {@code *.yml}, not hidden (writers' temp files). */
  static boolean isResourceFile(Path file) {
    String name = file.getFileName().toString();
    return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
  }

  /**
   * Every Dapr resource of the file, in document order. Documents of other API groups (or empty ones) are skipped;
   * a document of group {@code dapr.io} that is not a servable resource makes the whole file broken, as does YAML
   * that does not parse (e.g. a file caught half-written).
   *
   * @throws IllegalArgumentException saying what is wrong, with the position when the YAML does not parse
   */
  static List<Resource> parse(byte[] content) {
    List<Resource> out = new ArrayList<>();
    int doc = 0;
    try (MappingIterator<JsonNode> docs = YAML.readValues(content)) {
      while (docs.hasNextValue()) {
        JsonNode tree = docs.nextValue();
        doc++;
        if (tree == null || tree.isNull() || tree.isMissingNode() || (tree.isObject() && tree.isEmpty())) {
          continue;
        }
        String apiVersion = tree.path("apiVersion").asText("");
        if (!apiVersion.startsWith(ResourceKind.GROUP + "/")) {
          continue;
        }
        try {
          out.add(Resources.of(tree, Resources.DEFAULT_NAMESPACE, SecretResolver.NONE));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("document " + doc + ": " + e.getMessage(), e);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith("document ")) {
        throw iae;
      }
      throw new IllegalArgumentException("document " + (doc + 1) + " is not valid YAML: " + describe(e), e);
    }
    return out;
  }

  /**
   * What the parser says is wrong and where, without the excerpt of the file parsers add to their messages: a line of
   * a resource file may hold a credential, and this text goes to the log.
   */
  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m) {
        String where = m.getProblemMark() == null ? ""
            : " (line " + (m.getProblemMark().getLine() + 1) + ", column " + (m.getProblemMark().getColumn() + 1) + ")";
        String context = m.getContext() == null ? "" : m.getContext() + ": ";
        return context + m.getProblem() + where;
      }
    }
    String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    if (msg == null) {
      return e.getClass().getSimpleName();
    }
    int nl = msg.indexOf('\n');
    return nl < 0 ? msg : msg.substring(0, nl);
  }
}
