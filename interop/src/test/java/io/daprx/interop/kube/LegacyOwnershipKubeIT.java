package io.daprx.interop.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.manager.deploy.KubeApply;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Objects an older daprx made with a plain create (every field then belongs to the {@code Update} manager
 * {@code fabric8-kubernetes-client}) come under our server-side apply manager at the next change, so a setting the
 * desired state drops is removed from the live object; what sentry and the injector fill at runtime under the same
 * manager name (the trust bundle's data, a webhook's caBundle) stays.
 */
class LegacyOwnershipKubeIT {

  static final String NS = "dapr-system";
  static KubeApiServer kube;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    kube = KubeApiServer.start("ownership");
    client = kube.client();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
  }

  @AfterAll
  static void stop() {
    Teardown.close(kube);
  }

  @Test
  void aNodeSelectorAnOlderDaprxCreatedIsRemovedWhenTheDesiredStateDropsIt() {
    // the old write path: a plain create
    client.resource(deployment(Map.of("kubernetes.io/os", "linux"))).create();
    assertThat(legacyEntries(client.apps().deployments().inNamespace(NS).withName("dapr-operator").get().getMetadata().getManagedFields()))
        .as("precondition: the plain create's fields belong to fabric8's Update manager").isNotEmpty();

    assertThat(KubeApply.reconcile(client, deployment(Map.of()))).isEqualTo(KubeApply.Result.PATCHED);

    Deployment live = client.apps().deployments().inNamespace(NS).withName("dapr-operator").get();
    assertThat(live.getSpec().getTemplate().getSpec().getNodeSelector()).isNullOrEmpty();
    assertThat(legacyEntries(live.getMetadata().getManagedFields())).isEmpty();
    assertThat(live.getMetadata().getManagedFields()).anySatisfy(e -> {
      assertThat(e.getManager()).isEqualTo(KubeApply.FIELD_MANAGER);
      assertThat(e.getOperation()).isEqualTo("Apply");
    });
    // and from then on it is ours: re-applying the same desired state writes nothing
    assertThat(KubeApply.reconcile(client, deployment(Map.of()))).isEqualTo(KubeApply.Result.UNCHANGED);
  }

  @Test
  void theTrustBundleSentryFilledAndTheCaBundleTheInjectorWroteStayWhenTheirObjectsComeUnderOurManager() {
    client.resource(new SecretBuilder().withNewMetadata().withName("dapr-trust-bundle").withNamespace(NS)
        .withLabels(Map.of("app.kubernetes.io/version", "0.2.0", "legacy", "yes")).endMetadata().build()).create();
    // sentry fills it with the same client library, so under the same manager name
    client.secrets().inNamespace(NS).withName("dapr-trust-bundle").edit(s -> new SecretBuilder(s)
        .withData(Map.of("ca.crt", b64("root"), "issuer.crt", b64("issuer"), "issuer.key", b64("key"))).build());
    MutatingWebhookConfiguration webhook = AdmissionKubeIT.rendered();
    client.resource(webhook).create();
    client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(webhook.getMetadata().getName())
        .edit(w -> {
          w.getWebhooks().forEach(h -> h.getClientConfig().setCaBundle(b64("anchors")));
          return w;
        });

    Secret desired = new SecretBuilder().withNewMetadata().withName("dapr-trust-bundle").withNamespace(NS)
        .withLabels(Map.of("app.kubernetes.io/version", "0.3.0")).endMetadata().build();
    assertThat(KubeApply.reconcile(client, desired)).isEqualTo(KubeApply.Result.PATCHED);
    MutatingWebhookConfiguration relabelled = AdmissionKubeIT.rendered();
    Map<String, String> labels = new java.util.LinkedHashMap<>(relabelled.getMetadata().getLabels() == null ? Map.of()
        : relabelled.getMetadata().getLabels());
    labels.put("app.kubernetes.io/version", "0.3.0-next");
    relabelled.getMetadata().setLabels(labels);
    assertThat(KubeApply.reconcile(client, relabelled)).isEqualTo(KubeApply.Result.PATCHED);

    Secret live = client.secrets().inNamespace(NS).withName("dapr-trust-bundle").get();
    assertThat(live.getMetadata().getLabels()).as("a dropped label is removed").doesNotContainKey("legacy")
        .containsEntry("app.kubernetes.io/version", "0.3.0");
    assertThat(live.getData()).containsOnlyKeys("ca.crt", "issuer.crt", "issuer.key");
    MutatingWebhookConfiguration liveWebhook = client.admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName(webhook.getMetadata().getName()).get();
    assertThat(liveWebhook.getMetadata().getLabels()).containsEntry("app.kubernetes.io/version", "0.3.0-next");
    assertThat(liveWebhook.getWebhooks()).allSatisfy(h -> assertThat(h.getClientConfig().getCaBundle()).isEqualTo(b64("anchors")));
  }

  private static List<ManagedFieldsEntry> legacyEntries(List<ManagedFieldsEntry> entries) {
    return entries.stream().filter(e -> e.getManager().equals("fabric8-kubernetes-client") && e.getOperation().equals("Update")
        && (e.getSubresource() == null || e.getSubresource().isEmpty())).toList();
  }

  private static Deployment deployment(Map<String, String> nodeSelector) {
    return new DeploymentBuilder().withNewMetadata().withName("dapr-operator").withNamespace(NS).endMetadata().withNewSpec().withReplicas(1)
        .withNewSelector().addToMatchLabels("app", "dapr-operator").endSelector().withNewTemplate().withNewMetadata()
        .addToLabels("app", "dapr-operator").endMetadata().withNewSpec().withNodeSelector(nodeSelector.isEmpty() ? null : nodeSelector)
        .addNewContainer().withName("dapr-operator").withImage("ghcr.io/daprx/daprx:0.3.0").endContainer().endSpec().endTemplate().endSpec()
        .build();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
