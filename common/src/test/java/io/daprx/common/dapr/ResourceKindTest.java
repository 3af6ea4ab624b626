package io.daprx.common.dapr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceKindTest {

  @Test
  void aKindIsNamedAsKubectlAcceptsIt() {
    for (String word : List.of("components", "component", "Component", "COMPONENTS", "components.dapr.io", "component.dapr.io")) {
      assertThat(ResourceKind.resolve(word)).as(word).contains(ResourceKind.COMPONENT);
    }
    assertThat(ResourceKind.resolve("httpendpoint")).contains(ResourceKind.HTTP_ENDPOINT);
    assertThat(ResourceKind.resolve("mcpserver")).contains(ResourceKind.MCP_SERVER);
    assertThat(ResourceKind.resolve("workflowaccesspolicies.dapr.io")).contains(ResourceKind.WORKFLOW_ACCESS_POLICY);
    assertThat(ResourceKind.resolve("pods")).isEmpty();
    assertThat(ResourceKind.resolve("components.example.com")).isEmpty();
  }

  @Test
  void subscriptionsAreServedAsV2alpha1AndAcceptedInBothVersions() {
    assertThat(ResourceKind.SUBSCRIPTION.apiVersion()).isEqualTo("dapr.io/v2alpha1");
    assertThat(ResourceKind.SUBSCRIPTION.versions()).containsExactly("v2alpha1", "v1alpha1");
    assertThat(ResourceKind.COMPONENT.versions()).containsExactly("v1alpha1");
  }

  @Test
  void referencesAndTheListOfKindsReadAsKubectlPrintsThem() {
    assertThat(ResourceKind.CONFIGURATION.reference()).isEqualTo("configuration.dapr.io");
    assertThat(ResourceKind.known()).isEqualTo("Component, Configuration, Subscription, Resiliency, HTTPEndpoint, MCPServer,"
        + " WorkflowAccessPolicy");
  }
}
