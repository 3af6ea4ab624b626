package io.daprx.scheduler.store.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Random;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Which embedded store holds the scheduler's jobs: the same work on RocksDB, H2's MVStore and SQLite, one engine per
 * run (a fresh JVM, so the RSS is that engine's). The work is what the replicated store's state machine does: per
 * log entry, write a job (~300 bytes), its due entry (~20 bytes) and the applied index, atomically; then, as after a
 * restart, reopen and read every due entry.
 *
 * <p>{@code StoreBench <rocksdb|mvstore|sqlite> <dir> <jobs>}; prints one line of figures.
 */
public final class StoreBench {

  private StoreBench() {}

  interface Engine extends AutoCloseable {
    void apply(String key, byte[] job, byte[] due, long index) throws Exception;

    /** Makes everything applied durable (what a snapshot does). */
    void flush() throws Exception;

    /** Reads every due entry; returns how many. */
    long scanDue() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    String engine = args[0];
    Path dir = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    Files.createDirectories(dir);
    Random r = new Random(1);
    byte[] job = new byte[300];
    byte[] due = new byte[20];
    long t0 = System.nanoTime();
    try (Engine e = open(engine, dir)) {
      for (int i = 0; i < n; i++) {
        r.nextBytes(job);
        r.nextBytes(due);
        e.apply("actor\0default\0dapr.internal.default.app.workflow\0wf-" + (i % 50_000) + "\0timer-" + i, job, due, i + 1);
      }
      e.flush();
    }
    double applySeconds = (System.nanoTime() - t0) / 1e9;
    long rssAfterLoad = rssMb();
    long t1 = System.nanoTime();
    long scanned;
    try (Engine e = open(engine, dir)) {
      scanned = e.scanDue();
    }
    double reopenScanSeconds = (System.nanoTime() - t1) / 1e9;
    System.out.printf("%-8s jobs=%d apply=%.0f entries/s reopen+scan=%.2f s (%d due) rss_after_load=%d MB rss_end=%d MB disk=%d MB%n",
        engine, n, n / applySeconds, reopenScanSeconds, scanned, rssAfterLoad, rssMb(), diskMb(dir));
  }

  static Engine open(String engine, Path dir) throws Exception {
    return switch (engine) {
      case "rocksdb" -> new Rocks(dir.resolve("rocksdb"));
      case "mvstore" -> new Mv(dir.resolve("jobs.mv.db"));
      case "sqlite" -> new Sqlite(dir.resolve("jobs.sqlite"));
      default -> throw new IllegalArgumentException("engine: rocksdb, mvstore or sqlite");
    };
  }

  /** As the scheduler's JobTable: WAL off (the Raft log is the WAL), one batch per entry, 32 MB cache. */
  static final class Rocks implements Engine {
    static {
      RocksDB.loadLibrary();
    }

    private final org.rocksdb.Options options = new org.rocksdb.Options().setCreateIfMissing(true)
        .setWriteBufferSize(16L << 20).setMaxWriteBufferNumber(2)
        .setCompressionType(org.rocksdb.CompressionType.LZ4_COMPRESSION)
        .setTableFormatConfig(new org.rocksdb.BlockBasedTableConfig().setBlockCache(new org.rocksdb.LRUCache(32L << 20))
            .setCacheIndexAndFilterBlocks(true));
    private final WriteOptions write = new WriteOptions().setDisableWAL(true);
    private final RocksDB db;

    Rocks(Path dir) throws Exception {
      db = RocksDB.open(options, dir.toString());
    }

    @Override
    public void apply(String key, byte[] job, byte[] due, long index) throws Exception {
      try (WriteBatch b = new WriteBatch()) {
        b.put(("j" + key).getBytes(StandardCharsets.UTF_8), job);
        b.put(("d" + key).getBytes(StandardCharsets.UTF_8), due);
        b.put("m:applied".getBytes(StandardCharsets.UTF_8), Long.toString(index).getBytes(StandardCharsets.UTF_8));
        db.write(write, b);
      }
    }

    @Override
    public void flush() throws Exception {
      try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
        db.flush(f);
      }
    }

    @Override
    public long scanDue() {
      long n = 0;
      try (RocksIterator it = db.newIterator()) {
        for (it.seek("d".getBytes(StandardCharsets.UTF_8)); it.isValid() && it.key()[0] == 'd'; it.next()) {
          n += it.value().length > 0 ? 1 : 0;
        }
      }
      return n;
    }

    @Override
    public void close() {
      db.close();
    }
  }

  /** H2's MVStore: copy-on-write B-trees in one file, committed in the background (as without a WAL). */
  static final class Mv implements Engine {
    private final MVStore store;
    private final MVMap<String, byte[]> jobs;
    private final MVMap<String, byte[]> due;
    private final MVMap<String, Long> meta;

    Mv(Path file) {
      store = new MVStore.Builder().fileName(file.toString()).cacheSize(32).open();
      jobs = store.openMap("jobs");
      due = store.openMap("due");
      meta = store.openMap("meta");
    }

    @Override
    public void apply(String key, byte[] job, byte[] d, long index) {
      jobs.put(key, job);
      due.put(key, d);
      meta.put("applied", index);
    }

    @Override
    public void flush() {
      store.commit();
    }

    @Override
    public long scanDue() {
      long n = 0;
      for (var e : due.entrySet()) {
        n += e.getValue().length > 0 ? 1 : 0;
      }
      return n;
    }

    @Override
    public void close() {
      store.close();
    }
  }

  /** SQLite through JDBC: WAL journal, synchronous off (the Raft log is what must be durable), 100 entries a commit. */
  static final class Sqlite implements Engine {
    private final Connection c;
    private final PreparedStatement putJob;
    private final PreparedStatement putDue;
    private final PreparedStatement putMeta;
    private int pending;

    Sqlite(Path file) throws Exception {
      c = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=OFF");
        s.execute("PRAGMA cache_size=-32768");
        s.execute("CREATE TABLE IF NOT EXISTS jobs(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID");
        s.execute("CREATE TABLE IF NOT EXISTS due(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID");
        s.execute("CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID");
      }
      c.setAutoCommit(false);
      putJob = c.prepareStatement("INSERT OR REPLACE INTO jobs VALUES (?, ?)");
      putDue = c.prepareStatement("INSERT OR REPLACE INTO due VALUES (?, ?)");
      putMeta = c.prepareStatement("INSERT OR REPLACE INTO meta VALUES ('applied', ?)");
    }

    @Override
    public void apply(String key, byte[] job, byte[] d, long index) throws Exception {
      putJob.setString(1, key);
      putJob.setBytes(2, job);
      putJob.executeUpdate();
      putDue.setString(1, key);
      putDue.setBytes(2, d);
      putDue.executeUpdate();
      putMeta.setLong(1, index);
      putMeta.executeUpdate();
      if (++pending == 100) {
        c.commit();
        pending = 0;
      }
    }

    @Override
    public void flush() throws Exception {
      c.commit();
    }

    @Override
    public long scanDue() throws Exception {
      long n = 0;
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM due")) {
        while (rs.next()) {
          n += rs.getBytes(1).length > 0 ? 1 : 0;
        }
      }
      return n;
    }

    @Override
    public void close() throws Exception {
      c.commit();
      c.close();
    }
  }

  static long rssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (java.io.IOException e) {
      // not Linux
    }
    return -1;
  }

  static long diskMb(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum() >> 20;
    }
  }
}
