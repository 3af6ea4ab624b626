package io.daprx.manager.kube;

import io.daprx.manager.model.ControlPlane;
import io.daprx.common.runtime.GoDuration;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Configuration {@code daprsystem}: the mTLS settings sentry and the sidecars read from the control-plane namespace. */
final class SystemConfiguration {

  static final String NAME = "daprsystem";

  private SystemConfiguration() {}

  static GenericKubernetesResource of(InstallSpec spec) {
    Map<String, Object> mtls = new LinkedHashMap<>();
    mtls.put("enabled", spec.settings().mtlsEnabled());
    mtls.put("workloadCertTTL", GoDuration.format(spec.settings().workloadCertTtl()));
    mtls.put("allowedClockSkew", GoDuration.format(spec.settings().allowedClockSkew()));
    mtls.put("controlPlaneTrustDomain", ControlPlane.TRUST_DOMAIN);
    mtls.put("sentryAddress", spec.sentryAddress());
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("dapr.io/v1alpha1")
        .withKind("Configuration")
        .withMetadata(Pods.meta(NAME, ControlPlane.SENTRY, spec))
        .withAdditionalProperties(Map.of("spec", Map.of("mtls", mtls)))
        .build();
  }
}
