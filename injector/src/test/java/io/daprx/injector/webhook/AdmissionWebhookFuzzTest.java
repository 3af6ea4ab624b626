package io.daprx.injector.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.injector.patch.Pods;
import io.daprx.injector.patch.SidecarSettings;
import io.daprx.injector.webhook.AdmissionWebhook.Answer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Whatever the API server (or anyone reaching the port) sends, the webhook answers a well-formed AdmissionReview that
 * echoes the request's uid, or a one-line 400: never an exception (Jetty would answer an HTML stack trace, and with
 * {@code failurePolicy: Ignore} the pod would start without its sidecar). Seeds in {@code AdmissionWebhookFuzzTestInputs}.
 */
class AdmissionWebhookFuzzTest {

  private static final AdmissionWebhook WEBHOOK = new AdmissionWebhook(() -> SidecarSettings.defaults(Pods.IMAGE, Pods.ANCHORS),
      Requesters.of(List.of("ci:tekton-*")), new InjectorMetrics(new SimpleMeterRegistry()));

  @FuzzTest
  @DictionaryEntries({"\"dapr.io/enabled\"", "\"dapr.io/app-id\"", "\"dapr.io/app-port\"", "\"dapr.io/env\"",
      "\"dapr.io/volume-mounts\"", "\"dapr.io/sidecar-cpu-limit\"", "\"dapr.io/config\"", "\"containers\"",
      "\"initContainers\"", "\"volumes\"", "\"volumeMounts\"", "\"env\"", "\"ports\"", "\"system:masters\"", "\"daprd\""})
  void everyBodyGetsAWellFormedReviewOrAOneLine400(byte[] body) throws Exception {
    Answer a = WEBHOOK.handle(body);
    if (a.status() == 400) {
      assertThat(a.contentType()).startsWith("text/plain");
      String text = new String(a.body(), StandardCharsets.UTF_8);
      assertThat(text).endsWith("\n");
      assertThat(text.strip()).isNotEmpty().doesNotContain("\n");
      return;
    }
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.contentType()).isEqualTo("application/json");
    JsonNode out = Pods.JSON.readTree(a.body());
    assertThat(out.path("apiVersion").asText()).isEqualTo(AdmissionWebhook.API_VERSION);
    assertThat(out.path("kind").asText()).isEqualTo(AdmissionWebhook.KIND);
    JsonNode request = Pods.JSON.readTree(body).path("request");
    JsonNode resp = out.path("response");
    assertThat(resp.path("uid").asText()).isEqualTo(request.path("uid").asText());
    assertThat(resp.path("allowed").isBoolean()).isTrue();
    if (!resp.path("allowed").asBoolean()) {
      assertThat(resp.path("status").path("code").asInt()).isEqualTo(400);
      assertThat(resp.path("status").path("message").asText()).isNotBlank();
      assertThat(resp.has("patch")).isFalse();
      return;
    }
    if (resp.has("patch")) {
      assertThat(resp.path("patchType").asText()).isEqualTo("JSONPatch");
      JsonNode patch = Pods.JSON.readTree(Base64.getDecoder().decode(resp.path("patch").asText()));
      assertThat(patch.isArray()).isTrue();
      // what the API server does next: the patch applies to the pod it was computed for
      assertThatCode(() -> Pods.apply(patch, request.path("object"))).doesNotThrowAnyException();
    }
  }
}
