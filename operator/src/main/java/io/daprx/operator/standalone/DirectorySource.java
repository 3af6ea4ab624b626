package io.daprx.operator.standalone;

import io.daprx.operator.cache.ResourceCache;
import io.daprx.operator.resources.Resource;
import io.daprx.common.dapr.ResourceKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standalone mode's source: the Dapr resources of the {@code *.yaml}/{@code *.yml} files of one directory, fed into the
 * cache and reloaded when files change (a {@link WatchService} wakes the scan at once; a scan every
 * {@code pollInterval} catches what the watch misses, e.g. on network file systems).
 *
 * <p>A file that does not parse is reported (file name and the error) and skipped; its last good resources stay, so
 * a file caught half-written — or broken by hand — never removes resources sidecars use. Several operator replicas
 * may share the directory: each only reads it. When two files define the same resource, the file whose name sorts
 * last wins.
 *
 * <p>{@code secretKeyRef}s stay unresolved: daprd resolves them with its own secret store.
 *
 * <p>All state is owned by the watcher thread (after the first scan in {@link #start()}).
 */
public final class DirectorySource implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DirectorySource.class);

  private record Key(ResourceKind kind, String namespace, String name) {}

  /** What was last read from one file. */
  private record FileState(long modified, long size, byte[] content, List<Resource> lastGood, String error) {}

  private final Path dir;
  private final ResourceCache cache;
  private final Duration pollInterval;
  private final Map<Path, FileState> files = new HashMap<>();
  private Map<Key, Resource> published = Map.of();
  private WatchService watch;
  private Thread thread;
  private volatile boolean closed;

  public DirectorySource(Path dir, ResourceCache cache, Duration pollInterval) {
    this.dir = Objects.requireNonNull(dir, "resources directory");
    this.cache = cache;
    this.pollInterval = pollInterval;
  }

  /** Reads the directory once (so the first lists see every resource), then follows it on a thread of its own. */
  public DirectorySource start() {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--resources-path " + dir + " is not a directory");
    }
    try {
      watch = dir.getFileSystem().newWatchService();
      dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("cannot watch {} ({}); polling it every {} ms", dir, e.getMessage(), pollInterval.toMillis());
      watch = null;
    }
    scan();
    LOG.info("serving {} resources from {}", published.size(), dir);
    thread = new Thread(this::follow, "operator-resources-dir");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  private void follow() {
    while (!closed) {
      try {
        if (watch != null) {
          WatchKey key = watch.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
          if (key != null) {
            key.pollEvents(); // which files does not matter: the scan compares them all
            key.reset();
          }
        } else {
          Thread.sleep(pollInterval.toMillis()); // the polling fallback, when the file system offers no watch
        }
        scan();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("scanning {} failed: {}", dir, e.toString());
      }
    }
  }

  /** Re-reads changed files and publishes the difference. */
  void scan() {
    Map<Path, BasicFileAttributes> present = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ResourceFiles::isResourceFile)) {
      for (Path p : ds) {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          if (a.isRegularFile()) {
            present.put(p, a);
          }
        } catch (NoSuchFileException gone) {
          // renamed or deleted while listing
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    boolean changed = files.keySet().removeIf(p -> {
      if (!present.containsKey(p)) {
        LOG.info("resources file {} removed", p.getFileName());
        return true;
      }
      return false;
    });
    for (Map.Entry<Path, BasicFileAttributes> e : present.entrySet()) {
      changed |= read(e.getKey(), e.getValue());
    }
    if (changed) {
      publish();
    }
  }

  private boolean read(Path file, BasicFileAttributes attrs) {
    FileState old = files.get(file);
    long modified = attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    if (old != null && old.modified() == modified && old.size() == attrs.size()) {
      return false;
    }
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException gone) {
      return false; // the next scan sees it gone
    } catch (IOException e) {
      LOG.warn("cannot read resources file {}: {}", file.getFileName(), e.getMessage());
      return false;
    }
    if (old != null && Arrays.equals(old.content(), content)) {
      files.put(file, new FileState(modified, attrs.size(), content, old.lastGood(), old.error()));
      return false;
    }
    List<Resource> lastGood = old == null ? List.of() : old.lastGood();
    try {
      List<Resource> parsed = ResourceFiles.parse(content);
      files.put(file, new FileState(modified, attrs.size(), content, parsed, null));
      LOG.debug("resources file {}: {} resources", file.getFileName(), parsed.size());
      return true;
    } catch (IllegalArgumentException e) {
      if (old == null || !Objects.equals(old.error(), e.getMessage())) {
        LOG.warn("resources file {} is broken and skipped{}: {}", file.getFileName(),
            lastGood.isEmpty() ? "" : " (its last good " + lastGood.size() + " resources stay)", e.getMessage());
      }
      files.put(file, new FileState(modified, attrs.size(), content, lastGood, e.getMessage()));
      return false;
    }
  }

  private void publish() {
    Map<Key, Resource> next = new LinkedHashMap<>();
    for (FileState f : new TreeMap<>(files).values()) { // name order: the last file defining a resource wins
      for (Resource r : f.lastGood()) {
        next.put(new Key(r.kind(), r.namespace(), r.name()), r);
      }
    }
    for (Map.Entry<Key, Resource> e : next.entrySet()) {
      if (!e.getValue().sameContent(published.get(e.getKey()))) {
        cache.upsert(e.getValue());
      }
    }
    for (Key k : published.keySet()) {
      if (!next.containsKey(k)) {
        cache.delete(k.kind(), k.namespace(), k.name());
      }
    }
    published = next;
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null) {
      thread.interrupt();
    }
    if (watch != null) {
      try {
        watch.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
