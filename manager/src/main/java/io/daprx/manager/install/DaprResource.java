package io.daprx.manager.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.common.dapr.ResourceKind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code dapr.io} custom resource (Component, Configuration, ...) as a user applies it to a cluster: checked
 * the way the API server checks it against the CRD, with messages in kubectl's words. Pure; the write path is
 * {@code engine.ClusterResources}.
 */
public record DaprResource(ResourceKind kind, String apiVersion, String namespace, String name, ObjectNode body) {

  /** A DNS-1123 subdomain, as Kubernetes requires of custom resource names. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  /** A DNS-1123 label, as Kubernetes requires of namespaces. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  /** Fields the API server owns; what a user sends for them is replaced. */
  private static final List<String> SERVER_FIELDS = List.of("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields");

  /**
   * Checks one object of an apply and settles its namespace.
   *
   * @param where how the user finds the object in their input, e.g. {@code document 2 of component.yaml}
   * @param namespaceFlag the {@code -n} of the command line, or null
   * @throws IllegalArgumentException with every problem of the object, prefixed with {@code where}
   */
  public static DaprResource parse(JsonNode node, String where, String namespaceFlag) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(where + ": not an object; each document must be a Kubernetes resource with apiVersion, kind and metadata");
    }
    ObjectNode body = ((ObjectNode) node).deepCopy();
    List<String> problems = new ArrayList<>();
    String apiVersion = body.path("apiVersion").asText("");
    String kindText = body.path("kind").asText("");
    ResourceKind kind = ResourceKind.ofKind(kindText).orElse(null);
    if (kindText.isEmpty()) {
      problems.add("kind not set");
    } else if (kind == null) {
      problems.add("no matches for kind \"" + kindText + "\" in group \"dapr.io\"; the Dapr kinds are " + ResourceKind.known());
    }
    if (apiVersion.isEmpty()) {
      problems.add("apiVersion not set");
    } else if (kind != null && !kind.versions().stream().map(v -> "dapr.io/" + v).toList().contains(apiVersion)) {
      problems.add("no matches for kind \"" + kindText + "\" in version \"" + apiVersion + "\"; use "
          + String.join(" or ", kind.versions().stream().map(v -> "dapr.io/" + v).toList()));
    }
    JsonNode meta = body.path("metadata");
    String name = meta.path("name").asText("");
    if (name.isEmpty()) {
      problems.add("metadata.name is required");
    } else if (name.length() > 253 || !NAME.matcher(name).matches()) {
      problems.add("metadata.name \"" + name + "\" is invalid: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
          + " characters, '-' or '.', and must start and end with an alphanumeric character");
    }
    String objectNs = meta.path("namespace").asText("");
    String namespace = objectNs.isEmpty() ? (namespaceFlag == null || namespaceFlag.isBlank() ? "default" : namespaceFlag) : objectNs;
    if (!objectNs.isEmpty() && namespaceFlag != null && !namespaceFlag.isBlank() && !objectNs.equals(namespaceFlag)) {
      problems.add("the namespace from the provided object \"" + objectNs + "\" does not match the namespace \"" + namespaceFlag
          + "\"; you must pass '--namespace=" + objectNs + "' to perform this operation");
    }
    if (namespace.length() > 63 || !NAMESPACE.matcher(namespace).matches()) {
      problems.add("namespace \"" + namespace + "\" is invalid: a lowercase RFC 1123 label (at most 63 characters)");
    }
    if (kind == ResourceKind.COMPONENT) {
      checkComponent(body, problems);
    } else if (kind == ResourceKind.MCP_SERVER) {
      checkMcpServer(body, problems);
    } else if (kind == ResourceKind.WORKFLOW_ACCESS_POLICY) {
      checkWorkflowAccessPolicy(body, problems);
    }
    JsonNode scopes = body.path("scopes");
    if (!scopes.isMissingNode() && !scopes.isNull() && !(scopes.isArray() && allText(scopes))) {
      problems.add("scopes must be a list of app ids");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(where + " (" + (kindText.isEmpty() ? "?" : kindText) + (name.isEmpty() ? "" : " " + name)
          + "): " + String.join("; ", problems));
    }
    ObjectNode m = body.with("metadata");
    m.put("namespace", namespace);
    SERVER_FIELDS.forEach(m::remove);
    // kubectl.kubernetes.io/last-applied-configuration stays: kubectl apply (through the cluster's Kubernetes API) diffs
    // against it, and without it warns on every apply and reports every object configured
    body.remove("status");
    return new DaprResource(kind, apiVersion, namespace, name, body);
  }

  private static void checkComponent(ObjectNode body, List<String> problems) {
    JsonNode spec = body.path("spec");
    if (!spec.isObject()) {
      problems.add("spec is required: a Component needs spec.type (e.g. state.redis) and spec.version (e.g. v1)");
      return;
    }
    String type = spec.path("type").asText("");
    if (type.isEmpty() || !type.contains(".")) {
      problems.add("spec.type \"" + type + "\" is invalid: use the component's type, e.g. state.redis or pubsub.kafka");
    }
    if (spec.path("version").asText("").isEmpty()) {
      problems.add("spec.version is required, e.g. v1");
    }
    JsonNode metadata = spec.path("metadata");
    if (!metadata.isMissingNode() && !metadata.isNull()) {
      if (!metadata.isArray()) {
        problems.add("spec.metadata must be a list of {name, value} or {name, secretKeyRef}");
        return;
      }
      int i = 0;
      for (JsonNode item : metadata) {
        if (item.path("name").asText("").isEmpty()) {
          problems.add("spec.metadata[" + i + "].name is required");
        }
        JsonNode ref = item.path("secretKeyRef");
        if (!ref.isMissingNode() && ref.path("name").asText("").isEmpty()) {
          problems.add("spec.metadata[" + i + "].secretKeyRef.name is required");
        }
        i++;
      }
    }
  }

  /** What the CRD's schema refuses, in its words: one transport exactly, each with its url or command. */
  private static void checkMcpServer(ObjectNode body, List<String> problems) {
    JsonNode endpoint = body.path("spec").path("endpoint");
    if (!endpoint.isObject()) {
      problems.add("spec.endpoint is required: one of streamableHTTP {url}, sse {url} or stdio {command}");
      return;
    }
    List<String> set = TRANSPORTS.stream().filter(t -> endpoint.hasNonNull(t)).toList();
    if (set.size() != 1) {
      problems.add("spec.endpoint: exactly one of streamableHTTP, sse or stdio must be set" + (set.isEmpty() ? "" : " (found " + set + ")"));
    }
    for (String http : List.of("streamableHTTP", "sse")) {
      if (endpoint.hasNonNull(http) && endpoint.path(http).path("url").asText("").isEmpty()) {
        problems.add("spec.endpoint." + http + ".url is required");
      }
    }
    if (endpoint.hasNonNull("stdio") && endpoint.path("stdio").path("command").asText("").isEmpty()) {
      problems.add("spec.endpoint.stdio.command is required");
    }
  }

  private static final List<String> TRANSPORTS = List.of("streamableHTTP", "sse", "stdio");
  private static final List<String> WORKFLOW_OPERATIONS = List.of("schedule", "terminate", "raise", "pause", "resume", "purge", "get", "rerun");

  /** What the CRD's schema refuses: a rule without callers, without any workflow or activity, or with an unknown operation. */
  private static void checkWorkflowAccessPolicy(ObjectNode body, List<String> problems) {
    int i = 0;
    for (JsonNode rule : body.path("spec").path("rules")) {
      String at = "spec.rules[" + i++ + "]";
      if (rule.path("callers").isEmpty() || !allHave(rule.path("callers"), "appID")) {
        problems.add(at + ".callers must list at least one {appID}");
      }
      if (rule.path("workflows").isEmpty() && rule.path("activities").isEmpty()) {
        problems.add(at + ": at least one of workflows or activities must hold a rule");
      }
      int w = 0;
      for (JsonNode wf : rule.path("workflows")) {
        if (wf.path("name").asText("").isEmpty()) {
          problems.add(at + ".workflows[" + w + "].name is required (a workflow name or glob)");
        }
        if (wf.path("operations").isEmpty()) {
          problems.add(at + ".workflows[" + w + "].operations must list at least one of " + String.join(", ", WORKFLOW_OPERATIONS));
        }
        for (JsonNode op : wf.path("operations")) {
          if (!WORKFLOW_OPERATIONS.contains(op.asText())) {
            problems.add(at + ".workflows[" + w + "].operations: unsupported value \"" + op.asText() + "\"; supported values: "
                + String.join(", ", WORKFLOW_OPERATIONS));
          }
        }
        w++;
      }
    }
  }

  private static boolean allHave(JsonNode array, String field) {
    for (JsonNode n : array) {
      if (n.path(field).asText("").isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode n : array) {
      if (!n.isTextual()) {
        return false;
      }
    }
    return true;
  }

  /** Where the object lives in a cluster's resources directory; '_' never occurs in Kubernetes names, so names never collide. */
  public String fileName() {
    return fileName(kind, namespace, name);
  }

  /** The longest file name written whole: with the hidden temporary name of a write it stays under the 255 bytes of a name. */
  static final int MAX_PLAIN_FILE_NAME = 200;

  /**
   * The file of {@code kind/namespace/name}. A valid name (253 characters) with its kind and namespace can pass the file
   * system's 255 bytes, so a long one is cut and told apart by a hash of the whole; '~' never occurs in Kubernetes names,
   * so a cut name never collides with a plain one.
   */
  public static String fileName(io.daprx.common.dapr.ResourceKind kind, String namespace, String name) {
    String plain = kind.plural() + "_" + namespace + "_" + name + ".yaml";
    if (plain.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_PLAIN_FILE_NAME) {
      return plain;
    }
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest((namespace + "/" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return kind.plural() + "_" + namespace + "_" + name.substring(0, 100) + "~" + java.util.HexFormat.of().formatHex(digest, 0, 8) + ".yaml";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
