package io.daprx.operator.resources;

import io.daprx.common.dapr.ResourceKind;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Fills {@code secretKeyRef} values of a resource in from a secret store. Kubernetes mode reads Kubernetes Secrets;
 * standalone mode resolves nothing (daprd resolves references with its own secret store).
 */
@FunctionalInterface
public interface SecretResolver {

  /** Resolves nothing. */
  SecretResolver NONE = (kind, namespace, resource) -> resource;

  /**
   * @return {@code resource} itself when there is nothing to resolve, else a resolved copy (the argument is not changed)
   * @throws IllegalStateException naming the secret (never its value) when a referenced Secret cannot be read
   */
  ObjectNode resolve(ResourceKind kind, String namespace, ObjectNode resource);
}
