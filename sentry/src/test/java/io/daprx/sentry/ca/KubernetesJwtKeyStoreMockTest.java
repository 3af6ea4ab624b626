package io.daprx.sentry.ca;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import io.daprx.common.trust.RawBundle;
import io.daprx.sentry.jwt.JwtKeyMaterial;
import io.daprx.sentry.jwt.JwtKeys;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The JWT signing key as two more keys of the trust-bundle Secret, and its public JWKS in the ConfigMap, as upstream keeps them. */
@EnableKubernetesMockClient(crud = true)
class KubernetesJwtKeyStoreMockTest {

  static final String NS = "dapr-system";
  static final RawBundle CA = new RawBundle("ca-1\n", "issuer-1\n", "key-1\n");

  KubernetesMockServer server;
  KubernetesClient client;

  private KubernetesJwtKeyStore store() {
    return new KubernetesJwtKeyStore(client, NS, "jwt.key", "jwks.json");
  }

  @Test
  void theKeyGoesBesideTheCaAndOnlyItsPublicJwksIsPublished() throws Exception {
    new KubernetesBundleStore(client, NS).saveIfAbsent(CA);
    JwtKeyMaterial generated = JwtKeys.generate(JWSAlgorithm.RS256, null);

    assertThat(store().saveIfAbsent(generated)).isEqualTo(generated);

    Secret secret = client.secrets().inNamespace(NS).withName("dapr-trust-bundle").get();
    assertThat(secret.getData()).containsOnlyKeys("ca.crt", "issuer.crt", "issuer.key", "jwt.key", "jwks.json");
    assertThat(new KubernetesBundleStore(client, NS).load()).isEqualTo(CA);
    ConfigMap cm = client.configMaps().inNamespace(NS).withName("dapr-trust-bundle").get();
    assertThat(cm.getData()).containsKeys("ca.crt", "jwks.json");
    assertThat(JWKSet.parse(cm.getData().get("jwks.json")).getKeys()).hasSize(1).noneMatch(k -> k.isPrivate());
    assertThat(store().load()).isEqualTo(generated);
  }

  @Test
  void replicasStartingTogetherAllUseTheFirstKeyWritten() {
    new KubernetesBundleStore(client, NS).saveIfAbsent(CA);
    List<JwtKeyMaterial> stored = List.of(JwtKeys.generate(JWSAlgorithm.RS256, null), JwtKeys.generate(JWSAlgorithm.RS256, null),
            JwtKeys.generate(JWSAlgorithm.RS256, null)).stream()
        .map(m -> CompletableFuture.supplyAsync(() -> store().saveIfAbsent(m))).toList().stream().map(CompletableFuture::join).toList();
    assertThat(stored).allMatch(m -> m.equals(stored.get(0)));
    assertThat(store().load()).isEqualTo(stored.get(0));
  }

  @Test
  void aRenewalOfTheCaLeavesTheJwtKeyAlone() {
    new KubernetesBundleStore(client, NS).saveIfAbsent(CA);
    JwtKeyMaterial m = store().saveIfAbsent(JwtKeys.generate(JWSAlgorithm.ES256, null));
    new KubernetesBundleStore(client, NS).save(new RawBundle("ca-2\n", "issuer-2\n", "key-2\n"));
    assertThat(store().load()).isEqualTo(m);
  }
}
