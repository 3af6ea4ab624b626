package io.daprx.manager.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.manager.api.ApiException;
import io.daprx.manager.api.ManagementApi;
import io.daprx.manager.install.DaprResource;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.model.InvalidSettingsException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whatever a client sends as a body, the management API reads it into what the engine works with (an
 * {@link ExtensionRequest} and its typed {@link DaprSettings}, or the resources of an apply) or refuses it with its
 * documented errors, which the API answers as a 400: never another exception (a 500 with a stack trace), never a hang.
 * Seeds in {@code RequestBodyFuzzTestInputs}.
 */
class RequestBodyFuzzTest {

  @FuzzTest
  @DictionaryEntries({"\"properties\"", "\"configurationSettings\"", "\"configurationProtectedSettings\"",
      "\"extensionType\"", "\"autoUpgradeMinorVersion\"", "\"releaseNamespace\"", "\"scope\"", "\"items\"",
      "\"global.ha.replicaCount\"", "\"global.mtls.workloadCertTTL\"", "\"dapr_scheduler.cluster.storageSize\"",
      "\"apiVersion\"", "\"dapr.io/v1alpha1\"", "\"Component\"", "\"metadata\"", "\"secretKeyRef\""})
  void everyBodyIsReadOrRefusedAsABadRequest(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    JsonNode body;
    try {
      body = ManagementApi.jsonObject(text);
    } catch (ApiException e) {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(body.isObject()).isTrue();
    extensionRequest(body);
    applied(body);
  }

  /** What a PUT (create) and a PATCH (update over the defaults) of an extension read from the body. */
  private static void extensionRequest(JsonNode body) {
    ExtensionRequest request;
    try {
      request = ExtensionRequest.parse(body);
    } catch (DomainException e) {
      assertRefused(e);
      return;
    }
    Map<String, String> created = new TreeMap<>(ExtensionRequest.values(request.settings()));
    created.putAll(ExtensionRequest.values(request.protectedSettings()));
    settings(created);
    settings(ExtensionRequest.merge(Map.of("global.ha.enabled", "true", "global.logLevel", "info"), request.settings()));
  }

  private static void settings(Map<String, String> raw) {
    try {
      assertThat(DaprSettings.parse(raw).source()).isEqualTo(new TreeMap<>(raw));
    } catch (InvalidSettingsException e) {
      assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).isNotBlank());
    }
  }

  /** What an apply reads: each item checked on its own, every problem said (ClusterResources answers them as one 400). */
  private static void applied(JsonNode body) {
    int i = 0;
    for (JsonNode item : body.path("items")) {
      i++;
      try {
        DaprResource r = DaprResource.parse(item, "object " + i, body.path("namespace").asText(null));
        assertThat(r.name()).isNotEmpty();
        assertThat(r.namespace()).isNotEmpty();
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).startsWith("object " + i);
      }
    }
  }

  private static void assertRefused(DomainException e) {
    assertThat(e.reason()).isEqualTo(DomainException.Reason.INVALID);
    assertThat(e.getMessage()).isNotBlank();
  }
}
