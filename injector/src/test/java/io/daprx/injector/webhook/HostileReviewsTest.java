package io.daprx.injector.webhook;

import static io.daprx.injector.webhook.Reviews.DEPLOYMENT_CONTROLLER;
import static io.daprx.injector.webhook.Reviews.bytes;
import static io.daprx.injector.webhook.Reviews.review;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.injector.patch.Pods;
import io.daprx.injector.patch.SidecarSettings;
import io.daprx.injector.webhook.AdmissionWebhook.Answer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pods shaped to break the webhook or to subvert the sidecar: answered with a JSON AdmissionReview, never a stack trace. */
class HostileReviewsTest {

  final AdmissionWebhook webhook = new AdmissionWebhook(() -> SidecarSettings.defaults(Pods.IMAGE, Pods.ANCHORS),
      Requesters.of(List.of()), new InjectorMetrics(new SimpleMeterRegistry()));

  JsonNode response(Answer a) throws Exception {
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.contentType()).isEqualTo("application/json");
    return Pods.JSON.readTree(a.body()).path("response");
  }

  @Test
  void podsWhoseListsAreNotListsAreDeniedWithAShortMessage() throws Exception {
    for (String field : List.of("containers", "initContainers", "volumes")) {
      for (String bad : List.of("{}", "\"x\"", "[1]", "[{\"name\":{}}]", "[{\"env\":{}}]", "[{\"volumeMounts\":7}]")) {
        ObjectNode pod = Pods.deploymentPod();
        ((ObjectNode) pod.path("spec")).set(field, Pods.JSON.readTree(bad));
        Answer a;
        try {
          a = webhook.handle(bytes(review("u-" + field, pod, "shop", DEPLOYMENT_CONTROLLER)));
        } catch (RuntimeException e) {
          throw new AssertionError(field + "=" + bad + " threw " + e, e);
        }
        JsonNode resp = response(a);
        if (!resp.path("allowed").asBoolean()) {
          assertThat(resp.path("status").path("message").asText()).as(field + "=" + bad).isNotBlank().hasSizeLessThan(300)
              .doesNotContain("Exception").doesNotContain("\tat ");
        }
        assertThat(resp.path("uid").asText()).isEqualTo("u-" + field);
      }
    }
    ObjectNode emptyContainers = Pods.deploymentPod();
    ((ObjectNode) emptyContainers.path("spec")).set("containers", Pods.JSON.createObjectNode());
    JsonNode resp = response(webhook.handle(bytes(review("u", emptyContainers, "shop", DEPLOYMENT_CONTROLLER))));
    assertThat(resp.path("allowed").asBoolean()).isFalse();
    assertThat(resp.path("status").path("message").asText()).contains("spec.containers");
  }

  @Test
  void anEnvAnnotationMayNotSetTheVariablesTheInjectorOwns() throws Exception {
    for (String name : List.of("DAPR_TRUST_ANCHORS", "NAMESPACE", "POD_NAME", "DAPR_CONTROLPLANE_NAMESPACE",
        "DAPR_CONTROLPLANE_TRUST_DOMAIN", "DAPR_API_TOKEN", "APP_API_TOKEN", "DAPR_ENV_KEYS", "DAPR_CERT_CHAIN", "DAPR_CERT_KEY")) {
      ObjectNode pod = Pods.annotate(Pods.deploymentPod(), "dapr.io/env", "LOG=1," + name + "=s3cr3t-value");
      JsonNode resp = response(webhook.handle(bytes(review("u", pod, "shop", DEPLOYMENT_CONTROLLER))));
      assertThat(resp.path("allowed").asBoolean()).as(name).isFalse();
      assertThat(resp.path("status").path("message").asText()).as(name).contains(name).doesNotContain("s3cr3t-value");
    }
    ObjectNode fine = Pods.annotate(Pods.deploymentPod(), "dapr.io/env", "LOG_LEVEL=debug,MY_NAMESPACE=x");
    assertThat(response(webhook.handle(bytes(review("u", fine, "shop", DEPLOYMENT_CONTROLLER)))).path("allowed").asBoolean()).isTrue();
  }
}
