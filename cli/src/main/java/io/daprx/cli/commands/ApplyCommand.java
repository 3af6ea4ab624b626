package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.common.yaml.BoundedYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code daprx apply -f}: creates or updates Dapr resources (Components, Configurations, ...) on the current cluster, as kubectl apply does. */
@Command(name = "apply", mixinStandardHelpOptions = true, description = {
    "Create or update Dapr resources (Component, Configuration, Subscription, Resiliency, HTTPEndpoint, MCPServer, WorkflowAccessPolicy) on a cluster.",
    "Every document is checked before any is written: one bad document applies nothing.",
    "  daprx apply -f statestore.yaml",
    "  daprx apply -f ./components/ -n shop",
    "  cat pubsub.yaml | daprx apply -f -"})
public final class ApplyCommand extends ClientCommand implements Callable<Integer> {

  static final ObjectMapper YAML = new ObjectMapper(BoundedYaml.factory().build());

  @Option(names = {"--filename", "-f"}, required = true, paramLabel = "FILE|DIR|-",
      description = "a YAML or JSON file (several documents allowed), a directory of them, or - for standard input")
  String filename;

  @Option(names = {"--namespace", "-n"}, description = "namespace of objects that do not name one (default: default)")
  String namespace;

  @Mixin
  ClusterOptions cluster;

  @Override
  public Integer call() {
    ArrayNode items = YAML.createArrayNode();
    items.addAll(documents(filename));
    if (items.isEmpty()) {
      throw new IllegalArgumentException("no objects passed to apply: " + filename + " holds no documents");
    }
    ObjectNode body = YAML.createObjectNode();
    body.set("items", items);
    if (namespace != null) {
      body.put("namespace", namespace);
    }
    JsonNode results = items(api().send("POST", clusterPath(cluster) + "/apply", body, Map.of()).body());
    boolean outputGiven = spec.commandLine().getParseResult().hasMatchedOption("--output");
    if (!outputGiven) {
      for (JsonNode r : results) {
        out().println(r.path("reference").asText() + "/" + r.path("name").asText() + " " + r.path("result").asText());
      }
      out().flush();
      return 0;
    }
    print(results);
    return 0;
  }

  /** Every object of the files {@code -f} names (a file, a directory of them, or - for standard input). */
  static List<ObjectNode> documents(String filename) {
    List<ObjectNode> out = new ArrayList<>();
    for (Path file : files(filename)) {
      String label = file.toString().equals("-") ? "standard input" : file.toString();
      out.addAll(documents(label, read(file)));
    }
    return out;
  }

  private static List<Path> files(String filename) {
    if (filename.equals("-")) {
      return List.of(Path.of("-"));
    }
    Path p = Path.of(filename);
    if (Files.isDirectory(p)) {
      try (Stream<Path> s = Files.list(p)) {
        List<Path> found = s.filter(f -> f.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList();
        if (found.isEmpty()) {
          throw new IllegalArgumentException("error reading " + filename + ": the directory has no .yaml, .yml or .json files");
        }
        return found;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + filename + ": " + e.getMessage(), e);
      }
    }
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("the path \"" + filename + "\" does not exist");
    }
    return List.of(p);
  }

  /** The file's bytes, or standard input's; over {@link BoundedYaml#MAX_FILE_BYTES} is refused before it is read. */
  private static byte[] read(Path file) {
    try {
      if (file.toString().equals("-")) {
        return BoundedYaml.read(System.in, "standard input");
      }
      return BoundedYaml.readFile(file);
    } catch (BoundedYaml.Invalid e) {
      throw new IllegalArgumentException("error reading " + file + ": " + e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The objects of a YAML stream, each tagged with where it came from so that the server's message points at
   * the right document; {@code kind: List} is unpacked as kubectl does.
   */
  static List<ObjectNode> documents(String label, String text) {
    return documents(label, text.getBytes(StandardCharsets.UTF_8));
  }

  static List<ObjectNode> documents(String label, byte[] content) {
    List<ObjectNode> out = new ArrayList<>();
    int doc = 0;
    List<JsonNode> docs;
    try {
      docs = BoundedYaml.documents(content);
    } catch (BoundedYaml.Invalid e) {
      throw new IllegalArgumentException("error parsing " + label + ": " + e.getMessage());
    }
    for (JsonNode n : docs) {
      doc++;
      if (n == null || n.isNull() || n.isMissingNode() || (n.isObject() && n.isEmpty())) {
        continue; // an empty document between two '---'
      }
      if (!n.isObject()) {
        throw new IllegalArgumentException("error parsing " + label + ": document " + doc + " is not an object");
      }
      if ("List".equals(n.path("kind").asText()) && n.path("items").isArray()) {
        int i = 0;
        for (JsonNode item : n.path("items")) {
          ObjectNode o = item.isObject() ? ((ObjectNode) item).deepCopy() : YAML.createObjectNode();
          o.put("_source", "item " + i++ + " of document " + doc + " of " + label);
          out.add(o);
        }
        continue;
      }
      ObjectNode o = ((ObjectNode) n).deepCopy();
      o.put("_source", "document " + doc + " of " + label);
      out.add(o);
    }
    return out;
  }
}
