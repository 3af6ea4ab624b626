package io.daprx.operator.server;

import com.google.protobuf.ByteString;
import io.daprx.operator.cache.ResourceCache;
import io.daprx.operator.metrics.OperatorMetrics;
import io.daprx.operator.resources.Resource;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.operator.resources.Resources;
import io.daprx.operator.resources.SecretResolver;
import io.daprx.proto.operator.v1.ResourceEventType;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the gRPC handlers delegate to: reads and subscriptions for an authorized caller, in plain Java. */
final class ResourceApi {

  private static final Logger LOG = LoggerFactory.getLogger(ResourceApi.class);

  private final ResourceCache cache;
  private final SecretResolver secrets;
  private final OperatorMetrics metrics;
  private final int streamQueueLimit;
  private final Executor streamExecutor;

  ResourceApi(ResourceCache cache, SecretResolver secrets, OperatorMetrics metrics, int streamQueueLimit, Executor streamExecutor) {
    this.cache = cache;
    this.secrets = secrets;
    this.metrics = metrics;
    this.streamQueueLimit = streamQueueLimit;
    this.streamExecutor = streamExecutor;
  }

  /** The caller's resources of a kind, in scope, ordered by name; Kubernetes secrets are read afresh. */
  List<ByteString> list(ResourceKind kind, Caller caller) {
    List<ByteString> out = new ArrayList<>();
    for (Resource r : await(cache.list(kind, caller.namespace()))) {
      if (r.inScope(caller.appId())) {
        out.add(caller.trusted() ? resolved(r) : r.json());
      }
    }
    return out;
  }

  /** One resource by name; NOT_FOUND when absent or out of the caller's scope. */
  ByteString get(ResourceKind kind, Caller caller, String name) {
    Resource r = await(cache.get(kind, caller.namespace(), name)).filter(x -> x.inScope(caller.appId()))
        .orElseThrow(() -> Status.NOT_FOUND.withDescription(kind.describe(caller.namespace(), name) + " not found").asRuntimeException());
    return caller.trusted() ? resolved(r) : r.json();
  }

  <M> void subscribe(ResourceKind kind, Caller caller, ServerCallStreamObserver<M> observer,
      BiFunction<ByteString, ResourceEventType, M> message) {
    StreamSink<M> sink = new StreamSink<>(kind, caller, observer, message, streamQueueLimit, streamExecutor, metrics,
        cache::unsubscribe);
    cache.subscribe(sink);
    // counted after the subscription is queued: whoever sees the count can rely on later changes reaching the stream
    metrics.streamOpened(kind);
    LOG.debug("{} updates streamed to {} in {}", kind.kind(), caller.appId(), caller.namespace());
  }

  private ByteString resolved(Resource r) {
    try {
      return Resources.resolveAfresh(r, secrets);
    } catch (IllegalStateException e) {
      LOG.warn("{}: {}", r.describe(), e.getMessage());
      throw Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException();
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    } catch (ExecutionException e) {
      throw Status.UNAVAILABLE.withDescription(e.getCause().getMessage()).asRuntimeException();
    } catch (TimeoutException e) {
      throw Status.UNAVAILABLE.withDescription("the resource cache did not answer within 10 s").asRuntimeException();
    }
  }
}
