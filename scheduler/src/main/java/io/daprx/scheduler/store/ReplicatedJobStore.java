package io.daprx.scheduler.store;

import io.daprx.common.runtime.DaemonThreads;
import io.daprx.scheduler.job.DueJob;
import io.daprx.scheduler.job.JobChange;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.job.JobSelector;
import io.daprx.scheduler.job.JobStore;
import io.daprx.scheduler.job.StoredJob;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job store replicated over the scheduler's replicas with Apache Ratis: every replica accepts every write (its
 * Ratis client sends it to the leader), applies the log in order to its own on-disk table, and reads linearizably
 * (a read index from the leader, then the local table).
 *
 * <p>It also keeps the replicas' membership in the log: each replica announces its sidecar address once it serves,
 * and the leader records which replicas are live — itself and the followers that answered its heartbeats within
 * {@link ReplicaOptions#LIVENESS} — measured on the leader's own monotonic clock, so replicas' clocks need not agree.
 * Every replica hears the same membership in the same log order, which is what splits the triggering.
 */
public final class ReplicatedJobStore implements JobStore, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedJobStore.class);
  private static final long LIVENESS_CHECK_MS = 250;
  private static final long READ_TIMEOUT_MS = 10_000;

  private final ReplicaOptions options;
  private final String resource;
  private final RaftGroup group;
  private final RaftPeerId self;
  private final JobStateMachine machine;
  private final List<Consumer<JobChange>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Membership>> watchers = new CopyOnWriteArrayList<>();
  private final List<Runnable> reloads = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService liveness;
  private final ExecutorService writeLoop;
  private final CommandBatcher writes;
  private final AtomicBoolean closed = new AtomicBoolean();
  private RaftServer server;
  private RaftClient client;
  private volatile boolean proposing;
  private volatile String announced;

  private ReplicatedJobStore(ReplicaOptions options) {
    this.options = options;
    this.resource = "Replica(" + options.selfId() + ")";
    this.group = group(options);
    this.self = RaftPeerId.valueOf(options.selfId());
    this.machine = new JobStateMachine(options.tableDir(), resource, c -> listeners.forEach(l -> l.accept(c)),
        m -> watchers.forEach(w -> w.accept(m)), () -> reloads.forEach(Runnable::run));
    this.liveness = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("scheduler-liveness"));
    this.writeLoop = Executors.newSingleThreadExecutor(DaemonThreads.named("scheduler-writes"));
    this.writes = new CommandBatcher(bytes -> send(message(bytes)).thenApply(r -> r.getMessage().getContent().toByteArray()),
        () -> machine.allRead(options.peers().keySet(), JobCodec.FORMAT_BATCH), writeLoop, StoreSettings.WRITES_IN_FLIGHT,
        StoreSettings.GROUP_COMMANDS, Math.min(StoreSettings.GROUP_BYTES, options.maxEntryBytes()));
  }

  /**
   * Starts this replica's Raft server on its peer port and returns once its table is open; the election and the
   * catching up run in the background. Peers that are down are retried by Ratis until they appear.
   *
   * @throws UncheckedIOException when the data directory or the peer port cannot be used
   */
  public static ReplicatedJobStore start(ReplicaOptions options) {
    RatisExit.disable();
    ReplicatedJobStore store = new ReplicatedJobStore(options);
    try {
      store.startServer();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  private void startServer() {
    InetSocketAddress selfAddress = options.peers().get(options.selfId());
    try {
      prepare(options.raftDir(), group.getGroupId());
      server = RaftServer.newBuilder()
          .setServerId(self)
          .setGroup(group)
          .setProperties(StoreSettings.server(options))
          .setParameters(StoreSettings.parameters(options))
          .setStateMachine(machine)
          .setOption(RaftStorage.StartupOption.RECOVER)
          .build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(resource + ": cannot start the job store's Raft server on " + address(selfAddress) + ": "
          + e.getMessage(), e);
    }
    client = RaftClient.newBuilder()
        .setRaftGroup(group)
        .setProperties(StoreSettings.client())
        .setParameters(StoreSettings.parameters(options))
        .setRetryPolicy(StoreSettings.retryPolicy())
        .build();
    liveness.scheduleWithFixedDelay(this::checkLiveness, LIVENESS_CHECK_MS, LIVENESS_CHECK_MS, TimeUnit.MILLISECONDS);
    LOG.info("{}: job store on Raft {} ({}), group {} of {} replica(s), data in {}", resource, address(selfAddress),
        options.mtls() ? "mTLS" : "plaintext", group.getGroupId().getUuid(), group.getPeers().size(),
        options.dataDir().resolve(options.selfId()));
    if (!options.mtls() && options.peers().size() > 1) {
      LOG.warn("{}: Raft traffic between scheduler replicas is not encrypted or authenticated (TLS is off)", resource);
    }
  }

  // --- JobStore

  @Override
  public CompletableFuture<Outcome> apply(JobCommand command) {
    return writes.submit(command);
  }

  @Override
  public Optional<StoredJob> get(JobKey key) {
    barrier();
    return Optional.ofNullable(machine.table().get(key));
  }

  @Override
  public List<StoredJob> list(JobSelector selector) {
    barrier();
    return filter(selector);
  }

  private List<StoredJob> filter(JobSelector selector) {
    String prefix = selector.keyPrefix().startsWith("\u0001") ? "" : selector.keyPrefix();
    List<StoredJob> out = new ArrayList<>();
    for (StoredJob j : machine.table().list(prefix)) {
      if (selector.matches(j.key())) {
        out.add(j);
      }
    }
    return out;
  }

  @Override
  public Optional<StoredJob> peek(JobKey key) {
    JobTable t = machine.table();
    return t == null ? Optional.empty() : Optional.ofNullable(t.get(key));
  }

  @Override
  public void scan(IntPredicate partitions, Consumer<DueJob> out) {
    JobTable t = machine.table();
    if (t != null) {
      t.scanDue(partitions, out);
    }
  }

  @Override
  public void subscribe(Consumer<JobChange> listener) {
    listeners.add(listener);
  }

  // --- membership

  /** Hears the membership now and after every change, in log order (on Ratis' apply thread: keep it short). */
  public void watchMembership(Consumer<Membership> watcher) {
    watchers.add(watcher);
    watcher.accept(machine.membership());
  }

  /** Hears that the table was replaced by a snapshot from the leader (this replica had fallen far behind). */
  public void onReload(Runnable r) {
    reloads.add(r);
  }

  public Membership membership() {
    return machine.membership();
  }

  public String selfId() {
    return options.selfId();
  }

  /** Records in the log where sidecars reach this replica; retried in the background until it is recorded. */
  public void announce(String address) {
    announced = address;
    announceNow();
  }

  private void announceNow() {
    String address = announced;
    if (closed.get() || address == null) {
      return;
    }
    send(message(JobCodec.encode(new JobCodec.Announce(options.selfId(), address, JobCodec.FORMAT_BATCH)))).whenComplete((r, e) -> {
      if (e != null && !closed.get()) {
        LOG.debug("{}: announcing {} failed ({}); trying again", resource, address, e.toString());
        liveness.schedule(this::announceNow, 500, TimeUnit.MILLISECONDS);
      }
    });
  }

  /** On the leader: records the live replicas when they differ from what the log says. */
  private void checkLiveness() {
    try {
      DivisionInfo info = server.getDivision(group.getGroupId()).getInfo();
      if (!info.isLeader() || !info.isLeaderReady() || proposing) {
        return;
      }
      Membership now = machine.membership();
      List<String> live = live(info.getRoleInfoProto(), now);
      if (live.equals(now.live())) {
        return;
      }
      LOG.info("{}: live replicas {} → {}", resource, now.live(), live);
      proposing = true;
      send(message(JobCodec.encode(new JobCodec.Members(live)))).whenComplete((r, e) -> proposing = false);
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}: liveness check skipped: {}", resource, e.toString());
    }
  }

  /** This replica and the followers heard within the liveness window, among those that announced an address. */
  private List<String> live(RoleInfoProto role, Membership m) {
    TreeSet<String> live = new TreeSet<>();
    live.add(options.selfId());
    if (role.hasLeaderInfo()) {
      for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
        if (f.getLastRpcElapsedTimeMs() < ReplicaOptions.LIVENESS.toMillis()) {
          live.add(f.getId().getId().toStringUtf8());
        }
      }
    }
    live.removeIf(id -> !m.addresses().containsKey(id));
    return List.copyOf(live);
  }

  // --- Ratis calls

  private CompletableFuture<RaftClientReply> send(Message message) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(unavailable("the scheduler replica is shutting down", null));
    }
    return client.async().send(message).handle((reply, e) -> {
      if (e != null) {
        throw unavailable("the job store could not commit the change: " + cause(e).getMessage(), e);
      }
      if (!reply.isSuccess()) {
        throw unavailable("the job store could not commit the change: " + reply.getException(), reply.getException());
      }
      return reply;
    });
  }

  /** Waits until this replica has applied every entry committed before now: a linearizable read follows. */
  private void barrier() {
    if (group.getPeers().size() == 1) {
      // one replica: a write is answered once applied here, so the table already has every acknowledged write
      // (and Ratis 3.2's read index never completes for a group without followers)
      return;
    }
    try {
      // the leader's applied index as of a linearizable read on the leader, then wait until this replica has it
      // (Ratis' own follower read index stalled for seconds under load here)
      long start = System.nanoTime();
      RaftClientReply reply = client.async().sendReadOnly(Message.EMPTY).get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (!reply.isSuccess()) {
        throw unavailable("the job store cannot serve a consistent read: " + reply.getException(), reply.getException());
      }
      long left = READ_TIMEOUT_MS - (System.nanoTime() - start) / 1_000_000;
      if (!machine.awaitApplied(JobStateMachine.appliedIn(reply.getMessage()), Math.max(1, left))) {
        throw new TimeoutException();
      }
    } catch (ExecutionException e) {
      throw unavailable("the job store cannot serve a consistent read: " + cause(e).getMessage(), e);
    } catch (TimeoutException e) {
      throw unavailable("the job store cannot serve a consistent read within " + READ_TIMEOUT_MS + " ms (no quorum?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted", e);
    }
  }

  private static Throwable cause(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static RuntimeException unavailable(String message, Throwable cause) {
    return Status.UNAVAILABLE.withDescription(message).withCause(cause).asRuntimeException();
  }

  /** Whether Ratis considers this replica the leader: for tests and diagnostics. */
  public boolean isLeader() {
    try {
      return server.getDivision(group.getGroupId()).getInfo().isLeader();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    liveness.shutdownNow();
    if (client != null) {
      // the writes on their way fail as the client closes, and their callers hear it on the write loop

      try {
        client.close();
      } catch (IOException | RuntimeException e) {
        LOG.debug("{}: Raft client did not close cleanly: {}", resource, e.toString());
      }
    }
    writeLoop.shutdown();
    try {
      writeLoop.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (server != null) {
      try {
        server.close();
      } catch (IOException | RuntimeException e) {
        LOG.warn("{}: Raft server did not close cleanly: {}", resource, e.toString());
      }
    }
    LOG.info("{}: job store closed", resource);
  }

  // --- the group

  /**
   * The group id is a hash of the sorted member list (as placement's), so every replica given the same members
   * agrees on it, and a changed member list starts a fresh group instead of reusing the one Ratis logged.
   */
  static RaftGroup group(ReplicaOptions options) {
    String members = options.peers().entrySet().stream()
        .map(e -> e.getKey() + "=" + address(e.getValue()))
        .sorted()
        .collect(Collectors.joining(","));
    RaftGroupId id = RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("daprx-scheduler:" + members).getBytes(StandardCharsets.UTF_8)));
    List<RaftPeer> peers = options.peers().entrySet().stream()
        .map(e -> RaftPeer.newBuilder().setId(RaftPeerId.valueOf(e.getKey())).setAddress(address(e.getValue())).build())
        .toList();
    return RaftGroup.valueOf(id, peers);
  }

  static String address(InetSocketAddress a) {
    String host = a.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** Makes the Raft directory and removes the groups of earlier member lists, which Ratis would otherwise run too. */
  private void prepare(Path raftDir, RaftGroupId keep) throws IOException {
    Files.createDirectories(raftDir);
    try (Stream<Path> entries = Files.list(raftDir)) {
      for (Path d : entries.filter(Files::isDirectory).toList()) {
        String name = d.getFileName().toString();
        if (isUuid(name) && !name.equals(keep.getUuid().toString())) {
          LOG.warn("{}: removing the Raft log of an earlier member list in {}", resource, d);
          JobStateMachine.deleteTree(d);
        }
      }
    }
  }

  private static boolean isUuid(String s) {
    try {
      UUID.fromString(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Message message(byte[] bytes) {
    return Message.valueOf(org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(bytes));
  }
}
