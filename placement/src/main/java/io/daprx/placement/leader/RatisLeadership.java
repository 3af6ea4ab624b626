package io.daprx.placement.leader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election among the placement replicas with Apache Ratis (Raft over gRPC, optionally mTLS).
 *
 * <p>This replica {@linkplain #isLeader() leads} only while Ratis says it is leader, it has committed an entry of
 * its own term (so it won the election, not just a vote), and a majority answered its heartbeats within the
 * {@linkplain RatisOptions.ElectionTimeouts#lease() lease} — so a cut-off leader stops before another can start.
 *
 * <p>Threads: Ratis' callbacks only hand work to one thread per replica ({@code raft-leadership-<id>}), which owns
 * the leader flag and calls the listeners in order. Becoming leader arrives by notification; while leading, the
 * lease is re-checked every {@link #LEASE_CHECK_MS} ms because a lost majority has no notification.
 */
public final class RatisLeadership implements Leadership {

  private static final Logger LOG = LoggerFactory.getLogger(RatisLeadership.class);
  /** How often a leader re-checks its lease: a tenth of the default lease, cheap (reads in-memory state). */
  static final long LEASE_CHECK_MS = 100;

  private final RatisOptions options;
  private final String resource;
  private final RaftServer server;
  private final RaftGroup group;
  private final ScheduledExecutorService loop;
  private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  // written by the loop thread only
  private volatile boolean leader;
  private ScheduledFuture<?> leaseCheck;
  private boolean warnedNoLeader;
  private volatile Thread loopThread;

  private RatisLeadership(RatisOptions options, RaftGroup group, RaftServer.Builder builder) throws IOException {
    this.options = options;
    this.resource = "Replica(" + options.selfId() + ")";
    this.group = group;
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "raft-leadership-" + options.selfId());
      t.setDaemon(true);
      loopThread = t;
      return t;
    });
    try {
      this.server = builder.setStateMachine(new ElectionStateMachine(new Events())).build();
    } catch (IOException | RuntimeException e) {
      loop.shutdownNow();
      throw e;
    }
  }

  /**
   * Starts this replica's Raft server on its peer port and returns at once; the election runs in the background.
   * Peers that are down or not resolvable yet are retried by Ratis until they appear.
   *
   * @throws UncheckedIOException when the storage directory or the peer port cannot be used
   * @throws IllegalStateException when Ratis refuses the configuration (e.g. the TLS material)
   */
  public static RatisLeadership start(RatisOptions options) {
    RatisExit.disable();
    RaftGroup group = PlacementGroup.of(options.peers());
    Path replicaDir = options.storageDir().resolve(options.selfId());
    ReplicaStorage.prepare(replicaDir, group.getGroupId(), options.selfId());
    RaftServer.Builder builder = RaftServer.newBuilder()
        .setServerId(RaftPeerId.valueOf(options.selfId()))
        .setGroup(group)
        .setProperties(RatisSettings.properties(options, replicaDir))
        .setParameters(RatisSettings.parameters(options))
        .setOption(RaftStorage.StartupOption.RECOVER);
    RatisLeadership leadership;
    try {
      leadership = new RatisLeadership(options, group, builder);
    } catch (IOException e) {
      throw new UncheckedIOException("Replica(" + options.selfId() + "): cannot create the Raft server in " + replicaDir, e);
    }
    leadership.startServer();
    return leadership;
  }

  private void startServer() {
    InetSocketAddress self = options.peers().get(options.selfId());
    try {
      server.start();
    } catch (IOException e) {
      closeQuietly();
      throw new UncheckedIOException(resource + ": cannot start Raft on " + PlacementGroup.address(self) + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly();
      throw new IllegalStateException(resource + ": cannot start Raft on " + PlacementGroup.address(self) + ": " + e.getMessage(), e);
    }
    LOG.info("{}: Raft started on {} ({}), group {} of {} replica(s), election timeout {}–{} ms",
        resource, PlacementGroup.address(self), options.mtls() ? "mTLS" : "plaintext", group.getGroupId().getUuid(),
        group.getPeers().size(), options.timeouts().min().toMillis(), options.timeouts().max().toMillis());
    if (!options.mtls() && options.peers().size() > 1) {
      LOG.warn("{}: Raft traffic between replicas is not encrypted or authenticated (no TLS material given)", resource);
    }
  }

  @Override
  public boolean isLeader() {
    return leader;
  }

  /** Also called once, first, with the current value; then with every change, on this replica's leadership thread. */
  @Override
  public void onChange(Consumer<Boolean> listener) {
    try {
      loop.execute(() -> {
        listeners.add(listener);
        call(listener, leader);
      });
    } catch (RejectedExecutionException closedAlready) {
      call(listener, false);
    }
  }

  /**
   * The leader as Ratis knows it, if any: for diagnostics. It may name this replica a moment before
   * {@link #isLeader()} turns true (the election is won, its first entry not yet committed).
   */
  public Optional<String> leaderId() {
    try {
      return Optional.ofNullable(division().getLeaderId()).map(RaftPeerId::toString);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public String selfId() {
    return options.selfId();
  }

  /** Whether Ratis itself considers this replica leader (lease and readiness aside), for tests. */
  boolean raftLeader() {
    try {
      return division().isLeader();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The current Raft term, for diagnostics and tests. */
  long term() throws IOException {
    return division().getCurrentTerm();
  }

  /**
   * Stops leading (listeners hear {@code false} first), hands leadership to the most responsive follower so the
   * others need not wait out an election timeout, and stops the Raft server. The peer port is free about 0.1 s in;
   * the call returns within about 1 s (Ratis' log writer wakes once a second) plus at most the hand-over timeout.
   */
  @Override
  public void close() {
    close(true);
  }

  /** Stops the way a crashed replica would, without a hand-over: for tests of failover after a crash. */
  void closeWithoutHandOver() {
    close(false);
  }

  private void close(boolean handOver) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // stop serving before leadership moves, so two replicas never serve at once
    Runnable resign = () -> {
      cancelLeaseCheck();
      setLeader(false, "closing");
    };
    try {
      Future<?> done = loop.submit(resign);
      // a listener may close from the loop thread itself: waiting there would never end
      if (Thread.currentThread() != loopThread) {
        done.get(5, TimeUnit.SECONDS);
      }
    } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
      LOG.warn("{}: could not tell listeners about leaving: {}", resource, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.shutdown();
    if (handOver) {
      try {
        HandOver.toFreshestFollower(server, group.getGroupId(), options.timeouts(), resource);
      } catch (IOException | RuntimeException e) {
        LOG.info("{}: could not hand leadership over ({}); the others elect a leader after the election timeout",
            resource, e.toString());
      }
    }
    closeQuietly();
    LOG.info("{}: Raft stopped", resource);
  }

  private void closeQuietly() {
    closed.set(true);
    loop.shutdownNow();
    try {
      server.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: Raft server did not close cleanly: {}", resource, e.toString());
    }
  }

  private DivisionInfo division() throws IOException {
    return server.getDivision(group.getGroupId()).getInfo();
  }

  /** Runs on the loop thread: recomputes the leader flag from Ratis' state. */
  private void evaluate(String why) {
    if (closed.get()) {
      return;
    }
    boolean ratisLeader;
    boolean now;
    try {
      DivisionInfo info = division();
      ratisLeader = info.isLeader();
      now = ratisLeader && info.isLeaderReady() && holdsLease(info.getRoleInfoProto());
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}: Raft state not readable ({}), not leading", resource, e.toString());
      ratisLeader = false;
      now = false;
    }
    if (ratisLeader) {
      scheduleLeaseCheck();
    } else {
      cancelLeaseCheck();
    }
    if (!now && leader && ratisLeader) {
      LOG.warn("{}: lost the heartbeat majority; stopping to lead before another replica can be elected", resource);
      why = "lease expired";
    }
    setLeader(now, why);
  }

  private boolean holdsLease(RoleInfoProto role) {
    if (!role.hasLeaderInfo()) {
      return false;
    }
    List<Long> replyAges = role.getLeaderInfo().getFollowerInfoList().stream()
        .map(ServerRpcProto::getLastRpcElapsedTimeMs)
        .toList();
    return LeaderLease.holds(replyAges, group.getPeers().size(), options.timeouts().lease());
  }

  private void scheduleLeaseCheck() {
    if (leaseCheck == null || leaseCheck.isDone()) {
      leaseCheck = loop.schedule(() -> {
        // this check is done once it runs: clear it so that evaluate() schedules the next one
        leaseCheck = null;
        evaluate("lease check");
      }, LEASE_CHECK_MS, TimeUnit.MILLISECONDS);
    }
  }

  private void cancelLeaseCheck() {
    if (leaseCheck != null) {
      leaseCheck.cancel(false);
      leaseCheck = null;
    }
  }

  private void setLeader(boolean now, String why) {
    if (now == leader) {
      return;
    }
    leader = now;
    if (now) {
      LOG.info("{}: now the leader ({})", resource, termText());
    } else {
      LOG.info("{}: no longer the leader ({})", resource, why);
    }
    listeners.forEach(l -> call(l, now));
  }

  private String termText() {
    try {
      return "term " + term();
    } catch (IOException | RuntimeException e) {
      return "term unknown";
    }
  }

  private void call(Consumer<Boolean> listener, boolean value) {
    try {
      listener.accept(value);
    } catch (RuntimeException e) {
      LOG.warn("{}: a leadership listener failed", resource, e);
    }
  }

  private void submit(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException closing) {
      // closed: nothing more to tell anyone
    }
  }

  /** Ratis' callbacks, moved onto the loop thread. */
  private final class Events implements ElectionStateMachine.Events {

    @Override
    public void leaderChanged(RaftPeerId newLeader) {
      submit(() -> {
        warnedNoLeader = false;
        if (!newLeader.toString().equals(options.selfId())) {
          LOG.info("{}: following {}", resource, newLeader);
        }
        evaluate("leader is " + newLeader);
      });
    }

    @Override
    public void leaderReady() {
      submit(() -> evaluate("won the election"));
    }

    @Override
    public void steppedDown() {
      submit(() -> evaluate("stepped down"));
    }

    @Override
    public void noLeaderForLong() {
      submit(() -> {
        if (!warnedNoLeader) {
          warnedNoLeader = true;
          LOG.warn("{}: no leader for {} s; a majority of {} must reach each other on their peer ports",
              resource, RatisSettings.NO_LEADER_WARNING.toSeconds(), options.peers());
        }
      });
    }

    @Override
    public void serverShutdown() {
      submit(() -> {
        if (!closed.get()) {
          LOG.error("{}: the Raft server stopped by itself; this replica will not lead until it is restarted", resource);
        }
        cancelLeaseCheck();
        setLeader(false, "Raft server stopped");
      });
    }
  }
}
