package io.daprx.operator.resources;

import io.daprx.common.dapr.ResourceKind;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;

/** Builds {@link Resource}s from JSON trees: namespace defaulting, scopes, Subscription conversion, secret references. */
public final class Resources {

  /** Standalone resources without {@code metadata.namespace} live here, as in Dapr's standalone mode. */
  public static final String DEFAULT_NAMESPACE = "default";
  /** The secret store name that means "Kubernetes Secrets", like an empty one. */
  public static final String KUBERNETES_SECRET_STORE = "kubernetes";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Resources() {}

  /**
   * A resource from its whole tree (not changed; copies are taken).
   *
   * @param defaultNamespace used when {@code metadata.namespace} is missing
   * @throws IllegalArgumentException when the tree is not a resource of a served kind with a name
   * @throws IllegalStateException when {@code secrets} cannot read a referenced Secret
   */
  public static Resource of(JsonNode tree, String defaultNamespace, SecretResolver secrets) {
    if (!(tree instanceof ObjectNode node)) {
      throw new IllegalArgumentException("not a mapping");
    }
    String apiVersion = node.path("apiVersion").asText("");
    if (!apiVersion.startsWith(ResourceKind.GROUP + "/")) {
      throw new IllegalArgumentException("apiVersion '" + apiVersion + "' is not of group " + ResourceKind.GROUP);
    }
    ResourceKind kind = ResourceKind.ofKind(node.path("kind").asText(""))
        .orElseThrow(() -> new IllegalArgumentException("kind '" + node.path("kind").asText("") + "' is not served"));
    String name = node.path("metadata").path("name").asText("");
    if (name.isEmpty()) {
      throw new IllegalArgumentException(kind.kind() + " without metadata.name");
    }
    ObjectNode raw = node.deepCopy();
    if (kind == ResourceKind.SUBSCRIPTION) {
      raw = SubscriptionConversion.toV2alpha1(raw);
    }
    String namespace = raw.path("metadata").path("namespace").asText("");
    if (namespace.isEmpty()) {
      namespace = defaultNamespace;
      ((ObjectNode) raw.get("metadata")).put("namespace", namespace);
    }
    List<String> scopes = new ArrayList<>();
    for (JsonNode s : raw.path("scopes")) {
      if (!s.asText("").isEmpty()) {
        scopes.add(s.asText());
      }
    }
    ByteString json = bytes(raw);
    boolean needsSecrets = needsSecrets(kind, raw);
    ByteString resolved = json;
    ObjectNode resolvedTree = raw;
    if (needsSecrets) {
      resolvedTree = secrets.resolve(kind, namespace, raw);
      resolved = resolvedTree == raw ? json : bytes(resolvedTree);
    }
    return new Resource(kind, namespace, name, raw, json, resolved, scopes, needsSecrets, content(resolvedTree));
  }

  /** Resolves the secrets of {@code r} again (lists do, so a changed Secret shows at the sidecar's next start). */
  public static ByteString resolveAfresh(Resource r, SecretResolver secrets) {
    if (!r.needsSecrets()) {
      return r.resolved();
    }
    ObjectNode resolved = secrets.resolve(r.kind(), r.namespace(), r.raw());
    return resolved == r.raw() ? r.json() : bytes(resolved);
  }

  /**
   * Whether the resource references Kubernetes Secrets the operator resolves: entries of {@link #secretCarriers} with a
   * {@code secretKeyRef.name}, when the resource's secret store ({@link #secretStore}) is empty or {@code kubernetes}
   * (upstream's rule; another store is daprd's to resolve).
   */
  public static boolean needsSecrets(ResourceKind kind, JsonNode resource) {
    String store = secretStore(kind, resource);
    if (!store.isEmpty() && !store.equals(KUBERNETES_SECRET_STORE)) {
      return false;
    }
    for (JsonNode entry : secretCarriers(kind, resource)) {
      if (!entry.path("secretKeyRef").path("name").asText("").isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The secret store that resolves the resource's references: top-level {@code auth.secretStore}, or for an MCPServer
   * its HTTP transport's {@code auth.secretStore} (upstream's {@code MCPServer.GetSecretStore}; stdio has none).
   */
  static String secretStore(ResourceKind kind, JsonNode resource) {
    if (kind == ResourceKind.MCP_SERVER) {
      JsonNode endpoint = resource.path("spec").path("endpoint");
      JsonNode http = endpoint.has("streamableHTTP") ? endpoint.path("streamableHTTP") : endpoint.path("sse");
      return http.path("auth").path("secretStore").asText("");
    }
    return resource.path("auth").path("secretStore").asText("");
  }

  /**
   * The name/value entries that may carry a {@code secretKeyRef}: Component {@code spec.metadata[]}, HTTPEndpoint
   * {@code spec.headers[]}, and the headers of an MCPServer's {@code streamableHTTP} or {@code sse} transport or the
   * {@code env[]} of its {@code stdio} one, as upstream's {@code processMCPServerSecrets} (the {@code oauth2} client
   * secret is not among them: upstream leaves it to daprd, which reads it when it calls the token endpoint).
   */
  public static JsonNode secretCarriers(ResourceKind kind, JsonNode resource) {
    return switch (kind) {
      case COMPONENT -> resource.path("spec").path("metadata");
      case HTTP_ENDPOINT -> resource.path("spec").path("headers");
      case MCP_SERVER -> {
        JsonNode endpoint = resource.path("spec").path("endpoint");
        if (endpoint.has("streamableHTTP")) {
          yield endpoint.path("streamableHTTP").path("headers");
        } else if (endpoint.has("sse")) {
          yield endpoint.path("sse").path("headers");
        }
        yield endpoint.path("stdio").path("env");
      }
      default -> JSON.createArrayNode();
    };
  }

  /** A copy of {@code resource} whose {@code metadata} keeps only name and namespace: what a change is judged by. */
  static ObjectNode content(ObjectNode resource) {
    ObjectNode copy = resource.deepCopy();
    JsonNode meta = resource.path("metadata");
    ObjectNode kept = copy.putObject("metadata");
    kept.set("name", meta.path("name").deepCopy());
    kept.set("namespace", meta.path("namespace").deepCopy());
    return copy;
  }

  static ByteString bytes(JsonNode tree) {
    try {
      return ByteString.copyFrom(JSON.writeValueAsBytes(tree));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a resource as JSON: " + e.getOriginalMessage(), e);
    }
  }
}
