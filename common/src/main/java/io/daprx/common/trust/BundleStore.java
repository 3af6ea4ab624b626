package io.daprx.common.trust;

/**
 * Where the CA bundle lives: a directory in standalone mode, Secret + ConfigMap {@code dapr-trust-bundle}
 * in Kubernetes mode.
 */
public interface BundleStore {

  /** The stored texts; fields are null for missing keys; {@link RawBundle#empty()} when nothing is stored. */
  RawBundle load();

  /** Writes all three texts (and, in Kubernetes, the ConfigMap with {@code ca.crt}). */
  void save(RawBundle bundle);

  /**
   * Writes {@code bundle} only if the store is still empty, atomically with respect to other writers
   * (replicas starting together); returns what the store holds afterwards.
   */
  RawBundle saveIfAbsent(RawBundle bundle);

  /** Where, in words, for error messages: "directory /x" or "Secret dapr-system/dapr-trust-bundle". */
  String describe();
}
