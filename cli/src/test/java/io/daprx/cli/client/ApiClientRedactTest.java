package io.daprx.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ApiClientRedactTest {

  @Test
  void kubeconfigOfConnectNeverReachesTheDebugLog() {
    ObjectNode body = new ObjectMapper().createObjectNode().put("kubeconfig", "users: [{user: {token: s3cr3t}}]").put("context", "ctx");
    assertThat(ApiClient.redact(body)).doesNotContain("s3cr3t").contains("\"kubeconfig\":\"***\"").contains("ctx");
    assertThat(body.path("kubeconfig").asText()).contains("s3cr3t"); // the request itself still carries it
  }

  @Test
  void protectedSettingValuesNeverReachTheDebugLog() {
    ObjectNode body = new ObjectMapper().createObjectNode();
    body.putObject("properties").putObject("configurationProtectedSettings").put("k", "hidden");
    assertThat(ApiClient.redact(body)).doesNotContain("hidden").contains("\"k\":\"***\"");
  }
}
