package io.daprx.manager.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every rendered document is a valid object of its kind: fabric8's typed classes read it back, field for field. */
class ManifestValidationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization JSON_OUT =
      new io.fabric8.kubernetes.client.utils.KubernetesSerialization();

  @Test
  void everyDocumentReadsBackAsItsKindWithNoUnknownField() throws Exception {
    for (Map<String, String> settings : List.of(Map.<String, String>of(), Map.of("global.ha.enabled", "false"),
        Map.of("global.nodeSelector.kubernetes.io/os", "linux", "global.logAsJson", "true"))) {
      for (var bundle : java.util.Arrays.asList(null, Fixtures.BUNDLE)) {
        List<HasMetadata> rendered = ControlPlaneManifests.render(Fixtures.spec(settings, bundle), CrdSource.none());
        List<JsonNode> docs = StrictReader.documents(ManifestWriter.yaml(rendered));
        assertThat(docs).hasSameSizeAs(rendered);
        for (int i = 0; i < docs.size(); i++) {
          HasMetadata typed = StrictReader.typed(docs.get(i));
          assertThat(typed.getKind()).isEqualTo(rendered.get(i).getKind());
          assertThat(typed.getMetadata().getName()).isEqualTo(rendered.get(i).getMetadata().getName());
          // compared as JSON: fabric8 reads an absent map back as an empty one, which writes out the same
          assertThat(JSON.readTree(JSON_OUT.asJson(typed))).as("%s %s", typed.getKind(), typed.getMetadata().getName())
              .isEqualTo(JSON.readTree(JSON_OUT.asJson(rendered.get(i))));
        }
      }
    }
  }

  @Test
  void strictReadingRejectsAMisplacedField() throws Exception {
    // guards the guard: fabric8 would otherwise keep "replica" in additionalProperties without a word
    JsonNode doc = new ObjectMapper().readTree(
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"x\"},\"spec\":{\"replica\":3}}");
    assertThatThrownBy(() -> StrictReader.typed(doc)).isInstanceOf(UnrecognizedPropertyException.class).hasMessageContaining("replica");
  }

  @Test
  void jsonOutputIsOneListOfTheSameObjects() throws Exception {
    List<HasMetadata> rendered = Fixtures.render(Map.of());
    JsonNode list = new ObjectMapper().readTree(ManifestWriter.json(rendered));
    assertThat(list.path("kind").asText()).isEqualTo("List");
    assertThat(list.path("items")).hasSameSizeAs(rendered);
    assertThat(StrictReader.typed(list.path("items").get(0)).getKind()).isEqualTo("Namespace");
  }

  @Test
  void theDaprConfigurationCarriesTheMtlsSettings() throws Exception {
    List<HasMetadata> rendered = Fixtures.render(Map.of("global.mtls.workloadCertTTL", "12h", "global.mtls.allowedClockSkew", "5m"));
    JsonNode config = StrictReader.documents(ManifestWriter.yaml(rendered)).stream()
        .filter(d -> d.path("kind").asText().equals("Configuration")).findFirst().orElseThrow();
    assertThat(config.path("apiVersion").asText()).isEqualTo("dapr.io/v1alpha1");
    assertThat(config.path("metadata").path("name").asText()).isEqualTo("daprsystem");
    assertThat(config.path("metadata").path("namespace").asText()).isEqualTo("dapr-system");
    JsonNode mtls = config.path("spec").path("mtls");
    assertThat(mtls.path("enabled").asBoolean()).isTrue();
    assertThat(mtls.path("workloadCertTTL").asText()).isEqualTo("12h0m0s");
    assertThat(mtls.path("allowedClockSkew").asText()).isEqualTo("5m0s");
    assertThat(mtls.path("controlPlaneTrustDomain").asText()).isEqualTo("cluster.local");
  }
}
