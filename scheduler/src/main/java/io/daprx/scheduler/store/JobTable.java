package io.daprx.scheduler.store;

import io.daprx.scheduler.job.DueJob;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.job.JobMap;
import io.daprx.scheduler.job.StoredJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The jobs of one replica on disk, in RocksDB: {@code j<store key>} → the job, {@code d<store key>} → what the
 * trigger loop keeps of it (so a restart or a re-split reads a few bytes per job, not the jobs), {@code m…} → the
 * last applied log position and the replicas' announcements.
 *
 * <p>RocksDB's own write-ahead log is off: the Raft log is the write-ahead log. Each applied entry is one atomic
 * batch that also records its log index, so after a crash the table is at some entry's end and the entries after it
 * are applied again from the Raft log. Memory is capped (a small block cache, small memtables), since a million jobs
 * must fit a control-plane process.
 */
final class JobTable implements AutoCloseable {

  static {
    RocksDB.loadLibrary();
  }

  private static final byte JOB = 'j';
  private static final byte DUE = 'd';
  private static final byte[] APPLIED = "m:applied".getBytes(StandardCharsets.UTF_8);
  private static final byte[] MEMBERS = "m:members".getBytes(StandardCharsets.UTF_8);
  private static final byte[] GROUP = "m:group".getBytes(StandardCharsets.UTF_8);
  private static final String ADDRESS = "m:address:";
  private static final String READS = "m:reads:";

  private static final long BLOCK_CACHE_BYTES = 32L << 20;
  private static final long WRITE_BUFFER_BYTES = 16L << 20;

  private final Path dir;
  private final LRUCache cache;
  private final Options options;
  private final WriteOptions writeOptions;
  private final RocksDB db;

