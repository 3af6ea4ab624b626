package io.daprx.operator.server;

import com.google.protobuf.ByteString;
import io.daprx.operator.cache.Subscriber;
import io.daprx.operator.metrics.OperatorMetrics;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.proto.operator.v1.ResourceEventType;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * One sidecar's update stream: a bounded queue the cache's loop fills without blocking, drained onto the gRPC stream
 * on a shared executor while the transport is ready ({@code isReady}/{@code onReady}), one drain at a time.
 *
 * <p>A stream whose queue reaches {@code limit} events has fallen too far behind: it is closed with
 * RESOURCE_EXHAUSTED. daprd then reconnects and lists the resources again, which is cheaper and more correct than
 * buffering without bound or dropping single events silently.
 */
final class StreamSink<M> implements Subscriber {

  private final ResourceKind kind;
  private final Caller caller;
  private final ServerCallStreamObserver<M> observer;
  private final BiFunction<ByteString, ResourceEventType, M> message;
  private final int limit;
  private final Executor executor;
  private final OperatorMetrics metrics;
  private final Consumer<StreamSink<M>> onEnd;
  private final Object lock = new Object();
  private final ArrayDeque<M> queue = new ArrayDeque<>();
  private boolean draining; // a drain is scheduled or running
  private Status closing; // set once: the drain ends the stream with it
  private boolean ended;

  StreamSink(ResourceKind kind, Caller caller, ServerCallStreamObserver<M> observer,
      BiFunction<ByteString, ResourceEventType, M> message, int limit, Executor executor, OperatorMetrics metrics,
      Consumer<StreamSink<M>> onEnd) {
    this.kind = kind;
    this.caller = caller;
    this.observer = observer;
    this.message = message;
    this.limit = limit;
    this.executor = executor;
    this.metrics = metrics;
    this.onEnd = onEnd;
    observer.setOnReadyHandler(this::schedule);
    observer.setOnCancelHandler(() -> end("cancelled"));
  }

  @Override
  public ResourceKind kind() {
    return kind;
  }

  @Override
  public String namespace() {
    return caller.namespace();
  }

  @Override
  public String appId() {
    return caller.appId();
  }

  @Override
  public boolean trusted() {
    return caller.trusted();
  }

  @Override
  public void offer(ResourceEventType type, ByteString payload) {
    M m = message.apply(payload, type);
    synchronized (lock) {
      if (ended || closing != null) {
        return;
      }
      if (queue.size() >= limit) {
        queue.clear();
        closing = Status.RESOURCE_EXHAUSTED.withDescription("stream fell " + limit
            + " events behind; reconnect and list again");
      } else {
        queue.add(m);
      }
    }
    schedule();
  }

  @Override
  public void close(Status status) {
    synchronized (lock) {
      if (ended || closing != null) {
        return;
      }
      queue.clear();
      closing = status;
    }
    schedule();
  }

  private void schedule() {
    synchronized (lock) {
      if (draining || ended) {
        return;
      }
      draining = true;
    }
    executor.execute(this::drain);
  }

  /** The only place that touches the observer after subscription, so calls on it never overlap. */
  private void drain() {
    while (true) {
      M next;
      Status close;
      synchronized (lock) {
        close = closing;
        next = null;
        if (close == null) {
          if (ended || queue.isEmpty() || !observer.isReady()) {
            draining = false;
            return;
          }
          next = queue.poll();
        }
      }
      try {
        if (close != null) {
          observer.onError(close.asRuntimeException());
          end(close.getCode() == Status.Code.RESOURCE_EXHAUSTED ? "behind" : "stopping");
          return;
        }
        observer.onNext(next);
        metrics.eventSent(kind);
      } catch (RuntimeException e) {
        end("failed"); // the call was cancelled under us
        return;
      }
    }
  }

  private void end(String reason) {
    synchronized (lock) {
      if (ended) {
        return;
      }
      ended = true;
      draining = false;
      queue.clear();
    }
    metrics.streamClosed(kind, reason);
    onEnd.accept(this);
  }
}
