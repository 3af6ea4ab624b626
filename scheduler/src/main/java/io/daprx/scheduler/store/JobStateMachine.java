package io.daprx.scheduler.store;

import io.daprx.scheduler.job.JobChange;
import io.daprx.scheduler.job.JobStore.Outcome;
import io.daprx.scheduler.job.Transition;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.store.JobCodec.Announce;
import io.daprx.scheduler.store.JobCodec.Batch;
import io.daprx.scheduler.store.JobCodec.Entry;
import io.daprx.scheduler.store.JobCodec.JobEntry;
import io.daprx.scheduler.store.JobCodec.Members;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated job store's state machine: applies the log's entries, in order, to this replica's {@link JobTable}
 * through the same {@link Transition} as the in-memory store, with the log index as the revision of a stored job.
 *
 * <p>Entries are applied on Ratis' state-machine thread, one at a time; listeners hear the changes on that thread
 * after the entry is written (they only hand them to an event loop). A snapshot is a RocksDB checkpoint (hard links)
 * in Ratis' state-machine directory, so Ratis can purge its log and ship the files to a replica that fell behind.
 */
final class JobStateMachine extends BaseStateMachine {

  private static final Logger LOG = LoggerFactory.getLogger(JobStateMachine.class);
  private static final Pattern SNAPSHOT = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");

  private final Path tableDir;
  private final String resource;
  private final Consumer<JobChange> changes;
  private final Consumer<Membership> membership;
  private final Runnable reloaded;
  private final Storage storage = new Storage();
  private volatile JobTable table;
  private long tableIndex;
  private volatile Membership members = Membership.NONE;
  private volatile Map<String, Integer> reads = Map.of();
  private final Object appliedMonitor = new Object();

  /**
   * @param tableDir where this replica's table lives (outside Ratis' directories: installing a snapshot replaces
   *     the state-machine directory)
   * @param reloaded called after the table was replaced by a snapshot from the leader
   */
  JobStateMachine(Path tableDir, String resource, Consumer<JobChange> changes, Consumer<Membership> membership,
      Runnable reloaded) {
    this.tableDir = tableDir;
    this.resource = resource;
    this.changes = changes;
    this.membership = membership;
    this.reloaded = reloaded;
  }

  JobTable table() {
    return table;
  }

  Membership membership() {
    return members;
  }

  /** Whether every one of {@code replicas} announced that it reads batches: only then may a replica write one. */
  boolean allRead(Collection<String> replicas, int format) {
    Map<String, Integer> r = reads;
    return replicas.stream().allMatch(id -> r.getOrDefault(id, 1) >= format);
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    load(false);
  }

  @Override
  public void reinitialize() throws IOException {
    storage.refresh();
    load(true);
    reloaded.run();
  }

