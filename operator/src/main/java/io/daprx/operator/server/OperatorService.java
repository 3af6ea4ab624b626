package io.daprx.operator.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.daprx.operator.cache.ResourceCache;
import io.daprx.operator.metrics.OperatorMetrics;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.operator.resources.SecretResolver;
import io.daprx.proto.operator.v1.ComponentUpdateEvent;
import io.daprx.proto.operator.v1.ComponentUpdateRequest;
import io.daprx.proto.operator.v1.ConfigurationUpdateEvent;
import io.daprx.proto.operator.v1.ConfigurationUpdateRequest;
import io.daprx.proto.operator.v1.GetConfigurationRequest;
import io.daprx.proto.operator.v1.GetConfigurationResponse;
import io.daprx.proto.operator.v1.GetResiliencyRequest;
import io.daprx.proto.operator.v1.GetResiliencyResponse;
import io.daprx.proto.operator.v1.HTTPEndpointUpdateEvent;
import io.daprx.proto.operator.v1.HTTPEndpointUpdateRequest;
import io.daprx.proto.operator.v1.ListComponentResponse;
import io.daprx.proto.operator.v1.ListComponentsRequest;
import io.daprx.proto.operator.v1.ListHTTPEndpointsRequest;
import io.daprx.proto.operator.v1.ListHTTPEndpointsResponse;
import io.daprx.proto.operator.v1.ListMCPServersRequest;
import io.daprx.proto.operator.v1.ListMCPServersResponse;
import io.daprx.proto.operator.v1.ListResiliencyRequest;
import io.daprx.proto.operator.v1.ListResiliencyResponse;
import io.daprx.proto.operator.v1.ListSubscriptionsRequest;
import io.daprx.proto.operator.v1.ListSubscriptionsResponse;
import io.daprx.proto.operator.v1.ListWorkflowAccessPolicyRequest;
import io.daprx.proto.operator.v1.ListWorkflowAccessPolicyResponse;
import io.daprx.proto.operator.v1.MCPServerUpdateEvent;
import io.daprx.proto.operator.v1.MCPServerUpdateRequest;
import io.daprx.proto.operator.v1.OperatorGrpc;
import io.daprx.proto.operator.v1.ResiliencyUpdateEvent;
import io.daprx.proto.operator.v1.ResiliencyUpdateRequest;
import io.daprx.proto.operator.v1.ResourceEventType;
import io.daprx.proto.operator.v1.SubscriptionUpdateEvent;
import io.daprx.proto.operator.v1.SubscriptionUpdateRequest;
import io.daprx.proto.operator.v1.WorkflowAccessPolicyUpdateEvent;
import io.daprx.proto.operator.v1.WorkflowAccessPolicyUpdateRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dapr.proto.operator.v1.Operator} service: each handler records its metric, authorizes the caller, and
 * delegates to {@link ResourceApi}; failures become a status with a short description.
 */
