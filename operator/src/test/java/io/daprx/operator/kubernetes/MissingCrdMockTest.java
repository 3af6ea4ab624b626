package io.daprx.operator.kubernetes;

import static io.daprx.operator.Events.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.operator.Operator;
import io.daprx.operator.OperatorOptions;
import io.daprx.operator.SidecarClients;
import io.daprx.proto.operator.v1.ListComponentsRequest;
import io.daprx.proto.operator.v1.ListMCPServersRequest;
import io.daprx.proto.operator.v1.ListWorkflowAccessPolicyRequest;
import io.daprx.proto.operator.v1.OperatorGrpc;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A cluster that has the CRDs of 1.17 but not 1.18's MCPServer and WorkflowAccessPolicy (an operator upgraded before
 * its CRDs): the operator still becomes ready, a 1.18 sidecar's lists of the new kinds are empty, not errors, and a
 * CRD applied later is followed without a restart.
 */
@EnableKubernetesMockClient(crud = true)
class MissingCrdMockTest {

  KubernetesMockServer server;
  KubernetesClient client;

  @TempDir
  Path creds;

  @Test
  void kindsWhoseCrdIsNotInstalledAreServedAsEmptyLists() {
    for (ResourceKind k : EnumSet.complementOf(EnumSet.of(ResourceKind.MCP_SERVER, ResourceKind.WORKFLOW_ACCESS_POLICY))) {
      server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup(ResourceKind.GROUP)
          .withVersion(k.servedVersion()).withKind(k.kind()).withPlural(k.plural()).withScope("Namespaced").build());
    }
    // what an API server without the CRD answers the informers' first lists (the CRUD mock would serve any kind);
    // their retries are served, as once the CRD is applied
    for (String plural : List.of("mcpservers", "workflowaccesspolicies")) {
      server.expect().get().withPath("/apis/dapr.io/v1alpha1/" + plural + "?resourceVersion=0")
          .andReturn(404, new StatusBuilder().withStatus("Failure").withReason("NotFound").withCode(404)
              .withMessage("the server could not find the requested resource").build()).once();
    }
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    try (SidecarClients clients = new SidecarClients(creds);
        Operator operator = new Operator(clients.withTls(OperatorOptions.kubernetes().withPorts(0, 0, 0).withListenAddress("127.0.0.1")
            .withId("dapr-operator-0").withLeaseDuration(Duration.ofSeconds(3)).withSentryTokenFile(null)), Clock.systemUTC(), client, null)
            .start()) {
      waiting().until(operator::ready);
      OperatorGrpc.OperatorBlockingStub agent = clients.blocking(operator, "shop", "agent");
      assertThat(agent.listMCPServers(ListMCPServersRequest.newBuilder().setNamespace("shop").build()).getMcpServersCount()).isZero();
      assertThat(agent.listWorkflowAccessPolicy(ListWorkflowAccessPolicyRequest.newBuilder().setNamespace("shop").build())
          .getPoliciesCount()).isZero();
      assertThat(agent.listComponents(ListComponentsRequest.newBuilder().setNamespace("shop").build()).getComponentsCount()).isZero();
      assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("mcpservers.dapr.io is not installed"));

      // the CRD applied later: its resources are served without a restart
      server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup(ResourceKind.GROUP).withVersion("v1alpha1")
          .withKind("MCPServer").withPlural("mcpservers").withScope("Namespaced").build());
      client.genericKubernetesResources(CrdInformers.context(ResourceKind.MCP_SERVER)).inNamespace("shop").resource(
          Serialization.unmarshal("apiVersion: dapr.io/v1alpha1\nkind: MCPServer\nmetadata: {name: tools, namespace: shop}\n"
              + "spec: {endpoint: {stdio: {command: tools}}}\n", GenericKubernetesResource.class)).create();
      waiting().until(() -> clients.blocking(operator, "shop", "agent").listMCPServers(ListMCPServersRequest.newBuilder()
          .setNamespace("shop").build()).getMcpServersCount() == 1);
    } finally {
      root.detachAppender(logs);
    }
  }
}
