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
    if (needsSecrets) {
      ObjectNode r = secrets.resolve(kind, namespace, raw);
      resolved = r == raw ? json : bytes(r);
    }
    return new Resource(kind, namespace, name, raw, json, resolved, scopes, needsSecrets);
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
   * Whether the resource references Kubernetes Secrets the operator resolves: Component {@code spec.metadata[]} and
   * HTTPEndpoint {@code spec.headers[]} entries with a {@code secretKeyRef.name}, when {@code auth.secretStore} is
   * empty or {@code kubernetes} (upstream's rule).
   */
  public static boolean needsSecrets(ResourceKind kind, JsonNode resource) {
    String store = resource.path("auth").path("secretStore").asText("");
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

  /** The name/value entries that may carry a {@code secretKeyRef}. */
  static JsonNode secretCarriers(ResourceKind kind, JsonNode resource) {
    return switch (kind) {
      case COMPONENT -> resource.path("spec").path("metadata");
      case HTTP_ENDPOINT -> resource.path("spec").path("headers");
      default -> JSON.createArrayNode();
    };
  }

  static ByteString bytes(JsonNode tree) {
    try {
      return ByteString.copyFrom(JSON.writeValueAsBytes(tree));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a resource as JSON: " + e.getOriginalMessage(), e);
    }
  }
}
