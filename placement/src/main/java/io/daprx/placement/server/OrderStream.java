package io.daprx.placement.server;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.placement.dissemination.NamespaceEvent;
import io.daprx.placement.dissemination.NamespaceLoop;
import io.daprx.placement.dissemination.Namespaces;
import io.daprx.placement.dissemination.SerializedOrder;
import io.daprx.placement.dissemination.SidecarStream;
import io.daprx.placement.metrics.PlacementMetrics;
import io.daprx.proto.placement.v1.Host;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sidecar's {@code ReportDaprStatus} call. Inbound, it validates each message on gRPC's thread and hands it to
 * its namespace loop, one message at a time (the loop asks for the next). Outbound, it queues orders and writes
 * them only while the transport is ready, so a slow sidecar never holds up a loop; a lock supersedes older orders
 * still queued, and a stream whose queue still overflows is closed.
 */
final class OrderStream implements SidecarStream, StreamObserver<Host> {

  /** A round queues three orders; more means the sidecar is not reading. */
  static final int MAX_QUEUED = 8;

  private static final Logger LOG = LoggerFactory.getLogger(OrderStream.class);

  private final ServerCallStreamObserver<SerializedOrder> out;
  private final Namespaces term;
  private final HostValidator validator;
  private final SpiffeId peer;
  private final PlacementMetrics metrics;
  private final ArrayDeque<SerializedOrder> queue = new ArrayDeque<>(4);
  private final AtomicBoolean ended = new AtomicBoolean();
  private boolean closed; // guarded by this

  // Inbound state: gRPC calls onNext/onError/onCompleted one at a time, with happens-before between them.
  private String namespace;
  private String name = "?";
  private NamespaceLoop loop;

  OrderStream(ServerCallStreamObserver<SerializedOrder> out, Namespaces term, HostValidator validator, SpiffeId peer,
      PlacementMetrics metrics) {
    this.out = out;
    this.term = term;
    this.validator = validator;
    this.peer = peer;
    this.metrics = metrics;
    out.disableAutoRequest();
    out.setOnReadyHandler(this::drain);
    out.setOnCancelHandler(() -> gone("cancelled by the sidecar or its connection"));
    metrics.streamOpened();
  }

  /** Asks for the first message. */
  void start() {
    readNext();
  }

  // --- outbound (called by the namespace loop)

  @Override
  public void send(SerializedOrder order) {
    Status overflow = null;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (order.isLock()) {
        // a new round makes whatever is still queued of older rounds pointless
        queue.removeIf(q -> Long.compareUnsigned(q.version(), order.version()) < 0);
      }
      if (queue.size() >= MAX_QUEUED) {
        overflow = Status.RESOURCE_EXHAUSTED.withDescription(
            "placement stream too slow: " + queue.size() + " orders waiting to be sent");
        closeLocked(overflow);
      } else {
        queue.add(order);
        drainLocked();
      }
    }
    if (overflow != null) {
      LOG.warn("{}: closed, it does not read its orders ({} queued)", this, MAX_QUEUED);
      metrics.streamEnded("slow");
      markEnded();
      leave("too slow");
    }
  }

  @Override
  public void close(Status status) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closeLocked(status);
    }
    markEnded();
  }

  @Override
  public synchronized void readNext() {
    if (!closed) {
      out.request(1);
    }
  }

  private synchronized void drain() {
    if (!closed) {
      drainLocked();
    }
  }

  private void drainLocked() {
    while (!queue.isEmpty() && out.isReady()) {
      out.onNext(queue.poll());
    }
  }

  private void closeLocked(Status status) {
    closed = true;
    queue.clear();
    try {
      if (status.isOk()) {
        out.onCompleted();
      } else {
        out.onError(status.asRuntimeException());
      }
    } catch (RuntimeException e) {
      LOG.debug("{}: closing an already finished call: {}", this, e.toString());
    }
  }

  // --- inbound (called by gRPC)

  @Override
  public void onNext(Host host) {
    Status bad = validator.check(host, peer, namespace);
    if (bad != null) {
      reject(host, bad);
      return;
    }
    if (namespace == null) {
      namespace = host.getNamespace();
      name = host.getName();
      loop = term.join(namespace, this, host);
      if (loop == null) {
        metrics.streamEnded("leadership");
        close(Status.FAILED_PRECONDITION.withDescription("this placement node is no longer the leader"));
      }
      return;
    }
    loop.post(new NamespaceEvent.Reported(this, host));
  }

  @Override
  public void onError(Throwable t) {
    gone("stream ended: " + Status.fromThrowable(t).getCode());
  }

  @Override
  public void onCompleted() {
    // the sidecar closed its side: end ours too, and let the loop know
    close(Status.OK);
    leave("closed by the sidecar");
  }

  private void reject(Host host, Status status) {
    String who = namespace == null ? "Host(" + host.getNamespace() + "/" + host.getName() + ")" : toString();
    LOG.warn("{}: closing the stream with {}: {}", who, status.getCode(), status.getDescription());
    metrics.streamEnded(switch (status.getCode()) {
      case PERMISSION_DENIED -> "denied";
      case UNAUTHENTICATED -> "unauthenticated";
      default -> "invalid";
    });
    close(status);
    leave("invalid message");
  }

  private void gone(String reason) {
    synchronized (this) {
      closed = true;
      queue.clear();
    }
    markEnded();
    leave(reason);
  }

  private void leave(String reason) {
    NamespaceLoop l = loop;
    if (l != null) {
      l.post(new NamespaceEvent.Left(this, reason));
    }
  }

  private void markEnded() {
    if (ended.compareAndSet(false, true)) {
      metrics.streamClosed();
    }
  }

  @Override
  public String toString() {
    return "Host(" + (namespace == null ? "?" : namespace) + "/" + name + ")";
  }
}
