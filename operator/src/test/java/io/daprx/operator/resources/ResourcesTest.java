package io.daprx.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.common.yaml.BoundedYaml;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the operator reads one resource: which entries carry secrets, and what counts as a change worth an event. */
class ResourcesTest {

  private static Resource read(String yaml, SecretResolver secrets) {
    return Resources.of(BoundedYaml.documents(yaml.getBytes(StandardCharsets.UTF_8)).get(0), "default", secrets);
  }

  private static Resource read(String yaml) {
    return read(yaml, SecretResolver.NONE);
  }

  private static final String CONFIG = """
      apiVersion: dapr.io/v1alpha1
      kind: Configuration
      metadata:
        name: appconfig
        namespace: shop
        resourceVersion: "41"
        generation: 3
        labels: {team: a}
        managedFields: [{manager: kubectl, operation: Apply}]
      spec:
        tracing: {samplingRate: "1"}
        features: [{name: x, enabled: true}]
      """;

  @Test
  void metadataAloneAndTheOrderOfKeysAreNoChangeButTheSpecIs() {
    Resource before = read(CONFIG);
    Resource serverBookkeeping = read(CONFIG.replace("\"41\"", "\"42\"").replace("generation: 3", "generation: 4")
        .replace("team: a", "team: b").replace("manager: kubectl", "manager: daprx"));
    Resource reordered = read(CONFIG.replace("  tracing: {samplingRate: \"1\"}\n  features: [{name: x, enabled: true}]\n",
        "  features: [{enabled: true, name: x}]\n  tracing: {samplingRate: \"1\"}\n"));
    assertThat(reordered.json()).isNotEqualTo(before.json());
    assertThat(serverBookkeeping.sameContent(before)).isTrue();
    assertThat(reordered.sameContent(before)).isTrue();
    assertThat(read(CONFIG.replace("samplingRate: \"1\"", "samplingRate: \"0.5\"")).sameContent(before)).isFalse();
    assertThat(read(CONFIG.replace("name: appconfig", "name: other")).sameContent(before)).isFalse();
    assertThat(before.sameContent(null)).isFalse();
  }

  private static final String MCP_HTTP = """
      apiVersion: dapr.io/v1alpha1
      kind: MCPServer
      metadata: {name: tools, namespace: shop}
      spec:
        endpoint:
          streamableHTTP:
            url: https://mcp.example.com/mcp
            headers:
            - {name: X-Plain, value: plain}
            - name: Authorization
              secretKeyRef: {name: mcp, key: token}
            auth:
              secretStore: STORE
              oauth2: {issuer: https://idp.example.com/token, secretKeyRef: {name: oauth, key: secret}}
      scopes: [agent]
      """;

  private static final String MCP_STDIO = """
      apiVersion: dapr.io/v1alpha1
      kind: MCPServer
      metadata: {name: local, namespace: shop}
      spec:
        endpoint:
          stdio:
            command: npx
            args: [-y, some-mcp]
            env:
            - name: API_KEY
              secretKeyRef: {name: mcp, key: api-key}
      """;

  /** Records what it was asked to resolve: the names of the entries, as a resolver reads them. */
  private static final class Recording implements SecretResolver {
    final List<String> asked = new ArrayList<>();

    @Override
    public ObjectNode resolve(ResourceKind kind, String namespace, ObjectNode resource) {
      for (JsonNode e : Resources.secretCarriers(kind, resource)) {
        asked.add(e.path("name").asText());
      }
      return resource;
    }
  }

  @Test
  void anMcpServersHeadersOrStdioEnvCarryItsSecretsWhenItsStoreIsKubernetesOrUnset() {
    for (String store : List.of("kubernetes", "\"\"")) {
      Recording r = new Recording();
      Resource mcp = read(MCP_HTTP.replace("STORE", store), r);
      assertThat(mcp.needsSecrets()).as(store).isTrue();
      // the oauth2 client secret is not resolved by the operator, as upstream's: daprd reads it at call time
      assertThat(r.asked).as(store).containsExactly("X-Plain", "Authorization");
    }
    Recording stdio = new Recording();
    assertThat(read(MCP_STDIO, stdio).needsSecrets()).isTrue();
    assertThat(stdio.asked).containsExactly("API_KEY");
    // another secret store is daprd's to resolve
    Recording vault = new Recording();
    assertThat(read(MCP_HTTP.replace("STORE", "vault"), vault).needsSecrets()).isFalse();
    assertThat(vault.asked).isEmpty();
    assertThat(read(MCP_HTTP.replace("STORE", "vault")).scopes()).containsExactly("agent");
  }

  @Test
  void aWorkflowAccessPolicyHasNoSecretsButItsScopes() {
    Resource policy = read("""
        apiVersion: dapr.io/v1alpha1
        kind: WorkflowAccessPolicy
        metadata: {name: orders-policy}
        spec:
          rules:
          - callers: [{appID: checkout}]
            workflows: [{name: "Order*", operations: [schedule, get]}]
        scopes: [orders]
        """);
    assertThat(policy.kind()).isEqualTo(ResourceKind.WORKFLOW_ACCESS_POLICY);
    assertThat(policy.namespace()).isEqualTo("default");
    assertThat(policy.needsSecrets()).isFalse();
    assertThat(policy.inScope("orders")).isTrue();
    assertThat(policy.inScope("checkout")).isFalse();
  }
}
