package io.daprx.injector.webhook;

import static io.daprx.injector.webhook.Reviews.DEPLOYMENT_CONTROLLER;
import static io.daprx.injector.webhook.Reviews.bytes;
import static io.daprx.injector.webhook.Reviews.review;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.injector.patch.Pods;
import io.daprx.injector.patch.SidecarSettings;
import io.daprx.injector.webhook.AdmissionWebhook.Answer;
import io.daprx.injector.webhook.InjectorMetrics.Result;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionWebhookTest {

  final InjectorMetrics metrics = new InjectorMetrics(new SimpleMeterRegistry());
  final AdmissionWebhook webhook = new AdmissionWebhook(() -> SidecarSettings.defaults(Pods.IMAGE, Pods.ANCHORS),
      Requesters.of(List.of("ci:tekton-*")), metrics);

  JsonNode answerJson(Answer a) throws Exception {
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.contentType()).isEqualTo("application/json");
    JsonNode out = Pods.JSON.readTree(a.body());
    assertThat(out.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(out.path("kind").asText()).isEqualTo("AdmissionReview");
    return out.path("response");
  }

  @Test
  void injectedPodGetsAllowedWithBase64JsonPatchEchoingTheUid() throws Exception {
    ObjectNode pod = Pods.deploymentPod();
    JsonNode resp = answerJson(webhook.handle(bytes(review("7f0b2ab4-1", pod, "shop", DEPLOYMENT_CONTROLLER))));
    assertThat(resp.path("uid").asText()).isEqualTo("7f0b2ab4-1");
    assertThat(resp.path("allowed").asBoolean()).isTrue();
    assertThat(resp.path("patchType").asText()).isEqualTo("JSONPatch");
    JsonNode patch = Pods.JSON.readTree(Base64.getDecoder().decode(resp.path("patch").asText()));
    JsonNode out = Pods.apply(patch, pod);
    assertThat(out.path("spec").path("containers").get(2).path("name").asText()).isEqualTo("daprd");
    assertThat(metrics.count(Result.PATCHED)).isEqualTo(1);
  }

  void assertSkipped(byte[] body) throws Exception {
    JsonNode resp = answerJson(webhook.handle(body));
    assertThat(resp.path("allowed").asBoolean()).isTrue();
    assertThat(resp.has("patch")).isFalse();
    assertThat(resp.has("patchType")).isFalse();
  }

  @Test
  void everySkipConditionAllowsWithoutPatch() throws Exception {
    ObjectNode notPod = review("u", Pods.deploymentPod(), "shop", DEPLOYMENT_CONTROLLER);
    ((ObjectNode) notPod.path("request").path("kind")).put("kind", "Service");
    assertSkipped(bytes(notPod));

    assertSkipped(bytes(review("u", Pods.annotate(Pods.deploymentPod(), "dapr.io/enabled", "false"), "shop", DEPLOYMENT_CONTROLLER)));
    assertSkipped(bytes(review("u", Pods.deploymentPod(), "shop", "system:serviceaccount:default:default")));
    assertSkipped(bytes(review("u", Pods.deploymentPod(), "shop", "alice", "system:authenticated")));

    ObjectNode withDaprd = Pods.deploymentPod();
    ((ArrayNode) withDaprd.path("spec").path("containers")).addObject().put("name", "daprd");
    assertSkipped(bytes(review("u", withDaprd, "shop", DEPLOYMENT_CONTROLLER)));
    assertThat(metrics.count(Result.SKIPPED)).isEqualTo(5);
    assertThat(metrics.count(Result.PATCHED)).isZero();
  }

  @Test
  void mastersAndConfiguredServiceAccountsAreInjected() throws Exception {
    JsonNode admin = answerJson(webhook.handle(bytes(review("u", Pods.deploymentPod(), "shop", "kubernetes-admin", "system:masters"))));
    assertThat(admin.has("patch")).isTrue();
    JsonNode tekton = answerJson(webhook.handle(bytes(review("u", Pods.deploymentPod(), "shop",
        "system:serviceaccount:ci:tekton-pipelines-controller"))));
    assertThat(tekton.has("patch")).isTrue();
  }

  @Test
  void invalidAnnotationIsDeniedWithAMessageNamingIt() throws Exception {
    ObjectNode pod = Pods.annotate(Pods.deploymentPod(), "dapr.io/app-port", "eighty");
    JsonNode resp = answerJson(webhook.handle(bytes(review("u-9", pod, "shop", DEPLOYMENT_CONTROLLER))));
    assertThat(resp.path("uid").asText()).isEqualTo("u-9");
    assertThat(resp.path("allowed").asBoolean()).isFalse();
    assertThat(resp.has("patch")).isFalse();
    assertThat(resp.path("status").path("message").asText())
        .isEqualTo("annotation dapr.io/app-port has an invalid value \"eighty\": use a port number 1-65535");
    assertThat(resp.path("status").path("code").asInt()).isEqualTo(400);
    assertThat(metrics.count(Result.DENIED)).isEqualTo(1);
  }

  String badRequest(String body) {
    Answer a = webhook.handle(body.getBytes(StandardCharsets.UTF_8));
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.result()).isEqualTo(Result.BAD_REQUEST);
    return new String(a.body(), StandardCharsets.UTF_8);
  }

  @Test
  void bodiesThatAreNoAdmissionReviewAreBadRequests() {
    assertThat(badRequest("not json")).startsWith("the body is not JSON");
    assertThat(badRequest("")).contains("not a JSON object");
    assertThat(badRequest("[1,2]")).contains("not a JSON object");
    assertThat(badRequest("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"x\"}}"))
        .contains("apiVersion 'admission.k8s.io/v1beta1'");
    assertThat(badRequest("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}")).contains("kind 'Pod'");
    assertThat(badRequest("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}")).contains("has no request");
    assertThat(badRequest("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}}")).contains("no uid");
    assertThat(badRequest("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"1\","
        + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}}}")).contains("has no object");
    assertThat(metrics.count(Result.BAD_REQUEST)).isEqualTo(8);
  }

  @Test
  void newSettingsReachTheNextPod() throws Exception {
    String[] anchors = {"A"};
    AdmissionWebhook w = new AdmissionWebhook(() -> SidecarSettings.defaults(Pods.IMAGE, anchors[0]), Requesters.of(List.of()), metrics);
    anchors[0] = "B";
    JsonNode resp = answerJson(w.handle(bytes(review("u", Pods.barePod("w"), "default", DEPLOYMENT_CONTROLLER))));
    String patch = new String(Base64.getDecoder().decode(resp.path("patch").asText()), StandardCharsets.UTF_8);
    assertThat(patch).contains("{\"name\":\"DAPR_TRUST_ANCHORS\",\"value\":\"B\"}");
  }
}
