package io.daprx.manager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management server's state directory ({@code DAPRX_HOME}), held by one server at a time. It is claimed before
 * anything in it is read or written, so a second server started on it is refused without touching the first one's
 * files ({@code server.json} above all, which is how the CLI finds the running server).
 */
final class ServerHome implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServerHome.class);
  static final String LOCK_FILE = "server.lock";
  static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  /**
   * Homes claimed in this JVM. A second channel on the lock file would do: POSIX drops every lock a process holds on a
   * file when any descriptor of it is closed, so a refused in-process claim must never open the file at all.
   */
  private static final Set<Path> CLAIMED = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private ServerHome(Path dir, Path key, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates the directory owner-only if it is missing and takes its lock; refused with the holder's pid when another
   * server holds it.
   */
  static ServerHome claim(Path dir) {
    Path key;
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, OWNER_ONLY_DIR);
      }
      key = dir.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the state directory " + dir + ": " + e.getMessage(), e);
    }
    warnIfOthersCanRead(dir);
    Path lockFile = dir.resolve(LOCK_FILE);
    if (!CLAIMED.add(key)) {
      throw inUse(dir, ProcessHandle.current().pid());
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
          OWNER_ONLY_FILE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        throw inUse(dir, ProcessHandle.current().pid()); // held through another channel of this JVM
      }
      if (lock == null) {
        throw inUse(dir, holder(channel));
      }
      // who holds it, for the message a refused server prints
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)), 0);
      channel.force(false);
      return new ServerHome(dir, key, channel, lock);
    } catch (IOException e) {
      release(channel, key);
      throw new IllegalStateException("cannot lock " + lockFile + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      release(channel, key);
      throw e;
    }
  }

  /**
   * Whether a server has run here before: its supervisor's directory, a cluster's files or the key that seals the
   * store's secrets. A home like that must never get a fresh, empty store — the clusters it holds may still run.
   */
  boolean hasRunBefore() {
    return Files.exists(dir.resolve("run")) || Files.exists(dir.resolve("secret.key")) || nonEmpty(dir.resolve("clusters"));
  }

  private static boolean nonEmpty(Path d) {
    if (!Files.isDirectory(d)) {
      return false;
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.findAny().isPresent();
    } catch (IOException e) {
      return true; // unreadable: assume the worst
    }
  }

  private static IllegalStateException inUse(Path dir, Object pid) {
    return new IllegalStateException("another daprx server (pid " + pid + ") is using " + dir
        + "; stop it with 'daprx server stop' or give this one another --home");
  }

  /** The pid the holder wrote, read through the channel we already have open (see {@link #CLAIMED}). */
  private static String holder(FileChannel channel) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(32);
    channel.read(buf, 0);
    String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
    return pid.matches("\\d+") ? pid : "unknown";
  }

  /** An existing home is not changed (it may be a directory the user shares on purpose), but a readable one is worth a word. */
  private static void warnIfOthersCanRead(Path dir) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
      if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
        LOG.warn("the state directory {} can be read by other users ({}); make it owner-only: chmod 700 {}", dir,
            PosixFilePermissions.toString(p), dir);
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("cannot read the permissions of {}: {}", dir, e.getMessage());
    }
  }

  private static void release(FileChannel channel, Path key) {
    closeQuietly(channel);
    CLAIMED.remove(key);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // the lock goes with the channel either way
      }
    }
  }

  /** Releases the home for the next server. */
  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } catch (IOException e) {
      LOG.debug("releasing the lock on {}: {}", dir, e.getMessage());
    }
    closeQuietly(channel);
    CLAIMED.remove(key);
  }
}
