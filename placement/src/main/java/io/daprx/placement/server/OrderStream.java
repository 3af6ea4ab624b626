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
  private final OutboundBudget budget;
  private final ArrayDeque<SerializedOrder> queue = new ArrayDeque<>(4);
  private final AtomicBoolean ended = new AtomicBoolean();
  private boolean closed; // guarded by this
  private long inFlight; // guarded by this: bytes handed to gRPC and not yet written to the socket
  private long releaseLater; // guarded by this: in-flight bytes of a closed stream, returned outside the lock
  private long credit; // guarded by this: bytes the budget granted for the next order

  // Inbound state: gRPC calls onNext/onError/onCompleted one at a time, with happens-before between them.
  private String namespace;
  private String name = "?";
  private NamespaceLoop loop;

  OrderStream(ServerCallStreamObserver<SerializedOrder> out, Namespaces term, HostValidator validator, SpiffeId peer,
      PlacementMetrics metrics, OutboundBudget budget) {
    this.out = out;
    this.term = term;
    this.validator = validator;
    this.peer = peer;
    this.metrics = metrics;
    this.budget = budget;
    out.disableAutoRequest();
    // ready only once everything handed over is written: then onReady says exactly when the bytes left the process
    out.setOnReadyThreshold(1);
    out.setOnReadyHandler(this::written);
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
    long leftover = 0;
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
        leftover = drainLocked();
      }
    }
    giveBack(leftover);
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

  /** The transport wrote everything handed to it: give the bytes back to the budget and send what waits. */
  private void written() {
    long done;
    synchronized (this) {
      // An order sent between the transport becoming ready and this handler is counted as written too: the
      // budget is an estimate, and it errs towards sending.
      done = inFlight;
      inFlight = 0;
    }
    giveBack(done);
    drain();
  }

  @Override
  public synchronized void readNext() {
    if (!closed) {
      out.request(1);
    }
  }

  /** Sends what the transport and the budget allow. */
  void drain() {
    long leftover;
    synchronized (this) {
      leftover = closed ? 0 : drainLocked();
    }
    giveBack(leftover);
  }

  /** The budget let this stream have {@code bytes} for its next order. */
  void granted(long bytes) {
    long leftover;
    synchronized (this) {
      credit += bytes;
      leftover = closed ? takeCredit() : drainLocked();
    }
    giveBack(leftover);
  }

  /** Writes while the transport is ready and the budget allows; returns unused granted bytes to give back. */
  private long drainLocked() {
    while (!queue.isEmpty() && out.isReady()) {
      int size = queue.peek().bytes().length;
      if (size >= OutboundBudget.SMALL_BYTES) {
        if (credit >= size) {
          credit -= size;
        } else if (!budget.tryAcquire(size, this)) {
          break; // granted() resumes when room frees up
        }
        inFlight += size;
      }
      out.onNext(queue.poll());
    }
    return takeCredit();
  }

  private long takeCredit() {
    long c = credit;
    credit = 0;
    return c;
  }

  private void giveBack(long bytes) {
    if (bytes > 0) {
      budget.release(bytes);
    }
  }

  private void closeLocked(Status status) {
    closed = true;
    queue.clear();
    releaseLater += inFlight + takeCredit();
    inFlight = 0;
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
    markEnded(); // bytes in flight on a cancelled stream are never written: give them back
    leave(reason);
  }

  private void leave(String reason) {
    NamespaceLoop l = loop;
    if (l != null) {
      l.post(new NamespaceEvent.Left(this, reason));
    }
  }

  /** Counts the end once, and returns a closed stream's budget (outside any stream lock, see OutboundBudget). */
  private void markEnded() {
    long give;
    synchronized (this) {
      give = releaseLater + (closed ? inFlight + takeCredit() : 0);
      releaseLater = 0;
      if (closed) {
        inFlight = 0;
      }
    }
    budget.forget(this);
    giveBack(give);
    if (ended.compareAndSet(false, true)) {
      metrics.streamClosed();
    }
  }

  @Override
  public String toString() {
    return "Host(" + (namespace == null ? "?" : namespace) + "/" + name + ")";
  }
}