  private JobTable(Path dir) throws RocksDBException {
    this.dir = dir;
    this.cache = new LRUCache(BLOCK_CACHE_BYTES);
    this.options = new Options().setCreateIfMissing(true)
        .setWriteBufferSize(WRITE_BUFFER_BYTES)
        .setMaxWriteBufferNumber(2)
        .setMaxBackgroundJobs(2)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache).setCacheIndexAndFilterBlocks(true));
    this.writeOptions = new WriteOptions().setDisableWAL(true);
    this.db = RocksDB.open(options, dir.toString());
  }

  /** Opens (or creates) the table in {@code dir}. */
  static JobTable open(Path dir) {
    try {
      Files.createDirectories(dir);
      return new JobTable(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the job store directory " + dir, e);
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot open the job store in " + dir + ": " + e.getMessage(), e);
    }
  }

  Path dir() {
    return dir;
  }

  // --- reads

  StoredJob get(JobKey key) {
    byte[] v = read(key(JOB, key.storeKey()));
    return v == null ? null : JobCodec.decodeJob(v);
  }

  /** Jobs whose store key starts with {@code prefix}, in key order. */
  List<StoredJob> list(String prefix) {
    List<StoredJob> out = new ArrayList<>();
    forEach(JOB, prefix, (k, v) -> out.add(JobCodec.decodeJob(v)));
    return out;
  }

  List<JobKey> keys(String prefix) {
    List<JobKey> out = new ArrayList<>();
    forEach(JOB, prefix, (k, v) -> out.add(JobCodec.key(k)));
    return out;
  }

  void scanDue(IntPredicate partitions, Consumer<DueJob> out) {
    forEach(DUE, "", (k, v) -> {
      DueJob d = JobCodec.decodeDue(k, v);
      if (partitions.test(d.partition())) {
        out.accept(d);
      }
    });
  }

  /** The log position of the last entry this table holds; {@code {0, 0}} when it holds none. */
  long[] applied() {
    byte[] v = read(APPLIED);
    if (v == null) {
      return new long[] {0, 0};
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    return new long[] {b.getLong(), b.getLong()};
  }

  /** The Raft group whose log this table follows; null for a new table. */
  String group() {
    byte[] v = read(GROUP);
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  /**
   * Follows the log of {@code group} from its start: the jobs stay, the applied position is forgotten (another
   * group's log starts again at 1).
   */
  void follow(String group) {
    try (WriteBatch b = new WriteBatch()) {
      b.put(GROUP, group.getBytes(StandardCharsets.UTF_8));
      b.put(APPLIED, ByteBuffer.allocate(16).putLong(0).putLong(0).array());
      db.write(writeOptions, b);
    } catch (RocksDBException e) {
      throw new IllegalStateException("job store write failed in " + dir + ": " + e.getMessage(), e);
    }
  }

  List<String> members() {
    byte[] v = read(MEMBERS);
    if (v == null || v.length == 0) {
      return List.of();
    }
    return List.of(new String(v, StandardCharsets.UTF_8).split(","));
  }

  Map<String, String> addresses() {
    Map<String, String> out = new TreeMap<>();
    byte[] prefix = ADDRESS.getBytes(StandardCharsets.UTF_8);
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        out.put(new String(it.key(), prefix.length, it.key().length - prefix.length, StandardCharsets.UTF_8),
            new String(it.value(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** The entry format each replica last announced it reads (absent: the first version's, 1). */
  Map<String, Integer> reads() {
    Map<String, Integer> out = new TreeMap<>();
    byte[] prefix = READS.getBytes(StandardCharsets.UTF_8);
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        out.put(new String(it.key(), prefix.length, it.key().length - prefix.length, StandardCharsets.UTF_8),
            ByteBuffer.wrap(it.value()).getInt());
      }
    }
    return out;
  }

  private void forEach(byte kind, String prefix, KeyValue visit) {
    byte[] p = key(kind, prefix);
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(p); it.isValid() && startsWith(it.key(), p); it.next()) {
        byte[] k = it.key();
        visit.accept(new String(k, 1, k.length - 1, StandardCharsets.UTF_8), it.value());
      }
    }
  }

  @FunctionalInterface
  private interface KeyValue {
    void accept(String storeKey, byte[] value);
  }

  private byte[] read(byte[] key) {
    try {
      return db.get(key);
    } catch (RocksDBException e) {
      throw new IllegalStateException("job store read failed in " + dir + ": " + e.getMessage(), e);
    }
  }

  // --- writes: one batch per applied log entry

  /**
   * The changes of one log entry; {@link #commit} writes them atomically with the entry's position. Reads see the
   * table before the entry: the commands of one entry touch distinct keys (see {@link JobCodec.Batch}).
   */
  final class Batch implements JobMap, AutoCloseable {
    private final WriteBatch batch = new WriteBatch();

    @Override
    public StoredJob get(JobKey key) {
      return JobTable.this.get(key);
    }

    @Override
    public void put(StoredJob job) {
      try {
        batch.put(key(JOB, job.key().storeKey()), JobCodec.encodeJob(job));
        batch.put(key(DUE, job.key().storeKey()), JobCodec.encodeDue(job));
      } catch (RocksDBException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void remove(JobKey key) {
      try {
        batch.delete(key(JOB, key.storeKey()));
        batch.delete(key(DUE, key.storeKey()));
      } catch (RocksDBException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public List<JobKey> keys(String prefix) {
      return JobTable.this.keys(prefix);
    }

    void members(List<String> ids) throws RocksDBException {
      batch.put(MEMBERS, String.join(",", ids).getBytes(StandardCharsets.UTF_8));
    }

    void address(String id, String address, int reads) throws RocksDBException {
      batch.put((ADDRESS + id).getBytes(StandardCharsets.UTF_8), address.getBytes(StandardCharsets.UTF_8));
      batch.put((READS + id).getBytes(StandardCharsets.UTF_8), ByteBuffer.allocate(4).putInt(reads).array());
    }

    void commit(long term, long index) {
      try {
        batch.put(APPLIED, ByteBuffer.allocate(16).putLong(term).putLong(index).array());
        db.write(writeOptions, batch);
      } catch (RocksDBException e) {
        throw new IllegalStateException("job store write failed in " + dir + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      batch.close();
    }
  }

  Batch batch() {
    return new Batch();
  }

  /** Records the log position alone (entries that change no job, e.g. Raft's configuration entries). */
  void markApplied(long term, long index) {
    try (Batch b = batch()) {
      b.commit(term, index);
    }
  }

  // --- snapshots

  /** Writes the memtables to disk, then a consistent copy of the table (hard links) into {@code target}. */
  void checkpoint(Path target) {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true); Checkpoint cp = Checkpoint.create(db)) {
      db.flush(flush);
      cp.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot snapshot the job store into " + target + ": " + e.getMessage(), e);
    }
  }

  /** Writes the memtables to disk so that a restart finds every applied entry without replaying it. */
  void flush() {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush);
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot flush the job store in " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush);
    } catch (RocksDBException e) {
      // the entries since the last flush are applied again from the Raft log at the next start
    }
    db.close();
    writeOptions.close();
    options.close();
    cache.close();
  }

  private static byte[] key(byte kind, String storeKey) {
    byte[] k = storeKey.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[k.length + 1];
    out[0] = kind;
    System.arraycopy(k, 0, out, 1, k.length);
    return out;
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