  /** Opens the table, from the latest snapshot when it is missing, behind it, or replaced by the leader's. */
  private void load(boolean fromSnapshot) throws IOException {
    if (table != null) {
      table.close();
      table = null;
    }
    FileListSnapshotInfo snapshot = storage.latest;
    boolean restore = fromSnapshot;
    if (!restore && snapshot != null) {
      if (!Files.isDirectory(tableDir)) {
        restore = true;
      } else {
        JobTable t = JobTable.open(tableDir);
        long at = t.applied()[1];
        t.close();
        restore = at < snapshot.getIndex();
      }
    }
    if (restore && snapshot != null) {
      LOG.info("{}: restoring the job store from snapshot {}", resource, snapshot.getTermIndex());
      deleteTree(tableDir);
      copyTree(storage.dir(snapshot.getTermIndex()), tableDir);
    } else if (restore) {
      deleteTree(tableDir);
    }
    table = JobTable.open(tableDir);
    String group = getGroupId().getUuid().toString();
    if (!group.equals(table.group())) {
      if (table.group() != null) {
        // --etcd-initial-cluster changed, so Ratis starts a new group with a new log: keep the jobs, follow that log
        LOG.warn("{}: the replicas' list changed (Raft group {} → {}); keeping the {} stored jobs and following the new log",
            resource, table.group(), group, table.keys("").size());
      }
      table.follow(group);
    }
    tableIndex = table.applied()[1];
    setLastAppliedTermIndex(snapshot == null ? null : snapshot.getTermIndex());
    members = new Membership(table.members(), table.addresses());
    reads = Map.copyOf(table.reads());
    membership.accept(members);
    LOG.info("{}: job store at log index {} (snapshot {})", resource, tableIndex,
        snapshot == null ? "none" : snapshot.getTermIndex());
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
    boolean batch = JobCodec.isBatch(data);
    if (index <= tableIndex) {
      // the table already has it (written before a crash, after the snapshot Ratis replays from)
      updateLastAppliedTermIndex(entry.getTerm(), index);
      return CompletableFuture.completedFuture(message(notApplied(batch)));
    }
    byte[] reply;
    List<JobChange> heard = new ArrayList<>();
    Membership before = members;
    Map<String, Integer> readsBefore = reads;
    try (JobTable.Batch writes = table.batch()) {
      try {
        Entry e = JobCodec.decodeEntry(data);
        if (e instanceof Batch b) {
          reply = JobCodec.encodeOutcomes(applyBatch(writes, b, index, heard));
        } else if (e instanceof JobEntry j) {
          reply = JobCodec.encode(Transition.apply(writes, j.command(), index, heard));
        } else if (e instanceof Announce a) {
          writes.address(a.id(), a.address(), a.reads());
          Map<String, String> addresses = new TreeMap<>(members.addresses());
          addresses.put(a.id(), a.address());
          members = new Membership(members.live(), addresses);
          Map<String, Integer> r = new TreeMap<>(reads);
          r.put(a.id(), a.reads());
          reads = Map.copyOf(r);
          reply = JobCodec.encode(new Outcome(true, 0, List.of()));
        } else if (e instanceof Members m) {
          writes.members(m.ids());
          members = new Membership(m.ids(), members.addresses());
          reply = JobCodec.encode(new Outcome(true, 0, List.of()));
        } else {
          throw new IllegalArgumentException("unknown entry " + e);
        }
      } catch (RuntimeException | org.rocksdb.RocksDBException bad) {
        // deterministic: every replica refuses the same entry the same way and moves on
        LOG.error("{}: log entry {} not applied: {}", resource, index, bad.toString());
        members = before;
        reads = readsBefore;
        try (JobTable.Batch empty = table.batch()) {
          empty.commit(entry.getTerm(), index);
        }
        tableIndex = index;
        updateLastAppliedTermIndex(entry.getTerm(), index);
        return CompletableFuture.completedFuture(message(notApplied(batch)));
      }
      writes.commit(entry.getTerm(), index);
    }
    tableIndex = index;
    updateLastAppliedTermIndex(entry.getTerm(), index);
    for (JobChange c : heard) {
      changes.accept(c);
    }
    if (!members.equals(before)) {
      membership.accept(members);
    }
    return CompletableFuture.completedFuture(message(reply));
  }

  /** The reply to an entry that changed nothing: a batch answers no outcomes, and its writers hear "not applied". */
  private static byte[] notApplied(boolean batch) {
    return batch ? JobCodec.encodeOutcomes(List.of()) : JobCodec.encode(Outcome.notApplied());
  }

  /**
   * A batch's commands, in order, into the entry's one write: each reads the table as it was before the entry, which
   * is what applying them one by one would read, because they touch distinct keys (a DeleteWhere comes alone). A
   * batch breaking that rule is refused whole (the writer never makes one), so every replica does the same.
   */
  static List<Outcome> applyBatch(JobTable.Batch writes, Batch b, long index, List<JobChange> heard) {
    Set<JobKey> keys = new HashSet<>();
    for (JobCommand c : b.commands()) {
      JobKey k = CommandBatcher.keyOf(c);
      if (k == null ? b.commands().size() > 1 : !keys.add(k)) {
        throw new IllegalArgumentException("a batch of " + b.commands().size() + " commands touches " + (k == null
            ? "every job a selector matches" : k.storeKey().replace('\0', '|') + " twice"));
      }
    }
    List<Outcome> outcomes = new ArrayList<>(b.commands().size());
    for (JobCommand c : b.commands()) {
      outcomes.add(Transition.apply(writes, c, index, heard));
    }
    return outcomes;
  }

  /**
   * The first half of a linearizable read, on the leader: Ratis calls it once the leader applied its read index, and
   * it answers with the leader's applied index, which the reading replica then waits for ({@link #awaitApplied}).
   */
  @Override
  public CompletableFuture<Message> query(Message request) {
    TermIndex applied = getLastAppliedTermIndex();
    long index = applied == null ? 0 : applied.getIndex();
    return CompletableFuture.completedFuture(message(java.nio.ByteBuffer.allocate(8).putLong(index).array()));
  }

