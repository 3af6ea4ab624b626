package io.daprx.placement.server;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.PeerIdentity;
import io.daprx.placement.dissemination.Namespaces;
import io.daprx.placement.dissemination.SerializedOrder;
import io.daprx.placement.metrics.PlacementMetrics;
import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.PlacementGrpc;
import io.daprx.proto.placement.v1.StatePlacementTables;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dapr.proto.placement.v1.Placement} service. Only the leader serves: a follower answers
 * {@code FAILED_PRECONDITION}, a server shutting down {@code UNAVAILABLE}. Each leadership term gets fresh
 * {@link Namespaces}; losing leadership closes every stream so sidecars move to the new leader.
 *
 * <p>Responses are {@link SerializedOrder}s written by a pass-through marshaller, so an order serialized once per
 * round goes to every stream as the same bytes; on the wire it is an ordinary {@code PlacementOrder}.
 */
public final class PlacementService {

  private static final Logger LOG = LoggerFactory.getLogger(PlacementService.class);
  private static final StreamObserver<Host> IGNORE = new StreamObserver<>() {
    @Override
    public void onNext(Host value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  };

  private final String nodeId;
  private final boolean identityChecks;
  private final HostValidator validator;
  private final PlacementMetrics metrics;
  private final Supplier<Namespaces> newTerm;
  private final OutboundBudget budget = new OutboundBudget(OutboundBudget.DEFAULT_BYTES);
  private volatile Namespaces term; // null while not the leader
  private volatile boolean shuttingDown;

  /**
   * @param identityChecks mTLS is on: each stream's peer SPIFFE ID must match what it reports
   * @param newTerm makes the (empty) namespace registry of a new leadership term
   */
  public PlacementService(String nodeId, boolean identityChecks, PlacementMetrics metrics, Supplier<Namespaces> newTerm) {
    this.nodeId = nodeId;
    this.identityChecks = identityChecks;
    this.validator = new HostValidator(identityChecks);
    this.metrics = metrics;
    this.newTerm = newTerm;
  }

  public ServerServiceDefinition definition() {
    MethodDescriptor<Host, SerializedOrder> method = PlacementGrpc.getReportDaprStatusMethod()
        .toBuilder(ProtoUtils.marshaller(Host.getDefaultInstance()), new SerializedOrderMarshaller())
        .build();
    return ServerServiceDefinition.builder(PlacementGrpc.SERVICE_NAME)
        .addMethod(method, ServerCalls.asyncBidiStreamingCall(this::open))
        .build();
  }

  private StreamObserver<Host> open(StreamObserver<SerializedOrder> responses) {
    if (shuttingDown) {
      responses.onError(Status.UNAVAILABLE.withDescription("placement server is shutting down").asRuntimeException());
      return IGNORE;
    }
    Namespaces t = term;
    if (t == null) {
      responses.onError(Status.FAILED_PRECONDITION.withDescription(
          "node id=" + nodeId + " is not a leader. Only the leader can serve requests").asRuntimeException());
      return IGNORE;
    }
    SpiffeId peer = identityChecks ? PeerIdentity.current().orElse(null) : null;
    OrderStream stream = new OrderStream((ServerCallStreamObserver<SerializedOrder>) responses, t, validator, peer, metrics,
        budget);
    stream.start();
    return stream;
  }

  /** Follows the replica's leadership: a gained term starts empty, a lost one closes all its streams. */
  public synchronized void leadership(boolean leader) {
    if (leader && term == null && !shuttingDown) {
      term = newTerm.get();
      metrics.leader(true);
      LOG.info("node id={} is the leader: serving sidecars, tables rebuilt from those that connect", nodeId);
    } else if (!leader && term != null) {
      Namespaces old = term;
      term = null;
      metrics.leader(false);
      LOG.warn("node id={} lost leadership: closing all sidecar streams so they move to the new leader", nodeId);
      old.close(Status.FAILED_PRECONDITION.withDescription("node id=" + nodeId + " lost leadership"), "leadership");
    }
  }

  public boolean isLeader() {
    return term != null;
  }

  /** Refuses new streams with UNAVAILABLE and closes the open ones; completes when they are closed. */
  public synchronized CompletableFuture<Void> shutdown() {
    shuttingDown = true;
    Namespaces old = term;
    term = null;
    metrics.leader(false);
    if (old == null) {
      return CompletableFuture.completedFuture(null);
    }
    return old.close(Status.UNAVAILABLE.withDescription("placement server is shutting down"), "shutdown");
  }

  /** The tables of the current term; fails with FAILED_PRECONDITION on a follower. */
  public CompletableFuture<StatePlacementTables> state() {
    Namespaces t = term;
    if (t == null) {
      return CompletableFuture.failedFuture(Status.FAILED_PRECONDITION.withDescription(
          "node id=" + nodeId + " is not a leader. Only the leader can serve requests").asRuntimeException());
    }
    return t.state();
  }
}
