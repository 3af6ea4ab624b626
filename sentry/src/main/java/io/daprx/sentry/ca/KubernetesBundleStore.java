package io.daprx.sentry.ca;

import io.fabric8.kubernetes.client.KubernetesClient;

/** Secret + ConfigMap dapr-trust-bundle (being written). */
public final class KubernetesBundleStore implements BundleStore {

  public KubernetesBundleStore(KubernetesClient client, String namespace) {
  }

  @Override
  public RawBundle load() {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void save(RawBundle bundle) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public RawBundle saveIfAbsent(RawBundle bundle) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public String describe() {
    return "Kubernetes";
  }
}
