package io.daprx.placement.sim;

import com.google.protobuf.ByteString;
import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.HostOperation;
import io.daprx.proto.placement.v1.PlacementGrpc;
import io.daprx.proto.placement.v1.PlacementTables;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One simulated daprd on a real gRPC stream: it reports itself, follows lock → update → unlock and acks each order
 * the way daprd 1.17+ does, unless told to misbehave. It records every order it receives (optional), protocol
 * violations it sees, and the table it holds after each unlock, with the time it got there.
 *
 * <p>Thread-safe: tests call it while gRPC delivers orders.
 */
public final class SimulatedSidecar implements AutoCloseable {

  /** An order as received, for checking order and versions. */
  public record Received(String operation, long version, long atNanos) {}

  /**
   * The table the sidecar holds after an unlock.
   *
   * @param tables the encoded tables, or null when this sidecar does not keep them
   */
  public record Table(long version, ByteString tables, long unlockedAtNanos) {
    public PlacementTables parsed() {
      return new OrderView("update", version, tables).parsedTables();
    }
  }

  private static final MethodDescriptor<Host, OrderView> KEEPING = method(true);
  private static final MethodDescriptor<Host, OrderView> SKIPPING = method(false);

  private static MethodDescriptor<Host, OrderView> method(boolean keepTables) {
    return PlacementGrpc.getReportDaprStatusMethod()
        .toBuilder(ProtoUtils.marshaller(Host.getDefaultInstance()), new OrderView.Marshaller(keepTables))
        .build();
  }

  private final Channel channel;
  private final LongSupplier nanoTime;
  private final boolean keepHistory;
  private final MethodDescriptor<Host, OrderView> method;
  private final List<Received> history = Collections.synchronizedList(new ArrayList<>());
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<Consumer<Table>> unlockListeners = new CopyOnWriteArrayList<>();
  private volatile SidecarSpec spec;
  private volatile Misbehaviour misbehaviour = Misbehaviour.NONE;
  private volatile Table table;
  private volatile Status closedWith;
  private volatile long lockedVersion = -1;
  private final List<Host> heldAcks = new ArrayList<>(); // guarded by this
  private boolean holdingAcks; // guarded by this
  private ClientCallStreamObserver<Host> requests; // guarded by this
  private int generation; // guarded by this; orders of an older stream are ignored
  // protocol state of the current stream: only its response thread touches these
  private String lastOperation;
  private ByteString pendingTables;
  private long pendingVersion;

  /**
   * @param keepHistory record every order received (tests); off for load
   * @param keepTables keep the bytes of each table (tests, content checks); off for load, where only versions and
   *     times matter
   */
  public SimulatedSidecar(SidecarSpec spec, Channel channel, LongSupplier nanoTime, boolean keepHistory, boolean keepTables) {
    this.spec = spec;
    this.channel = channel;
    this.nanoTime = nanoTime;
    this.keepHistory = keepHistory;
    this.method = keepTables ? KEEPING : SKIPPING;
  }

  public SimulatedSidecar(SidecarSpec spec, Channel channel) {
    this(spec, channel, System::nanoTime, true, true);
  }

  /** Whether {@link Table#parsed()} works: this sidecar keeps the tables it receives. */
  public boolean keepsTables() {
    return method == KEEPING;
  }

  /** Opens a stream (closing the previous one) and reports. The held table is kept, as daprd keeps it. */
  public SimulatedSidecar connect() {
    return connectWith(report(HostOperation.REPORT));
  }

  /** Opens a stream whose first message is {@code first} (e.g. a malformed report). */
  public synchronized SimulatedSidecar connectWith(Host first) {
    if (requests != null) {
      requests.cancel("reconnecting", null);
    }
    int gen = ++generation;
    closedWith = null;
    lastOperation = null; // a new stream starts with a lock; the held table stays
    Responses responses = new Responses(gen, misbehaviour == Misbehaviour.NEVER_READ);
    ClientCalls.asyncBidiStreamingCall(channel.newCall(method, CallOptions.DEFAULT), responses);
    requests = responses.requests;
    requests.onNext(first);
    return this;
  }

  /** Reports new actor types on the open stream (a membership change). */
  public void report(List<String> actorTypes) {
    spec = spec.withActorTypes(actorTypes);
    send(report(HostOperation.REPORT));
  }

  /** Sends any message on the open stream, e.g. a malformed one. */
  public synchronized void send(Host message) {
    if (requests != null && closedWith == null) {
      requests.onNext(message);
    }
  }

  /** Drops the stream as a crashed sidecar or a broken connection would (the client cancels). */
  public synchronized void drop() {
    if (requests != null) {
      requests.cancel("simulated drop", null);
      requests = null;
      closedWith = Status.CANCELLED;
    }
  }

  public void misbehave(Misbehaviour how) {
    this.misbehaviour = how;
  }

  /** Keeps acks back (a slow sidecar) until {@link #resumeAcks()}, which sends them in order. */
  public synchronized void pauseAcks() {
    holdingAcks = true;
  }

