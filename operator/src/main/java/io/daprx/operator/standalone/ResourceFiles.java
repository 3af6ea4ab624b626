package io.daprx.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.operator.resources.Resource;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.common.yaml.BoundedYaml;
import io.daprx.operator.resources.Resources;
import io.daprx.operator.resources.SecretResolver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the Dapr resources of one YAML file (one or more documents); other documents are skipped. */
final class ResourceFiles {

  private ResourceFiles() {}

  /** Whether the directory scan looks at this file: {@code *.yaml} or {@code *.yml}, not hidden (writers' temp files). */
  static boolean isResourceFile(Path file) {
    String name = file.getFileName().toString();
    return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
  }

  /**
   * Every Dapr resource of the file, in document order. Documents of other API groups (or empty ones) are skipped;
   * a document of group {@code dapr.io} that is not a servable resource makes the whole file broken, as does YAML
   * that does not parse (e.g. a file caught half-written), or a file or document over {@link BoundedYaml}'s limits.
   *
   * @throws IllegalArgumentException saying what is wrong, with the position when the YAML does not parse; a
   *     {@link BoundedYaml.Invalid} when the YAML itself is refused
   */
  static List<Resource> parse(byte[] content) {
    List<Resource> out = new ArrayList<>();
    int doc = 0;
    for (JsonNode tree : BoundedYaml.documents(content)) {
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
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("document " + doc + " is not a valid resource: " + BoundedYaml.describe(e), e);
      }
    }
    return out;
  }
}