public final class OperatorService extends OperatorGrpc.OperatorImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorService.class);

  private final boolean tls;
  private final OperatorMetrics metrics;
  private final ResourceApi api;

  /**
   * @param tls whether callers present verified SPIFFE identities (see {@link Caller#authorize} for plaintext)
   * @param streamQueueLimit events a stream may have queued before it is closed as too far behind
   * @param streamExecutor where streams write their events
   */
  public OperatorService(boolean tls, ResourceCache cache, SecretResolver secrets, OperatorMetrics metrics,
      int streamQueueLimit, Executor streamExecutor) {
    this.tls = tls;
    this.metrics = metrics;
    this.api = new ResourceApi(cache, secrets, metrics, streamQueueLimit, streamExecutor);
  }

  @Override
  public void listComponents(ListComponentsRequest req, StreamObserver<ListComponentResponse> out) {
    unary(ResourceKind.COMPONENT, out, () -> ListComponentResponse.newBuilder()
        .addAllComponents(api.list(ResourceKind.COMPONENT, Caller.authorize(req.getNamespace(), tls))).build());
  }

  @Override
  public void getConfiguration(GetConfigurationRequest req, StreamObserver<GetConfigurationResponse> out) {
    unary(ResourceKind.CONFIGURATION, out, () -> GetConfigurationResponse.newBuilder()
        .setConfiguration(api.get(ResourceKind.CONFIGURATION, Caller.authorize(req.getNamespace(), tls), req.getName())).build());
  }

  @Override
  public void listSubscriptions(Empty req, StreamObserver<ListSubscriptionsResponse> out) {
    unary(ResourceKind.SUBSCRIPTION, out, () -> ListSubscriptionsResponse.newBuilder()
        .addAllSubscriptions(api.list(ResourceKind.SUBSCRIPTION, Caller.ownNamespace(tls))).build());
  }

  @Override
  public void listSubscriptionsV2(ListSubscriptionsRequest req, StreamObserver<ListSubscriptionsResponse> out) {
    unary(ResourceKind.SUBSCRIPTION, out, () -> ListSubscriptionsResponse.newBuilder()
        .addAllSubscriptions(api.list(ResourceKind.SUBSCRIPTION, Caller.authorize(req.getNamespace(), tls))).build());
  }

  @Override
  public void getResiliency(GetResiliencyRequest req, StreamObserver<GetResiliencyResponse> out) {
    unary(ResourceKind.RESILIENCY, out, () -> GetResiliencyResponse.newBuilder()
        .setResiliency(api.get(ResourceKind.RESILIENCY, Caller.authorize(req.getNamespace(), tls), req.getName())).build());
  }

  @Override
  public void listResiliency(ListResiliencyRequest req, StreamObserver<ListResiliencyResponse> out) {
    unary(ResourceKind.RESILIENCY, out, () -> ListResiliencyResponse.newBuilder()
        .addAllResiliencies(api.list(ResourceKind.RESILIENCY, Caller.authorize(req.getNamespace(), tls))).build());
  }

  @Override
  public void listHTTPEndpoints(ListHTTPEndpointsRequest req, StreamObserver<ListHTTPEndpointsResponse> out) {
    unary(ResourceKind.HTTP_ENDPOINT, out, () -> ListHTTPEndpointsResponse.newBuilder()
        .addAllHttpEndpoints(api.list(ResourceKind.HTTP_ENDPOINT, Caller.authorize(req.getNamespace(), tls))).build());
  }

  @Override
  public void componentUpdate(ComponentUpdateRequest req, StreamObserver<ComponentUpdateEvent> out) {
    stream(ResourceKind.COMPONENT, req.getNamespace(), out,
        (b, t) -> ComponentUpdateEvent.newBuilder().setComponent(b).setType(t).build());
  }

  @Override
  public void subscriptionUpdate(SubscriptionUpdateRequest req, StreamObserver<SubscriptionUpdateEvent> out) {
    stream(ResourceKind.SUBSCRIPTION, req.getNamespace(), out,
        (b, t) -> SubscriptionUpdateEvent.newBuilder().setSubscription(b).setType(t).build());
  }

  @Override
  public void hTTPEndpointUpdate(HTTPEndpointUpdateRequest req, StreamObserver<HTTPEndpointUpdateEvent> out) {
    stream(ResourceKind.HTTP_ENDPOINT, req.getNamespace(), out,
        (b, t) -> HTTPEndpointUpdateEvent.newBuilder().setHttpEndpoints(b).setType(t).build());
  }

  @Override
  public void configurationUpdate(ConfigurationUpdateRequest req, StreamObserver<ConfigurationUpdateEvent> out) {
    stream(ResourceKind.CONFIGURATION, req.getNamespace(), out,
        (b, t) -> ConfigurationUpdateEvent.newBuilder().setConfiguration(b).setType(t).build());
  }

  @Override
  public void resiliencyUpdate(ResiliencyUpdateRequest req, StreamObserver<ResiliencyUpdateEvent> out) {
    stream(ResourceKind.RESILIENCY, req.getNamespace(), out,
        (b, t) -> ResiliencyUpdateEvent.newBuilder().setResiliency(b).setType(t).build());
  }

  @Override
  public void listMCPServers(ListMCPServersRequest req, StreamObserver<ListMCPServersResponse> out) {
    unary(ResourceKind.MCP_SERVER, out, () -> ListMCPServersResponse.newBuilder()
        .addAllMcpServers(api.list(ResourceKind.MCP_SERVER, Caller.authorize(req.getNamespace(), tls))).build());
  }

  @Override
  public void mCPServerUpdate(MCPServerUpdateRequest req, StreamObserver<MCPServerUpdateEvent> out) {
    stream(ResourceKind.MCP_SERVER, req.getNamespace(), out,
        (b, t) -> MCPServerUpdateEvent.newBuilder().setMcpServer(b).setType(t).build());
  }

  @Override
  public void listWorkflowAccessPolicy(ListWorkflowAccessPolicyRequest req, StreamObserver<ListWorkflowAccessPolicyResponse> out) {
    unary(ResourceKind.WORKFLOW_ACCESS_POLICY, out, () -> ListWorkflowAccessPolicyResponse.newBuilder()
        .addAllPolicies(api.list(ResourceKind.WORKFLOW_ACCESS_POLICY, Caller.authorize(req.getNamespace(), tls))).build());
  }

  @Override
  public void workflowAccessPolicyUpdate(WorkflowAccessPolicyUpdateRequest req, StreamObserver<WorkflowAccessPolicyUpdateEvent> out) {
    stream(ResourceKind.WORKFLOW_ACCESS_POLICY, req.getNamespace(), out,
        (b, t) -> WorkflowAccessPolicyUpdateEvent.newBuilder().setPolicy(b).setType(t).build());
  }

  private <R> void unary(ResourceKind kind, StreamObserver<R> out, Supplier<R> call) {
    metrics.listed(kind);
    R response;
    try {
      response = call.get();
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    } catch (RuntimeException e) {
      LOG.error("{} request failed: {}", kind.kind(), e.toString(), e);
      out.onError(Status.INTERNAL.withDescription("operator error: " + e.getMessage()).asRuntimeException());
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }

  private <M> void stream(ResourceKind kind, String namespace, StreamObserver<M> out,
      BiFunction<ByteString, ResourceEventType, M> message) {
    Caller caller;
    try {
      caller = Caller.authorize(namespace, tls);
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    api.subscribe(kind, caller, (ServerCallStreamObserver<M>) out, message);
  }
}