  public synchronized void resumeAcks() {
    holdingAcks = false;
    List<Host> held = List.copyOf(heldAcks);
    heldAcks.clear();
    held.forEach(this::send);
  }

  public void onUnlock(Consumer<Table> listener) {
    unlockListeners.add(listener);
  }

  public SidecarSpec spec() {
    return spec;
  }

  /** The table after the last unlock, or null before the first. */
  public Table table() {
    return table;
  }

  /** The version of the last lock received, -1 before any. */
  public long lockedVersion() {
    return lockedVersion;
  }

  /** How the stream ended (placement's status, or CANCELLED after {@link #drop()}); null while open. */
  public Status closedWith() {
    return closedWith;
  }

  public boolean isOpen() {
    return closedWith == null && requests != null;
  }

  public List<Received> history() {
    synchronized (history) {
      return List.copyOf(history);
    }
  }

  public void clearHistory() {
    history.clear();
  }

  /** What placement did against the protocol, as this sidecar saw it; empty when all was well. */
  public List<String> violations() {
    return List.copyOf(violations);
  }

  private Host report(HostOperation op) {
    SidecarSpec s = spec;
    int colon = s.name().lastIndexOf(':');
    long port = 0;
    if (colon > 0) {
      try {
        port = Long.parseLong(s.name().substring(colon + 1));
      } catch (NumberFormatException e) {
        port = 0;
      }
    }
    return Host.newBuilder().setName(s.name()).setPort(port).addAllEntities(s.actorTypes()).setId(s.appId())
        .setNamespace(s.namespace()).setApiLevel(s.apiLevel()).setOperation(op).build();
  }

  private void ack(HostOperation op, long version) {
    SidecarSpec s = spec;
    Host ack = switch (misbehaviour) {
      case NEVER_ACK, NEVER_READ -> null;
      case STALE_ACK -> Host.newBuilder().setOperation(op).setVersion(version - 1).setId(s.appId()).setNamespace(s.namespace()).build();
      case UNKNOWN_OPERATION -> report(HostOperation.UNKNOWN);
      default -> Host.newBuilder().setOperation(op).setVersion(version).setId(s.appId()).setNamespace(s.namespace()).build();
    };
    if (ack == null) {
      return;
    }
    synchronized (this) {
      if (holdingAcks) {
        heldAcks.add(ack);
        return;
      }
      send(ack);
    }
  }

  private synchronized boolean current(int gen) {
    return gen == generation;
  }

  private void handle(OrderView order) {
    long now = nanoTime.getAsLong();
    if (keepHistory) {
      history.add(new Received(order.operation(), order.version(), now));
    }
    switch (order.operation()) {
      case "lock" -> {
        lastOperation = "lock";
        lockedVersion = order.version();
        ack(HostOperation.LOCK, order.version());
      }
      case "update" -> {
        if (!"lock".equals(lastOperation)) {
          violations.add("update of version " + order.version() + " after " + lastOperation + ", not after a lock");
        } else if (order.version() != lockedVersion) {
          violations.add("update of version " + order.version() + " while locked at version " + lockedVersion);
        }
        lastOperation = "update";
        pendingTables = order.tables();
        pendingVersion = order.version();
        ack(HostOperation.UPDATE, order.version());
      }
      case "unlock" -> {
        if (!"update".equals(lastOperation)) {
          violations.add("unlock of version " + order.version() + " after " + lastOperation + ", not after an update");
        } else if (order.version() != pendingVersion) {
          violations.add("unlock of version " + order.version() + " after the update of version " + pendingVersion);
        } else {
          Table t = new Table(order.version(), pendingTables, now);
          table = t;
          for (Consumer<Table> l : unlockListeners) {
            l.accept(t);
          }
        }
        lastOperation = "unlock";
        ack(HostOperation.UNLOCK, order.version());
      }
      default -> violations.add("unknown operation '" + order.operation() + "'");
    }
  }

  @Override
  public void close() {
    drop();
  }

  @Override
  public String toString() {
    return "Host(" + spec.namespace() + "/" + spec.name() + ")";
  }

  private final class Responses implements ClientResponseObserver<Host, OrderView> {
    private final int gen;
    private final boolean neverRead;
    ClientCallStreamObserver<Host> requests;

    Responses(int gen, boolean neverRead) {
      this.gen = gen;
      this.neverRead = neverRead;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Host> requestStream) {
      this.requests = requestStream;
      if (neverRead) {
        requestStream.disableAutoRequestWithInitial(0);
      }
    }

    @Override
    public void onNext(OrderView order) {
      if (current(gen)) {
        handle(order);
      }
    }

    @Override
    public void onError(Throwable t) {
      ended(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ended(Status.OK);
    }

    private void ended(Status status) {
      synchronized (SimulatedSidecar.this) {
        if (gen == generation && closedWith == null) {
          closedWith = status;
        }
      }
    }
  }
}
