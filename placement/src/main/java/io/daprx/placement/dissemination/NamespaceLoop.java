package io.daprx.placement.dissemination;

import io.daprx.placement.dissemination.NamespaceEvent.CoalesceWindowClosed;
import io.daprx.placement.dissemination.NamespaceEvent.Joined;
import io.daprx.placement.dissemination.NamespaceEvent.Left;
import io.daprx.placement.dissemination.NamespaceEvent.OneShotDeadline;
import io.daprx.placement.dissemination.NamespaceEvent.PhaseDeadline;
import io.daprx.placement.dissemination.NamespaceEvent.Reported;
import io.daprx.placement.dissemination.NamespaceEvent.Shutdown;
import io.daprx.placement.dissemination.NamespaceEvent.StateQuery;
import io.daprx.placement.metrics.PlacementMetrics;
import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.HostOperation;
import io.daprx.proto.placement.v1.PlacementTables;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of a namespace's placement state: its streams, its version and its dissemination round. Events
 * arrive through {@link #post} and are handled one at a time on a {@link SerialExecutor}; nothing here blocks,
 * because streams queue their orders themselves.
 *
 * <p>A round: {@code lock} to every stream → all ack → {@code update} with the tables → all ack → {@code unlock} →
 * all ack. The tables are fixed when the round starts; joins, leaves and changed reports during a round are folded
 * into one follow-up round. Hosts without actor types take part in rounds but never start one: they get the
 * current table in a one-shot lock/update/unlock of their own. A phase not acked by every stream within the
 * disseminate timeout closes the laggards with {@code DEADLINE_EXCEEDED}; if they hosted actors the round starts
 * over without them, otherwise it goes on.
 *
 * <p>With a coalesce window (Dapr 1.18's {@code --disseminate-coalesce-window}), the end of every round opens the
 * window: changes during the round or the window wait for it to close and then go out in one round, so a rolling
 * restart of many sidecars costs a few rounds instead of one per sidecar. A change while no round runs and no window
 * is open still starts a round at once, so a single join stays as quick as without the window.
 */
public final class NamespaceLoop {

  private static final Logger LOG = LoggerFactory.getLogger(NamespaceLoop.class);

  private final String namespace;
  private final LoopSettings settings;
  private final SerialExecutor executor;
  private final PlacementMetrics.NamespaceGauges gauges;
  private final Consumer<NamespaceLoop> onEmpty;
  /** Streams routed here and not yet gone; raised by {@link Namespaces} when it routes a join, lowered here. */
  final AtomicInteger liveStreams = new AtomicInteger();

  // Everything below is touched by the loop only.
  private final Map<SidecarStream, Member> members = new LinkedHashMap<>();
  private final List<Member> waitingForTable = new ArrayList<>();
  private long version; // unsigned; 0 until the first round
  private Phase phase = Phase.IDLE;
  private int awaiting;
  private boolean dirty;
  private SerializedOrder lockOrder;
  private SerializedOrder updateOrder;
  private SerializedOrder unlockOrder;
  private List<Host> tableHosts = List.of();
  private long roundStartedAt;
  private ScheduledFuture<?> deadline;
  /** Set while the coalesce window after a round is open: membership changes wait for it to close. */
  private ScheduledFuture<?> coalescing;
  private long oneShotSequence;
  private boolean stopped;

  NamespaceLoop(String namespace, LoopSettings settings, Consumer<NamespaceLoop> onEmpty) {
    this.namespace = namespace;
    this.settings = settings;
    this.executor = new SerialExecutor(settings.pool());
    this.gauges = settings.metrics().namespace(namespace, this);
    this.onEmpty = onEmpty;
    prepareOrders(Tables.build(List.of(), 0, settings.replicationFactor(), 0, false));
  }

  public String namespace() {
    return namespace;
  }

  public void post(NamespaceEvent event) {
    executor.execute(() -> handle(event));
  }

  void handle(NamespaceEvent event) {
    if (stopped) {
      handleStopped(event);
      return;
    }
    if (event instanceof Joined e) {
      joined(e.stream(), e.host());
    } else if (event instanceof Reported e) {
      reported(e.stream(), e.host());
    } else if (event instanceof Left e) {
      left(e.stream(), e.reason());
    } else if (event instanceof PhaseDeadline e) {
      phaseDeadline(e.version(), e.phase());
    } else if (event instanceof CoalesceWindowClosed) {
      coalesceWindowClosed();
    } else if (event instanceof OneShotDeadline e) {
      oneShotDeadline(e.stream(), e.sequence());
    } else if (event instanceof StateQuery e) {
      e.result().complete(Tables.state(tableHosts, version));
    } else if (event instanceof Shutdown e) {
      shutdown(e);
    }
    if (!stopped && members.isEmpty()) {
      onEmpty.accept(this);
    }
  }

  private void handleStopped(NamespaceEvent event) {
    if (event instanceof Joined e) {
      // cannot happen through Namespaces (it routes joins to live loops only); never strand a stream anyway
      e.stream().close(Status.UNAVAILABLE.withDescription("namespace loop stopped; reconnect"));
    } else if (event instanceof StateQuery e) {
      e.result().complete(Tables.state(List.of(), version));
    } else if (event instanceof Shutdown e) {
      e.done().complete(null);
    }
  }

  // --- events

  private void joined(SidecarStream stream, Host first) {
    Member m = new Member(stream, Tables.normalize(first));
    members.put(stream, m);
    LOG.debug("{} joined Namespace({}) (actor types {})", m, namespace, m.host.getEntitiesList());
    if (m.hasActors()) {
      membershipChanged(m + " joined");
    } else if (phase == Phase.IDLE) {
      startOneShot(m);
    } else {
      waitingForTable.add(m);
    }
    updateGauges();
    stream.readNext();
  }

  private void reported(SidecarStream stream, Host host) {
    Member m = members.get(stream);
    if (m == null) {
      return; // closed meanwhile
    }
    if (host.hasVersion() && Long.compareUnsigned(host.getVersion(), version) < 0) {
      LOG.debug("{}: ignoring {} of stale version {} (current {})", m, host.getOperation(),
          Long.toUnsignedString(host.getVersion()), Long.toUnsignedString(version));
    } else {
      Phase acked = Phase.acknowledgedBy(host.getOperation());
      if (acked != null) {
        ack(m, acked, host);
      } else {
        Phase owed = m.owes(phase);
        if (host.getOperation() == HostOperation.UNKNOWN && owed != null) {
          ack(m, owed, host); // clients older than the versioned protocol ack with every report
        }
        report(m, host);
      }
    }
    if (members.containsKey(stream)) {
      stream.readNext();
    }
  }

  private void left(SidecarStream stream, String reason) {
    Member m = members.remove(stream);
    if (m == null) {
      return; // placement closed it itself and already let it go
    }
    LOG.debug("{} left: {}", m, reason);
    release(m);
    boolean owedAck = m.inRound && phase != Phase.IDLE && m.acked != phase;
    if (owedAck) {
      awaiting--;
    }
    if (m.hasActors()) {
      membershipChanged(m + " left");
    }
    if (phase != Phase.IDLE && awaiting == 0) {
      advance();
    }
    updateGauges();
  }

  private void phaseDeadline(long v, Phase p) {
    if (v != version || p != phase) {
      return; // a deadline of a phase that completed meanwhile
    }
    List<Member> laggards = new ArrayList<>();
    for (Member m : members.values()) {
      if (m.inRound && m.acked != phase) {
        laggards.add(m);
      }
    }
    LOG.warn("Namespace({}): {} of {} streams did not ack {} of version {} within {} ms; closing them: {}", namespace,
        laggards.size(), members.size(), phase.lowerCase(), Long.toUnsignedString(version),
        settings.disseminateTimeout().toMillis(), laggards.size() <= 10 ? laggards : laggards.subList(0, 10) + "…");
    boolean tableChanges = false;
    Status status = Status.DEADLINE_EXCEEDED.withDescription("dissemination timeout after "
        + settings.disseminateTimeout().toMillis() + " ms: no " + phase.lowerCase() + " ack for version " + Long.toUnsignedString(version));
    for (Member m : laggards) {
      tableChanges |= m.hasActors();
      drop(m, status, "deadline");
    }
    awaiting = 0;
    if (tableChanges) {
      settings.metrics().roundAborted();
      startRound("laggards closed");
    } else {
      advance();
    }
    updateGauges();
  }

  private void coalesceWindowClosed() {
    if (coalescing == null) {
      return;
    }
    coalescing = null;
    if (dirty) {
      startRound("changes during the previous round and its coalesce window");
    }
  }

  private void oneShotDeadline(SidecarStream stream, long sequence) {
    Member m = members.get(stream);
    if (m == null || m.oneShot == null || m.oneShotSequence != sequence) {
      return;
    }
    LOG.warn("{}: no {} ack of the table of version {} within {} ms; closing it", m, m.oneShot.lowerCase(),
        Long.toUnsignedString(version), settings.disseminateTimeout().toMillis());
    drop(m, Status.DEADLINE_EXCEEDED.withDescription("dissemination timeout after " + settings.disseminateTimeout().toMillis()
        + " ms: no " + m.oneShot.lowerCase() + " ack for version " + Long.toUnsignedString(version)), "deadline");
    updateGauges();
  }

  private void shutdown(Shutdown e) {
    cancelDeadline();
    for (Member m : members.values()) {
      m.cancelOneShot();
      m.stream.close(e.status());
      settings.metrics().streamEnded(e.reason());
    }
    LOG.debug("Namespace({}): closed {} streams ({})", namespace, members.size(), e.reason());
    members.clear();
    waitingForTable.clear();
    retire();
    e.done().complete(null);
  }

  /** Stops the loop for good: {@link Namespaces} dropped it (empty) or closed it (shutdown). */
  void retire() {
    stopped = true;
    cancelDeadline();
    if (coalescing != null) {
      coalescing.cancel(false);
      coalescing = null;
    }
    gauges.set(this, 0, 0, 0);
  }

  // --- acks and reports

  private void ack(Member m, Phase acked, Host host) {
    if (host.hasVersion() && host.getVersion() != version) {
      LOG.debug("{}: ignoring {} ack for version {} (current {})", m, acked.lowerCase(),
          Long.toUnsignedString(host.getVersion()), Long.toUnsignedString(version));
      return;
    }
    if (m.inRound) {
      if (acked != phase || m.acked == acked) {
        return; // out of order or a repeat: the ack that counts is the first of the current phase
      }
      m.acked = acked;
      if (--awaiting == 0) {
        advance();
      }
    } else if (m.oneShot == acked) {
      continueOneShot(m);
    }
  }

  private void report(Member m, Host host) {
    Host next = Tables.normalize(host);
    if (Tables.sameMembership(m.host, next)) {
      m.host = next; // e.g. a new port or pod name: carried by the next table, not worth a round
      return;
    }
    boolean hadActors = m.hasActors();
    m.host = next;
    if (hadActors || m.hasActors()) {
      membershipChanged(m + " reported actor types " + next.getEntitiesList());
      updateGauges();
    }
  }

  private void membershipChanged(String why) {
    if (phase == Phase.IDLE && coalescing == null) {
      startRound(why);
    } else {
      dirty = true;
      LOG.debug("Namespace({}): {} {} of version {}; folded into the next round", namespace, why,
          phase == Phase.IDLE ? "in the coalesce window after the round" : "during the round", Long.toUnsignedString(version));
    }
  }

  // --- rounds

  private void startRound(String why) {
    cancelDeadline();
    version++;
    dirty = false;
    waitingForTable.clear(); // they take part in this round
    List<Host> hosts = new ArrayList<>();
    int apiLevel = Integer.MAX_VALUE;
    for (Member m : members.values()) {
      if (m.hasActors()) {
        hosts.add(m.host);
      }
      apiLevel = Math.min(apiLevel, m.host.getApiLevel());
    }
    apiLevel = members.isEmpty() ? 0 : apiLevel;
    tableHosts = List.copyOf(hosts);
    PlacementTables tables = Tables.build(hosts, version, settings.replicationFactor(), apiLevel,
        !members.isEmpty() && apiLevel < Tables.NO_VIRTUAL_NODES_API_LEVEL);
    prepareOrders(tables);
    if (members.isEmpty()) {
      phase = Phase.IDLE;
      return;
    }
    phase = Phase.LOCK;
    roundStartedAt = settings.nanoTime().getAsLong();
    LOG.debug("Namespace({}): round of version {} started ({}): {} streams, {} actor hosts, {} actor types, table {} bytes",
        namespace, Long.toUnsignedString(version), why, members.size(), hosts.size(), tables.getEntriesCount(),
        updateOrder.bytes().length);
    awaiting = members.size();
    for (Member m : members.values()) {
      m.cancelOneShot();
      m.inRound = true;
      m.acked = null;
      m.stream.send(lockOrder);
    }
    armDeadline();
  }

  private void prepareOrders(PlacementTables tables) {
    lockOrder = SerializedOrder.lock(version);
    updateOrder = SerializedOrder.update(version, tables);
    unlockOrder = SerializedOrder.unlock(version);
  }

  /** Moves past every phase all streams have acked (a phase whose streams all left completes at once). */
  private void advance() {
    while (phase != Phase.IDLE && awaiting == 0) {
      cancelDeadline();
      if (LOG.isDebugEnabled()) {
        LOG.debug("Namespace({}): every stream acked {} of version {} at {} ms into the round", namespace, phase.lowerCase(),
            Long.toUnsignedString(version), TimeUnit.NANOSECONDS.toMillis(settings.nanoTime().getAsLong() - roundStartedAt));
      }
      if (phase == Phase.UNLOCK) {
        finishRound();
        return;
      }
      phase = phase == Phase.LOCK ? Phase.UPDATE : Phase.UNLOCK;
      SerializedOrder order = phase == Phase.UPDATE ? updateOrder : unlockOrder;
      for (Member m : members.values()) {
        if (m.inRound) {
          awaiting++;
          m.stream.send(order);
        }
      }
      if (awaiting > 0) {
        armDeadline();
      }
    }
  }

  private void finishRound() {
    long took = settings.nanoTime().getAsLong() - roundStartedAt;
    phase = Phase.IDLE;
    settings.metrics().roundCompleted(took);
    gauges.set(this, members.size(), tableHosts.size(), Tables.actorTypes(tableHosts));
    for (Member m : members.values()) {
      m.inRound = false;
      m.acked = null;
    }
    LOG.debug("Namespace({}): version {} disseminated to {} streams in {} ms", namespace, Long.toUnsignedString(version),
        members.size(), TimeUnit.NANOSECONDS.toMillis(took));
    Duration window = settings.coalesceWindow();
    if (!window.isZero()) {
      // opened after every round, also when nothing waits: a change right behind the round's last ack is the first of
      // a burst more often than not, and its round would delay the rest of the burst by a whole round
      coalescing = settings.timer().schedule(() -> post(new CoalesceWindowClosed()), window.toNanos(), TimeUnit.NANOSECONDS);
    } else if (dirty) {
      startRound("changes during the previous round");
      return;
    }
    for (Member m : waitingForTable) {
      if (members.get(m.stream) == m) {
        startOneShot(m);
      }
    }
    waitingForTable.clear();
  }

  private void armDeadline() {
    long v = version;
    Phase p = phase;
    deadline = settings.timer().schedule(() -> post(new PhaseDeadline(v, p)),
        settings.disseminateTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  // --- one-shot table for hosts without actor types

  private void startOneShot(Member m) {
    m.cancelOneShot();
    m.oneShot = Phase.LOCK;
    m.oneShotSequence = ++oneShotSequence;
    m.stream.send(lockOrder);
    armOneShot(m);
  }

  private void continueOneShot(Member m) {
    Phase done = m.oneShot;
    m.cancelOneShot();
    if (done == Phase.LOCK) {
      m.oneShot = Phase.UPDATE;
      m.stream.send(updateOrder);
      armOneShot(m);
    } else if (done == Phase.UPDATE) {
      m.oneShot = Phase.UNLOCK;
      m.stream.send(unlockOrder);
      armOneShot(m);
    }
  }

  private void armOneShot(Member m) {
    SidecarStream s = m.stream;
    long seq = m.oneShotSequence;
    m.oneShotDeadline = settings.timer().schedule(() -> post(new OneShotDeadline(s, seq)),
        settings.disseminateTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  // --- helpers

  /** Closes a stream placement gives up on and forgets it; the caller decides what its leaving means for the round. */
  private void drop(Member m, Status status, String reason) {
    members.remove(m.stream);
    release(m);
    m.stream.close(status);
    settings.metrics().streamEnded(reason);
  }

  private void release(Member m) {
    m.cancelOneShot();
    waitingForTable.remove(m);
    liveStreams.decrementAndGet();
  }

  private void updateGauges() {
    int actorHosts = 0;
    for (Member m : members.values()) {
      if (m.hasActors()) {
        actorHosts++;
      }
    }
    gauges.set(this, members.size(), actorHosts, Tables.actorTypes(tableHosts));
  }

  @Override
  public String toString() {
    return "Namespace(" + namespace + ")";
  }
}
