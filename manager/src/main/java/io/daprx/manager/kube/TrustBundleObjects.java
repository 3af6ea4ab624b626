package io.daprx.manager.kube;

import io.daprx.manager.model.ControlPlane;
import io.daprx.common.trust.RawBundle;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Secret and ConfigMap {@code dapr-trust-bundle}, in the shape sentry's {@code KubernetesBundleStore} reads.
 * Without a bundle both are rendered empty and sentry fills them; whoever applies them must then leave their
 * data alone (server-side apply of these objects owns no data fields, so it does), or it would wipe the CA.
 */
final class TrustBundleObjects {

  private TrustBundleObjects() {}

  static List<HasMetadata> of(InstallSpec spec) {
    RawBundle b = spec.trustBundle();
    Map<String, String> secretData = null;
    Map<String, String> anchors = null;
    if (b != null) {
      secretData = new LinkedHashMap<>();
      secretData.put(RawBundle.CA_CRT, base64(b.caCrt()));
      secretData.put(RawBundle.ISSUER_CRT, base64(b.issuerCrt()));
      secretData.put(RawBundle.ISSUER_KEY, base64(b.issuerKey()));
      // only the anchors are public: sidecars, the injector and the other components read this ConfigMap
      anchors = Map.of(RawBundle.CA_CRT, b.caCrt());
    }
    Secret secret = new SecretBuilder()
        .withMetadata(Pods.meta(Pods.TRUST_BUNDLE, ControlPlane.SENTRY, spec))
        .withType("Opaque")
        .withData(secretData)
        .build();
    ConfigMap configMap = new ConfigMapBuilder()
        .withMetadata(Pods.meta(Pods.TRUST_BUNDLE, ControlPlane.SENTRY, spec))
        .withData(anchors)
        .build();
    return List.of(secret, configMap);
  }

  private static String base64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
  }
}
