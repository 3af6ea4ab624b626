package io.daprx.operator.standalone;

import io.daprx.operator.cache.ResourceCache;
import io.daprx.operator.resources.Resource;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.common.yaml.BoundedYaml;
import io.daprx.operator.metrics.OperatorMetrics;
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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standalone mode's source: the Dapr resources of the {@code *.yaml}/{@code *.yml} files of one directory, fed into the
 * cache and reloaded when files change (a {@link WatchService} wakes the scan at once; a scan every
 * {@code pollInterval} catches what the watch misses, e.g. on network file systems).
 *
 * <p>A file that does not parse, or is over {@link BoundedYaml}'s size limits, is reported (file name and the error in
 * the log, {@code daprx_operator_resource_files_skipped{reason}}) and skipped; its last good resources stay, so a file
 * caught half-written — or broken by hand — never removes resources sidecars use, and a huge file is never read. Several operator replicas
 * may share the directory: each only reads it. When two files define the same resource, the file whose name sorts
 * last wins.
 *
 * <p>{@code secretKeyRef}s stay unresolved: daprd resolves them with its own secret store.
 *
 * <p>All state is owned by the watcher thread (after the first scan in {@link #start()}). That thread cannot die
 * silently: when it stops, or the directory cannot be listed, {@link #problem()} says so and the operator's
 * {@code /healthz} fails (Kubernetes' liveness probe restarts it; a local cluster shows the replica not ready), rather
 * than serving a stale set while Ready.
 */
public final class DirectorySource implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DirectorySource.class);

  private record Key(ResourceKind kind, String namespace, String name) {}

  /** What was last read from one file; {@code content} is null when the file was too large to read. */
  private record FileState(long modified, long size, byte[] content, List<Resource> lastGood, String error, boolean tooLarge) {}

  private final Path dir;
  private final ResourceCache cache;
  private final Duration pollInterval;
  private final OperatorMetrics metrics;
  private final Function<byte[], List<Resource>> parser;
  private final Map<Path, FileState> files = new HashMap<>();
  private Map<Key, Resource> published = Map.of();
  private WatchService watch;
  private Thread thread;
  private volatile boolean closed;
  /** Why the directory is not being followed; null while it is. */
  private volatile String problem;

  public DirectorySource(Path dir, ResourceCache cache, Duration pollInterval, OperatorMetrics metrics) {
    this(dir, cache, pollInterval, metrics, ResourceFiles::parse);
  }

  /** @param parser reads a file's resources (tests: one that fails as a full heap would) */
  DirectorySource(Path dir, ResourceCache cache, Duration pollInterval, OperatorMetrics metrics,
      Function<byte[], List<Resource>> parser) {
    this.dir = Objects.requireNonNull(dir, "resources directory");
    this.cache = cache;
    this.pollInterval = pollInterval;
    this.metrics = metrics;
    this.parser = parser;
  }

  /**
   * Null while the directory is followed; else why not (the watcher thread stopped, or the directory cannot be listed),
   * for {@code /healthz}.
   */
  public String problem() {
    if (problem == null && thread != null && !thread.isAlive() && !closed) {
      return "the resources directory watcher stopped";
    }
    return problem;
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
    try {
      followUntilClosed();
    } catch (Throwable t) { // an Error too (a full heap, a deep stack): the health check must learn it, not a dead thread
      problem = "the resources directory watcher stopped: " + t;
      LOG.error("watching {} stopped, resources are no longer reloaded: {}", dir, t.toString());
    }
  }

  private void followUntilClosed() {
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
        if (!closed) {
          problem = "the resources directory watcher was stopped (" + e + ")";
          LOG.error("watching {} stopped, resources are no longer reloaded: {}", dir, e.toString());
        }
        return;
      } catch (RuntimeException e) {
        if (problem == null) {
          LOG.warn("scanning {} failed, resources are not reloaded until it works again: {}", dir, e.getMessage());
        }
        problem = "scanning the resources directory failed: " + e.getMessage();
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
    if (problem != null) {
      LOG.info("scanning {} works again", dir);
      problem = null;
    }
    metrics.resourceFilesSkipped((int) files.values().stream().filter(f -> f.error() != null && !f.tooLarge()).count(),
        (int) files.values().stream().filter(FileState::tooLarge).count());
  }

  private boolean read(Path file, BasicFileAttributes attrs) {
    FileState old = files.get(file);
    long modified = attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    if (old != null && old.modified() == modified && old.size() == attrs.size()) {
      return false;
    }
    List<Resource> lastGood = old == null ? List.of() : old.lastGood();
    byte[] content = null;
    try {
      content = BoundedYaml.readFile(file); // the size is checked before a byte is read
      if (old != null && Arrays.equals(old.content(), content)) {
        files.put(file, new FileState(modified, attrs.size(), content, old.lastGood(), old.error(), old.tooLarge()));
        return false;
      }
      List<Resource> parsed = parser.apply(content);
      files.put(file, new FileState(modified, attrs.size(), content, parsed, null, false));
      LOG.debug("resources file {}: {} resources", file.getFileName(), parsed.size());
      return true;
    } catch (NoSuchFileException gone) {
      return false; // the next scan sees it gone
    } catch (IOException e) {
      LOG.warn("cannot read resources file {}: {}", file.getFileName(), e.getMessage());
      return false;
    } catch (IllegalArgumentException e) {
      boolean tooLarge = e instanceof BoundedYaml.Invalid i && i.tooLarge();
      if (old == null || !Objects.equals(old.error(), e.getMessage())) {
        LOG.warn("resources file {} is {} and skipped{}: {}", file.getFileName(), tooLarge ? "too large" : "broken",
            lastGood.isEmpty() ? "" : " (its last good " + lastGood.size() + " resources stay)", e.getMessage());
      }
      files.put(file, new FileState(modified, attrs.size(), content, lastGood, e.getMessage(), tooLarge));
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
