package io.daprx.sentry.ca;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.common.trust.RawBundle;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesBundleStoreMockTest {

  static final String NS = "dapr-system";
  static final RawBundle FIRST = new RawBundle("ca-1\n", "issuer-1\n", "key-1\n");
  static final RawBundle SECOND = new RawBundle("ca-2\n", "issuer-2\n", "key-2\n");

  KubernetesMockServer server;
  KubernetesClient client;

  @Test
  void emptyClusterLoadsAnEmptyBundle() {
    assertThat(store().load().empty()).isTrue();
  }

  @Test
  void saveIfAbsentWritesSecretAndConfigMapThatLoadReadsBack() {
    KubernetesBundleStore store = store();

    assertThat(store.saveIfAbsent(FIRST)).isEqualTo(FIRST);

    assertThat(store.load()).isEqualTo(FIRST);
    Secret secret = client.secrets().inNamespace(NS).withName("dapr-trust-bundle").get();
    assertThat(secret.getData()).containsOnlyKeys("ca.crt", "issuer.crt", "issuer.key");
    assertThat(decode(secret.getData().get("issuer.key"))).isEqualTo("key-1\n");
    assertThat(secret.getMetadata().getLabels()).containsEntry("app.kubernetes.io/part-of", "dapr");
    ConfigMap cm = configMap();
    assertThat(cm.getData()).containsExactly(Map.entry("ca.crt", "ca-1\n"));
    assertThat(cm.getMetadata().getLabels()).containsEntry("app.kubernetes.io/part-of", "dapr");
  }

  @Test
  void secondSaveIfAbsentKeepsTheFirstBundle() {
    store().saveIfAbsent(FIRST);

    assertThat(store().saveIfAbsent(SECOND)).isEqualTo(FIRST);
    assertThat(store().load()).isEqualTo(FIRST);
    assertThat(configMap().getData()).containsEntry("ca.crt", "ca-1\n");
  }

  @Test
  void saveReplacesTheBundleAndTheConfigMap() {
    store().saveIfAbsent(FIRST);

    store().save(SECOND);

    assertThat(store().load()).isEqualTo(SECOND);
    assertThat(configMap().getData()).containsEntry("ca.crt", "ca-2\n");
  }

  @Test
  void saveOnAnEmptyClusterCreatesBoth() {
    store().save(FIRST);

    assertThat(store().load()).isEqualTo(FIRST);
    assertThat(configMap().getData()).containsEntry("ca.crt", "ca-1\n");
  }

  @Test
  void partialSecretLoadsWithNullFieldsAndIsNotOverwritten() {
    secret(Map.of("ca.crt", "ca-only\n"), Map.of());

    RawBundle loaded = store().load();

    assertThat(loaded).isEqualTo(new RawBundle("ca-only\n", null, null));
    assertThat(store().saveIfAbsent(FIRST)).isEqualTo(loaded);
  }

  @Test
  void secretMadeEmptyByAnInstallerIsFilledKeepingItsMetadata() {
    secret(Map.of(), Map.of("installed-by", "daprx"));

    assertThat(store().saveIfAbsent(FIRST)).isEqualTo(FIRST);

    Secret secret = client.secrets().inNamespace(NS).withName("dapr-trust-bundle").get();
    assertThat(secret.getMetadata().getLabels()).containsEntry("installed-by", "daprx").containsEntry("app.kubernetes.io/part-of", "dapr");
    assertThat(configMap().getData()).containsEntry("ca.crt", "ca-1\n");
  }

  @Test
  void replicasStartingTogetherAgreeOnOneBundle() throws Exception {
    assertThat(race()).hasSize(1);
  }

  @Test
  void replicasFillingTheSameEmptySecretAgreeOnOneBundle() throws Exception {
    secret(Map.of(), Map.of());

    assertThat(race()).hasSize(1);
  }

  @Test
  void describeNamesTheSecret() {
    assertThat(store().describe()).isEqualTo("Secret dapr-system/dapr-trust-bundle");
  }

  @Test
  void caHolderGeneratesAndStoresABundleOnceAndLoadsItAfterwards() {
    Clock clock = Clock.systemUTC();

    CaHolder first = CaHolder.open(store(), "cluster.local", NS, clock, b -> { });
    CaHolder second = CaHolder.open(new KubernetesBundleStore(client, NS), "cluster.local", NS, clock, b -> { });

    assertThat(second.get().issuer()).isEqualTo(first.get().issuer());
    assertThat(second.get().root()).isEqualTo(first.get().root());
    assertThat(configMap().getData().get("ca.crt")).isEqualTo(first.get().trustAnchorsPem());
  }

  /** Several stores call saveIfAbsent with different bundles at once; returns the distinct results. */
  private List<RawBundle> race() throws Exception {
    int replicas = 4;
    ExecutorService pool = Executors.newFixedThreadPool(replicas);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<RawBundle>> results = new ArrayList<>();
      for (int i = 0; i < replicas; i++) {
        RawBundle mine = new RawBundle("ca-" + i + "\n", "issuer-" + i + "\n", "key-" + i + "\n");
        KubernetesBundleStore store = store();
        results.add(CompletableFuture.supplyAsync(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return store.saveIfAbsent(mine);
        }, pool));
      }
      go.countDown();
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      List<RawBundle> distinct = results.stream().map(CompletableFuture::join).distinct().toList();
      assertThat(store().load()).isEqualTo(distinct.get(0));
      assertThat(configMap().getData()).containsEntry("ca.crt", distinct.get(0).caCrt());
      return distinct;
    } finally {
      pool.shutdownNow();
    }
  }

  private KubernetesBundleStore store() {
    return new KubernetesBundleStore(client, NS);
  }

  private ConfigMap configMap() {
    return client.configMaps().inNamespace(NS).withName("dapr-trust-bundle").get();
  }

  private void secret(Map<String, String> texts, Map<String, String> labels) {
    SecretBuilder b = new SecretBuilder().withNewMetadata().withName("dapr-trust-bundle").withNamespace(NS).withLabels(labels).endMetadata();
    texts.forEach((k, v) -> b.addToData(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.US_ASCII))));
    client.secrets().inNamespace(NS).resource(b.build()).create();
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
  }
}
