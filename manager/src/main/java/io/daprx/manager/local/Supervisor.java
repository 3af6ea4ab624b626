package io.daprx.manager.local;

import io.daprx.manager.local.StateFile.GroupState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of the management server's child processes: the pods of local clusters, grouped by cluster.
 *
 * <p>The constructor <b>recovers</b>: it reads every {@code <stateDir>/<group>/pods.json}, adopts each recorded
 * process that is still alive with the recorded start instant (so a reused pid is never adopted), keeps its
 * restarts and creation time and watches it again, and restarts — counting a restart — each one that died while
 * no supervisor ran. A lock file makes the state directory single-owner.
 *
 * <p>All state lives on one event-loop thread; every public method may be called from any other thread and waits
 * for its answer there. {@link #close()} leaves the children running for the next supervisor to adopt;
 * {@link #shutdownAll()} stops them.
 */
public final class Supervisor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
  private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private record Waiter(BooleanSupplier done, CompletableFuture<Void> future) {}

  private final Path stateDir;
  private final Clock clock;
  private final SupervisorSettings settings;
  private final LaunchDecorator decorator;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final EventLoop loop;
  private final ReadinessProber prober;
  private final ScheduledFuture<?> probeTicker;
  // owned by the event loop
  private final Map<String, GroupController> groups = new TreeMap<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private boolean closed;

  /** Takes ownership of {@code stateDir} and adopts or restarts the processes recorded there. */
  public Supervisor(Path stateDir, Clock clock, SupervisorSettings settings) {
    this(stateDir, clock, settings, LaunchDecorator.NONE);
  }

  /** As {@link #Supervisor(Path, Clock, SupervisorSettings)}, each launch's argv passed through {@code decorator}. */
  public Supervisor(Path stateDir, Clock clock, SupervisorSettings settings, LaunchDecorator decorator) {
    this.decorator = Objects.requireNonNull(decorator, "decorator");
    this.stateDir = stateDir.toAbsolutePath().normalize();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
    try {
      Files.createDirectories(this.stateDir);
      this.lockChannel = FileChannel.open(this.stateDir.resolve(".lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the supervisor state in " + this.stateDir + ": " + e.getMessage(), e);
    }
    this.lock = lockStateDir();
    this.loop = new EventLoop("daprx-supervisor", this::afterEach);
    this.prober = new ReadinessProber(settings.probeTimeout());
    try {
      loop.call(() -> {
        recover();
        return null;
      });
      this.probeTicker = loop.every(this::probeAll, settings.probePeriod());
    } catch (RuntimeException e) {
      loop.close();
      releaseLock();
      throw e;
    }
  }

  /**
   * Makes the group's processes match {@code desired}: starts missing pods, stops (SIGTERM, then SIGKILL after the
   * grace period) pods no longer desired, and replaces pods whose spec hash changed, one at a time per component,
   * each next one once the previous replacement is ready (or the rollout timeout passed).
   *
   * <p>Returns when every removed pod has exited and every added pod has been launched, and the rolling replacement
   * has launched its first pod per component; it does not wait for readiness, and later replacements continue in
   * the background. Wait for {@link #allReady} to know the group is done.
   */
  public void apply(String group, List<ProcessSpec> desired) {
    requireGroupName(group);
    Objects.requireNonNull(desired, "desired");
    Set<String> names = new HashSet<>();
    for (ProcessSpec spec : desired) {
      if (!names.add(spec.name())) {
        throw new IllegalArgumentException("pod name " + spec.name() + " appears twice in group " + group);
      }
    }
    List<ProcessSpec> specs = List.copyOf(desired);
    EventLoop.await(loop.call(() -> {
      GroupController controller = groups.computeIfAbsent(group, this::newController);
      controller.desire(specs);
      return waitFor(controller::settled);
    }));
  }

  /** The specs the group is asked to run now (what the last {@link #apply} gave); empty for an unknown group. */
  public List<ProcessSpec> desired(String group) {
    return loop.call(() -> Optional.ofNullable(groups.get(group)).map(GroupController::desired).orElse(List.of()));
  }

  /** The group's pods sorted by name; empty for an unknown group. */
  public List<PodStatus> status(String group) {
    return loop.call(() -> Optional.ofNullable(groups.get(group)).map(GroupController::status).orElse(List.of()));
  }

  /** Whether each named pod of the group is desired, runs its current spec and is ready; false for an unknown group. */
  public boolean ready(String group, java.util.Collection<String> names) {
    List<String> copy = List.copyOf(names);
    return loop.call(() -> groups.containsKey(group) && groups.get(group).ready(copy));
  }

  /** Whether every desired pod of the group runs its current spec and is ready; false for an unknown group. */
  public boolean allReady(String group) {
    return loop.call(() -> groups.containsKey(group) && groups.get(group).allReady());
  }

  /** Stops every pod of the group, waits for them to exit, and deletes the group's state. */
  public void stopGroup(String group) {
    requireGroupName(group);
    EventLoop.await(loop.call(() -> {
      GroupController controller = groups.get(group);
      if (controller == null) {
        return CompletableFuture.<Void>completedFuture(null);
      }
      controller.stopAll();
      // an apply() to the same group meanwhile supersedes the stop
      return waitFor(() -> controller.empty() || !controller.stopping());
    }));
  }

  /** Stops every pod of every group and waits for them to exit ({@code daprx server stop}). */
  public void shutdownAll() {
    EventLoop.await(loop.call(() -> {
      List<GroupController> all = List.copyOf(groups.values());
      all.forEach(GroupController::stopAll);
      return waitFor(() -> all.stream().allMatch(c -> c.empty() || !c.stopping()));
    }));
  }

  /** The groups this supervisor manages, sorted. */
  /**
   * Kills any process of a pod whose log lies under {@code dir}, recorded or not: after {@link #stopGroup} or
   * {@link #shutdownAll}, the guarantee that nothing of a cluster keeps running.
   */
  public void killRemainingUnder(Path dir) {
    ChildProcess.killMarkedUnder(dir);
  }

  public Set<String> groups() {
    return loop.call(() -> Collections.unmodifiableSortedSet(new TreeSet<>(groups.keySet())));
  }

  /** Stops the supervisor's own threads; the children keep running, to be adopted by the next supervisor. */
  @Override
  public void close() {
    try {
      loop.call(() -> {
        closed = true;
        probeTicker.cancel(false);
        waiters.forEach(w -> w.future().completeExceptionally(new IllegalStateException("the supervisor was closed")));
        waiters.clear();
        return null;
      });
    } catch (IllegalStateException alreadyClosed) {
      // closing twice is harmless
    }
    loop.close();
    releaseLock();
  }

  // ---- on the event loop

  private GroupController newController(String group) {
    return new GroupController(group, StateFile.path(stateDir, group), loop, clock, settings, decorator);
  }

  private void recover() {
    List<Path> dirs;
    try (Stream<Path> list = Files.list(stateDir)) {
      dirs = list.filter(d -> Files.isRegularFile(d.resolve(StateFile.FILE_NAME))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + stateDir + ": " + e.getMessage(), e);
    }
    for (Path dir : dirs) {
      String group = dir.getFileName().toString();
      if (!GROUP_NAME.matcher(group).matches()) {
        continue;
      }
      GroupState state;
      try {
        state = StateFile.read(dir.resolve(StateFile.FILE_NAME)).orElse(null);
      } catch (RuntimeException e) {
        LOG.error("Group({}) state unreadable, its processes are not supervised: {}", group, e.getMessage());
        continue;
      }
      if (state == null) {
        continue;
      }
      GroupController controller = newController(group);
      groups.put(group, controller);
      controller.recover(state);
    }
    if (!groups.isEmpty()) {
      LOG.info("recovered groups {} from {}", groups.keySet(), stateDir);
    }
  }

  private void probeAll() {
    if (!closed) {
      groups.values().forEach(c -> c.probe(prober));
    }
  }

  private CompletableFuture<Void> waitFor(BooleanSupplier done) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    waiters.add(new Waiter(done, future));
    return future;
  }

  /** After every task: forget fully stopped groups, save what changed, and wake callers whose wait is over. */
  private void afterEach() {
    for (Iterator<GroupController> it = groups.values().iterator(); it.hasNext(); ) {
      GroupController controller = it.next();
      if (controller.stopping() && controller.empty()) {
        it.remove();
        controller.deleteState();
      } else {
        controller.persistIfDirty();
      }
    }
    waiters.removeIf(w -> {
      if (w.done().getAsBoolean()) {
        w.future().complete(null);
        return true;
      }
      return false;
    });
  }

  // ---- helpers

  private FileLock lockStateDir() {
    try {
      FileLock acquired = lockChannel.tryLock();
      if (acquired == null) {
        throw new IllegalStateException("another supervisor owns " + stateDir);
      }
      return acquired;
    } catch (OverlappingFileLockException e) {
      closeQuietly();
      throw new IllegalStateException("another supervisor in this JVM owns " + stateDir, e);
    } catch (IOException e) {
      closeQuietly();
      throw new UncheckedIOException("cannot lock " + stateDir + ": " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      closeQuietly();
      throw e;
    }
  }

  private void releaseLock() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } catch (IOException e) {
      LOG.debug("releasing the lock on {}: {}", stateDir, e.getMessage());
    }
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      lockChannel.close();
    } catch (IOException ignored) {
      // nothing held any more either way
    }
  }

  private static void requireGroupName(String group) {
    if (group == null || !GROUP_NAME.matcher(group).matches()) {
      throw new IllegalArgumentException("group name must be letters, digits, '.', '_' or '-' (a directory name), not "
          + group);
    }
  }
}
