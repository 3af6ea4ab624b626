package io.daprx.operator.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.operator.resources.Resources;
import io.daprx.operator.resources.SecretResolver;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Resolves {@code secretKeyRef}s from Kubernetes Secrets of the resource's namespace, as upstream's
 * {@code processComponentSecrets}: the key defaults to the secret's name; when the Secret has the key, the entry's
 * {@code value} becomes the base64 of the secret bytes (a JSON string); a missing key leaves the entry unchanged; a
 * missing Secret is an error. Secret values never reach a log line.
 */
public final class KubernetesSecrets implements SecretResolver {

  private final KubernetesClient client;

  public KubernetesSecrets(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public ObjectNode resolve(ResourceKind kind, String namespace, ObjectNode resource) {
    if (!Resources.needsSecrets(kind, resource)) {
      return resource;
    }
    ObjectNode copy = resource.deepCopy();
    JsonNode entries = Resources.secretCarriers(kind, copy);
    Map<String, Secret> read = new HashMap<>();
    for (JsonNode e : entries) {
      String secretName = e.path("secretKeyRef").path("name").asText("");
      if (secretName.isEmpty() || !(e instanceof ObjectNode entry)) {
        continue;
      }
      String key = e.path("secretKeyRef").path("key").asText("");
      if (key.isEmpty()) {
        key = secretName;
      }
      Secret secret = read.computeIfAbsent(secretName, n -> get(kind, namespace, resource, n));
      String base64 = base64Value(secret, key);
      if (base64 != null) {
        entry.put("value", base64);
      }
    }
    return copy;
  }

  private Secret get(ResourceKind kind, String namespace, JsonNode resource, String secretName) {
    String what = kind.describe(namespace, resource.path("metadata").path("name").asText());
    try {
      Secret s = client.secrets().inNamespace(namespace).withName(secretName).get();
      if (s == null) {
        throw new IllegalStateException(what + " references Secret " + namespace + "/" + secretName + ", which does not exist");
      }
      return s;
    } catch (KubernetesClientException e) {
      throw new IllegalStateException("cannot read Secret " + namespace + "/" + secretName + " for " + what + ": HTTP " + e.getCode(), e);
    }
  }

  /** {@code data} is base64 already (the bytes' base64 is what upstream sends); {@code stringData} is plain text. */
  private static String base64Value(Secret secret, String key) {
    if (secret.getData() != null && secret.getData().containsKey(key)) {
      return secret.getData().get(key);
    }
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return Base64.getEncoder().encodeToString(secret.getStringData().get(key).getBytes(StandardCharsets.UTF_8));
    }
    return null;
  }
}
