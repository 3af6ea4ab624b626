package io.daprx.operator.resources;

import io.daprx.common.dapr.ResourceKind;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.common.yaml.BoundedYaml;
import io.daprx.operator.crds.Crds;
import java.nio.charset.StandardCharsets;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** The CRDs in the jar: valid apiextensions.k8s.io/v1 objects, one per served kind, as the operator reads them. */
class CrdsTest {

  @Test
  void everyServedKindHasANamespacedCrdWhoseStorageVersionIsTheServedOne() {
    assertThat(Crds.all()).hasSize(ResourceKind.values().length);
    for (ResourceKind kind : ResourceKind.values()) {
      CustomResourceDefinition crd = Serialization.unmarshal(Crds.yaml(kind.plural() + ".dapr.io"), CustomResourceDefinition.class);
      assertThat(crd.getApiVersion()).isEqualTo("apiextensions.k8s.io/v1");
      assertThat(crd.getMetadata().getName()).isEqualTo(kind.plural() + "." + ResourceKind.GROUP);
      assertThat(crd.getSpec().getGroup()).isEqualTo(ResourceKind.GROUP);
      assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
      assertThat(crd.getSpec().getNames().getKind()).isEqualTo(kind.kind());
      assertThat(crd.getSpec().getVersions()).filteredOn(CustomResourceDefinitionVersion::getStorage).singleElement()
          .satisfies(v -> assertThat(v.getName()).isEqualTo(kind.servedVersion()));
      assertThat(crd.getSpec().getVersions()).allSatisfy(v -> {
        assertThat(v.getServed()).isTrue();
        assertThat(v.getSchema().getOpenAPIV3Schema().getType()).isEqualTo("object");
      });
    }
  }

  @Test
  void subscriptionServesBothVersions() {
    CustomResourceDefinition crd = Serialization.unmarshal(Crds.yaml("subscriptions.dapr.io"), CustomResourceDefinition.class);
    assertThat(crd.getSpec().getVersions()).extracting(CustomResourceDefinitionVersion::getName).containsExactly("v1alpha1", "v2alpha1");
  }

  private static JsonNode yaml(String text) {
    return BoundedYaml.documents(text.getBytes(StandardCharsets.UTF_8)).get(0);
  }

  @Test
  void everyValidationRuleOfEveryCrdCompiles() {
    assertThat(Crds.NAMES).allSatisfy(name -> CrdSchema.of(name, "v1alpha1").compileRules());
    assertThat(CrdSchema.of("mcpservers.dapr.io", "v1alpha1").compileRules()).hasSize(1);
    assertThat(CrdSchema.of("workflowaccesspolicies.dapr.io", "v1alpha1").compileRules()).hasSize(2);
  }

  private static final String MCP = """
      apiVersion: dapr.io/v1alpha1
      kind: MCPServer
      metadata: {name: tools, namespace: shop}
      spec:
        catalog: {displayName: Tools, owner: {team: agents}, tags: [search], links: {docs: "https://example.com"}}
        endpoint:
          streamableHTTP:
            url: https://mcp.example.com/mcp
            protocolVersion: "2025-06-18"
            timeout: 30s
            headers:
            - {name: X-Team, value: agents}
            - name: Authorization
              secretKeyRef: {name: mcp, key: token}
            auth:
              secretStore: kubernetes
              oauth2: {issuer: "https://idp.example.com/token", audience: mcp, scopes: [read], clientID: agent, secretKeyRef: {name: oauth}}
              spiffe: {jwt: {header: Authorization, headerValuePrefix: "Bearer ", audience: mcp}}
        middleware:
          beforeCallTool: [{workflow: {workflowName: redact}, mutate: true}]
          beforeListTools: [{workflow: {workflowName: audit, appID: auditor}}]
        ignoreErrors: false
      scopes: [agent]
      """;

  @Test
  void theMcpServerCrdAcceptsEachTransportAndRefusesWhatDaprdWould() {
    CrdSchema crd = CrdSchema.of("mcpservers.dapr.io", "v1alpha1");
    assertThat(crd.problems(yaml(MCP))).isEmpty();
    assertThat(crd.problems(yaml(MCP.replace("streamableHTTP:", "sse:")))).isEmpty();
    assertThat(crd.problems(yaml("""
        apiVersion: dapr.io/v1alpha1
        kind: MCPServer
        metadata: {name: local}
        spec: {endpoint: {stdio: {command: npx, args: [-y, tools], env: [{name: KEY, secretKeyRef: {name: s}}]}}}
        """))).isEmpty();

    assertThat(crd.problems(yaml(MCP.replace("  endpoint:\n", "  endpoint:\n    stdio: {command: npx}\n"))))
        .containsExactly(".spec.endpoint: exactly one of streamableHTTP, sse or stdio must be set");
    assertThat(crd.problems(yaml("apiVersion: dapr.io/v1alpha1\nkind: MCPServer\nmetadata: {name: x}\nspec: {endpoint: {}}\n")))
        .containsExactly(".spec.endpoint: exactly one of streamableHTTP, sse or stdio must be set");
    assertThat(crd.problems(yaml("apiVersion: dapr.io/v1alpha1\nkind: MCPServer\nmetadata: {name: x}\nspec: {}\n")))
        .singleElement().asString().contains("endpoint");
    assertThat(crd.problems(yaml(MCP.replace("url: https://mcp.example.com/mcp", "timeout2: 1s")))).singleElement().asString().contains("url");
    assertThat(crd.problems(yaml(MCP.replace("{workflow: {workflowName: redact}, mutate: true}", "{mutate: true}"))))
        .singleElement().asString().contains("workflow");
    assertThat(crd.problems(yaml(MCP.replace("scopes: [agent]", "scopes: agent")))).singleElement().asString().contains("scopes");
  }

  private static final String POLICY = """
      apiVersion: dapr.io/v1alpha1
      kind: WorkflowAccessPolicy
      metadata: {name: orders, namespace: shop}
      spec:
        rules:
        - callers: [{appID: checkout}]
          workflows:
          - {name: "Order*", operations: [schedule], requires: [{eventType: activity.completed, name: pay, appID: billing}]}
          - {name: Refund, operations: [get, terminate, purge]}
          activities: [{name: Notify}]
      scopes: [orders]
      """;

  @Test
  void theWorkflowAccessPolicyCrdAcceptsRulesAndRefusesWhatDaprdWould() {
    CrdSchema crd = CrdSchema.of("workflowaccesspolicies.dapr.io", "v1alpha1");
    assertThat(crd.problems(yaml(POLICY))).isEmpty();
    assertThat(crd.problems(yaml(POLICY.replace("[get, terminate, purge]", "[get, delete]")))).singleElement().asString()
        .contains("/spec/rules/0/workflows/1/operations/1").contains("enumeration");
    assertThat(crd.problems(yaml(POLICY.replace("callers: [{appID: checkout}]", "callers: []")))).singleElement().asString()
        .contains("callers");
    assertThat(crd.problems(yaml(POLICY.replace("operations: [schedule], requires", "operations: [schedule, get], requires"))))
        .containsExactly(".spec.rules[0].workflows[0]: requires is only valid when the rule's only operation is 'schedule'");
    assertThat(crd.problems(yaml("apiVersion: dapr.io/v1alpha1\nkind: WorkflowAccessPolicy\nmetadata: {name: x}\n"
        + "spec: {rules: [{callers: [{appID: a}], workflows: []}]}\n")))
        .containsExactly(".spec.rules[0]: at least one of workflows or activities must hold a rule");
  }
}