  static long appliedIn(Message reply) {
    return java.nio.ByteBuffer.wrap(reply.getContent().toByteArray()).getLong();
  }

  /** Waits until this replica applied {@code index}; false when it did not within {@code timeoutMs}. */
  boolean awaitApplied(long index, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    synchronized (appliedMonitor) {
      while (appliedIndex() < index) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        appliedMonitor.wait(Math.max(1, left / 1_000_000));
      }
    }
    return true;
  }

  private long appliedIndex() {
    TermIndex t = getLastAppliedTermIndex();
    return t == null ? 0 : t.getIndex();
  }

  @Override
  protected boolean updateLastAppliedTermIndex(long term, long index) {
    boolean changed = super.updateLastAppliedTermIndex(term, index);
    synchronized (appliedMonitor) {
      appliedMonitor.notifyAll();
    }
    return changed;
  }

  @Override
  public long takeSnapshot() {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0) {
      return -1;
    }
    if (last.getIndex() > tableIndex) {
      table.markApplied(last.getTerm(), last.getIndex()); // Raft's own entries since the last job entry
      tableIndex = last.getIndex();
    }
    Path target = storage.dir(last);
    if (!Files.isDirectory(target)) {
      Path tmp = storage.smDir.resolve("snapshot.tmp");
      deleteTree(tmp);
      table.checkpoint(tmp);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot keep the snapshot in " + target, e);
      }
    }
    storage.refresh();
    storage.keepOnly(last);
    LOG.debug("{}: snapshot at {}", resource, last);
    return last.getIndex();
  }

  @Override
  public void close() throws IOException {
    JobTable t = table;
    table = null;
    if (t != null) {
      t.close();
    }
  }

  /** The snapshots in Ratis' state-machine directory: {@code snapshot.<term>_<index>/}, each a table checkpoint. */
  private static final class Storage implements StateMachineStorage {
    private Path smDir;
    private volatile FileListSnapshotInfo latest;

    @Override
    public void init(RaftStorage raftStorage) throws IOException {
      smDir = raftStorage.getStorageDir().getStateMachineDir().toPath();
      Files.createDirectories(smDir);
      refresh();
    }

    Path dir(TermIndex ti) {
      return smDir.resolve("snapshot." + ti.getTerm() + "_" + ti.getIndex());
    }

    void refresh() {
      latest = newest().map(ti -> {
        List<FileInfo> files;
        try (Stream<Path> walk = Files.walk(dir(ti))) {
          files = walk.filter(Files::isRegularFile).map(p -> new FileInfo(p.toAbsolutePath(), null)).toList();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return new FileListSnapshotInfo(files, ti.getTerm(), ti.getIndex());
      }).orElse(null);
    }

    private Optional<TermIndex> newest() {
      if (smDir == null || !Files.isDirectory(smDir)) {
        return Optional.empty();
      }
      try (Stream<Path> entries = Files.list(smDir)) {
        return entries.map(p -> SNAPSHOT.matcher(p.getFileName().toString()))
            .filter(Matcher::matches)
            .map(m -> TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))))
            .max(Comparator.naturalOrder());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void keepOnly(TermIndex keep) {
      try (Stream<Path> entries = Files.list(smDir)) {
        for (Path p : entries.toList()) {
          Matcher m = SNAPSHOT.matcher(p.getFileName().toString());
          if (m.matches() && !p.equals(dir(keep))) {
            deleteTree(p);
          }
        }
      } catch (IOException e) {
        LOG.warn("cannot remove old snapshots in {}: {}", smDir, e.toString());
      }
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
      return latest;
    }

    @Override
    public void format() {
      // nothing to prepare: the directory is made in init
    }

    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {
      // takeSnapshot keeps the newest only
    }

    @Override
    public File getSnapshotDir() {
      return smDir == null ? null : smDir.toFile();
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir, e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        if (!Files.isRegularFile(f)) {
          continue;
        }
        Path target = to.resolve(f.getFileName());
        if (f.getFileName().toString().endsWith(".sst")) {
          try {
            // RocksDB never changes a table file once written (unlike its MANIFEST): a link costs nothing
            Files.createLink(target, f);
            continue;
          } catch (IOException | UnsupportedOperationException e) {
            // another file system: copy
          }
        }
        Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static Message message(byte[] bytes) {
    return Message.valueOf(org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(bytes));
  }
}
