package io.daprx.manager.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What moves to our manager and what stays with the runtime writers (LegacyOwnershipKubeIT has the real server). */
class LegacyOwnershipTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aPlainCreatesFieldsMoveIntoANewApplyEntryPinnedToTheResourceVersion() throws Exception {
    HasMetadata live = new DeploymentBuilder().withNewMetadata().withName("dapr-operator").withResourceVersion("42")
        .withManagedFields(entry("apps/v1", "fabric8-kubernetes-client", "Update", null, """
            {"f:spec": {"f:template": {"f:spec": {"f:nodeSelector": {".": {}, "f:kubernetes.io/os": {}}}}}}"""),
            entry("apps/v1", "kube-controller-manager", "Update", "status", """
            {"f:status": {"f:replicas": {}}}"""))
        .endMetadata().build();

    JsonNode patch = JSON.readTree(LegacyOwnership.patch(live, live).orElseThrow());

    assertThat(patch.get(1).toString()).isEqualTo("{\"op\":\"replace\",\"path\":\"/metadata/resourceVersion\",\"value\":\"42\"}");
    JsonNode entries = patch.get(0).path("value");
    assertThat(entries).hasSize(2);
    assertThat(entries.get(0).path("manager").asText()).as("the status writer's entry is kept").isEqualTo("kube-controller-manager");
    assertThat(entries.get(1).path("manager").asText()).isEqualTo("daprx");
    assertThat(entries.get(1).path("operation").asText()).isEqualTo("Apply");
    assertThat(entries.get(1).path("fieldsV1").path("f:spec").path("f:template").path("f:spec").path("f:nodeSelector").has("f:kubernetes.io/os"))
        .isTrue();
  }

  @Test
  void dataTheDesiredSecretDoesNotRenderAndCaBundlesStayWithTheirWriter() throws Exception {
    HasMetadata live = new SecretBuilder().withNewMetadata().withName("dapr-trust-bundle").withResourceVersion("7")
        .withManagedFields(entry("v1", "daprx", "Apply", null, """
            {"f:metadata": {"f:labels": {"f:app": {}}}}"""), entry("v1", "fabric8-kubernetes-client", "Update", null, """
            {"f:metadata": {"f:labels": {"f:legacy": {}}}, "f:data": {".": {}, "f:ca.crt": {}}, "f:caBundle": {}}"""))
        .endMetadata().build();

    JsonNode entries = JSON.readTree(LegacyOwnership.patch(live, new SecretBuilder().build()).orElseThrow()).get(0).path("value");

    assertThat(entries).hasSize(2);
    assertThat(entries.get(0).path("fieldsV1").toString()).isEqualTo("{\"f:metadata\":{\"f:labels\":{\"f:app\":{},\"f:legacy\":{}}}}");
    assertThat(entries.get(1).path("manager").asText()).isEqualTo("fabric8-kubernetes-client");
    assertThat(entries.get(1).path("fieldsV1").toString()).isEqualTo("{\"f:data\":{\".\":{},\"f:ca.crt\":{}},\"f:caBundle\":{}}");
  }

  @Test
  void nothingToMoveWithoutManagedFieldsOrLegacyEntries() {
    assertThat(LegacyOwnership.patch(new SecretBuilder().withNewMetadata().endMetadata().build(), new SecretBuilder().build())).isEmpty();
    HasMetadata applied = new SecretBuilder().withNewMetadata().withManagedFields(entry("v1", "daprx", "Apply", null, "{\"f:type\": {}}"))
        .endMetadata().build();
    assertThat(LegacyOwnership.patch(applied, applied)).isEmpty();
  }

  private static ManagedFieldsEntry entry(String apiVersion, String manager, String operation, String subresource, String fields) {
    try {
      FieldsV1 f = new FieldsV1();
      @SuppressWarnings("unchecked")
      Map<String, Object> map = JSON.readValue(fields, Map.class);
      map.forEach(f::setAdditionalProperty);
      return new ManagedFieldsEntryBuilder().withManager(manager).withOperation(operation).withSubresource(subresource)
          .withApiVersion(apiVersion).withFieldsType("FieldsV1").withFieldsV1(f).build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
