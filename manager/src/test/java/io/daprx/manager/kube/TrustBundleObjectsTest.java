package io.daprx.manager.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrustBundleObjectsTest {

  @Test
  void withoutABundleNothingSecretIsRenderedAndSentryFillsTheEmptyObjects() {
    List<HasMetadata> objects = ControlPlaneManifests.render(Fixtures.spec(Map.of()), CrdSource.none());
    Secret secret = Fixtures.get(objects, Secret.class, "dapr-trust-bundle");
    assertThat(secret.getData()).isNullOrEmpty();
    assertThat(secret.getStringData()).isNullOrEmpty();
    assertThat(Fixtures.get(objects, ConfigMap.class, "dapr-trust-bundle").getData()).isNullOrEmpty();
    String yaml = ManifestWriter.yaml(objects);
    assertThat(yaml).doesNotContain("BEGIN").doesNotContain("issuer.key").doesNotContain("ca.crt:");
    assertThat(Fixtures.all(objects, Secret.class)).hasSize(1);
  }

  @Test
  void theIssuerKeyGoesOnlyIntoTheSecret() {
    List<HasMetadata> objects = ControlPlaneManifests.render(Fixtures.spec(Map.of(), Fixtures.BUNDLE), CrdSource.none());
    Secret secret = Fixtures.get(objects, Secret.class, "dapr-trust-bundle");
    assertThat(decode(secret.getData().get("ca.crt"))).isEqualTo(Fixtures.ROOT_PEM);
    assertThat(decode(secret.getData().get("issuer.crt"))).isEqualTo(Fixtures.ISSUER_PEM);
    assertThat(decode(secret.getData().get("issuer.key"))).isEqualTo(Fixtures.KEY_PEM);
    ConfigMap anchors = Fixtures.get(objects, ConfigMap.class, "dapr-trust-bundle");
    assertThat(anchors.getData()).containsExactlyEntriesOf(Map.of("ca.crt", Fixtures.ROOT_PEM));
    // nowhere else, in any form: not in a ConfigMap, an argument, an env var or the webhook
    String keyBase64 = secret.getData().get("issuer.key");
    for (HasMetadata o : objects) {
      if (o == secret) {
        continue;
      }
      String text = ManifestWriter.yaml(List.of(o));
      assertThat(text).as(o.getKind() + " " + o.getMetadata().getName())
          .doesNotContain("PRIVATE KEY").doesNotContain("U0VDUkVULUtFWQ").doesNotContain(keyBase64).doesNotContain("issuer.key");
    }
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII);
  }
}
