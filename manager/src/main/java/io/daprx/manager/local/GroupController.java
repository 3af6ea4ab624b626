package io.daprx.manager.local;

import io.daprx.manager.local.Pod.AfterStop;
import io.daprx.manager.local.Pod.Phase;
import io.daprx.manager.local.StateFile.GroupState;
import io.daprx.manager.local.StateFile.PodRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pods of one group (one local cluster): desired specs, the pods as they are, and the level-triggered
 * {@link #reconcile()} that moves one towards the other. Runs only on the supervisor's event loop.
 */
final class GroupController {

  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

  private final String group;
  private final Path stateFile;
  private final EventLoop loop;
  private final Clock clock;
  private final SupervisorSettings settings;
  private final LaunchDecorator decorator;
  private final Map<String, ProcessSpec> desired = new TreeMap<>();
  private final Map<String, Pod> pods = new TreeMap<>();
  /** Desired pods whose predecessor under another name is stopping for them: they start as replacements. */
  private final java.util.Set<String> replacing = new java.util.HashSet<>();
  private boolean dirty = true;
  private boolean stopping;

  GroupController(String group, Path stateFile, EventLoop loop, Clock clock, SupervisorSettings settings, LaunchDecorator decorator) {
    this.group = group;
    this.stateFile = stateFile;
    this.loop = loop;
    this.clock = clock;
    this.settings = settings;
    this.decorator = decorator;
  }

  // ---- commands

  void desire(List<ProcessSpec> specs) {
    stopping = false;
    desired.clear();
    specs.forEach(s -> desired.put(s.name(), s));
    // a replacement under way stays one while its successor is still desired: the next waits for it
    replacing.retainAll(desired.keySet());
    dirty = true;
    LOG.debug("Group({}) desires {} pods", group, desired.size());
    reconcile();
  }

  void stopAll() {
    stopping = true;
    desired.clear();
    replacing.clear();
    dirty = true;
    LOG.debug("Group({}) stopping all pods", group);
    reconcile();
  }

  /**
   * Takes over the pods of an earlier supervisor: a recorded process still alive with the recorded start instant
   * is adopted; any other is restarted (a pid alive with another start instant belongs to someone else now).
   */
  void recover(GroupState state) {
    state.desired().forEach(s -> desired.put(s.name(), s));
    for (PodRecord rec : state.pods()) {
      Pod pod = new Pod(group, rec.spec(), rec.createdAt() != null ? rec.createdAt() : clock.instant());
      pod.restarts = rec.restarts();
      pod.lastExitReason = rec.lastExitReason();
      pods.put(pod.name(), pod);
      Optional<ChildProcess> child =
          rec.pid() == null ? Optional.empty() : ChildProcess.adopt(rec.pid(), rec.processStart());
      if (child.isPresent()) {
        running(pod, child.get(), child.get().startInstant());
        LOG.info("{} adopted pid {} (restarts {})", pod.ref(), rec.pid(), pod.restarts);
        continue;
      }
      if (rec.pid() != null && ProcessHandle.of(rec.pid()).map(ProcessHandle::isAlive).orElse(false)) {
        LOG.warn("{} pid {} is alive but is not the process started at {}; not adopting it", pod.ref(), rec.pid(),
            rec.processStart());
      }
      ProcessSpec want = desired.get(pod.name());
      if (want == null) {
        pods.remove(pod.name());
        continue;
      }
      // the dead pod comes back with the spec desired now, which spares a replacement right after
      pod.spec = want;
      String cause = rec.pid() == null
          ? "restart was pending when the supervisor stopped"
          : "exited while no supervisor was running";
      if (rec.pid() != null) {
        pod.lastExitReason = "exited while no supervisor was running";
      }
      LOG.warn("{} {}; restarting it", pod.ref(), cause);
      pod.restartCause = cause;
      restart(pod);
    }
    dirty = true;
    reconcile();
  }

  // ---- queries

  boolean stopping() {
    return stopping;
  }

  boolean empty() {
    return pods.isEmpty();
  }

  /**
   * True when every pod that is neither desired nor waiting for its successor has exited, and every desired pod has a
   * process launched (or crashed and in back-off) with its desired spec, except pods waiting their turn in a rolling
   * replacement (under their own name, or behind a predecessor under another).
   */
  boolean settled() {
    Instant now = clock.instant();
    for (Pod pod : pods.values()) {
      if (!desired.containsKey(pod.name()) && successor(pod).isEmpty()) {
        return false;
      }
    }
    for (ProcessSpec spec : desired.values()) {
      Pod pod = pods.get(spec.name());
      if (pod == null) {
        if (predecessor(spec).isPresent() && rolling(spec.component(), now)) {
          continue;
        }
        return false;
      }
      if (pod.phase == Phase.PENDING || pod.phase == Phase.TERMINATING) {
        return false;
      }
      if (!pod.spec.specHash().equals(spec.specHash()) && !rolling(spec.component(), now)) {
        return false;
      }
    }
    return true;
  }

  /** Every desired pod runs its desired spec and is ready, and nothing else runs. */
  boolean allReady() {
    return pods.size() == desired.size() && ready(desired.keySet());
  }

  /** Each named pod is desired, runs its desired spec and is ready. */
  boolean ready(java.util.Collection<String> names) {
    for (String name : names) {
      ProcessSpec spec = desired.get(name);
      Pod pod = pods.get(name);
      if (spec == null || pod == null || !pod.spec.specHash().equals(spec.specHash()) || !pod.status().ready()) {
        return false;
      }
    }
    return true;
  }

  List<ProcessSpec> desired() {
    return List.copyOf(desired.values());
  }

  List<PodStatus> status() {
    return pods.values().stream().map(Pod::status).toList();
  }

  // ---- reconcile

  /**
   * The one rolling algorithm of local pods. Stops what is no longer desired, starts what is missing, and replaces one
   * outdated pod per component at a time, the next only once the previous replacement is ready. A pod is outdated when
   * the spec desired for its place differs: under its own name (a StatefulSet's pod, or a restart with new flags), or
   * under another name for the same replica ordinal of its component (a Deployment's new pod template). Such a
   * predecessor keeps serving until its turn; then it stops first, since its successor takes its ports.
   */
  void reconcile() {
    Instant now = clock.instant();
    for (Pod pod : List.copyOf(pods.values())) {
      boolean wanted = desired.containsKey(pod.name());
      if (pod.phase == Phase.TERMINATING) {
        pod.afterStop = wanted ? AfterStop.REPLACE : AfterStop.REMOVE;
      } else if (!wanted && successor(pod).isEmpty()) {
        stop(pod, AfterStop.REMOVE);
      }
    }
    for (ProcessSpec spec : desired.values()) {
      if (!pods.containsKey(spec.name()) && predecessor(spec).isEmpty()) {
        Pod pod = new Pod(group, spec, now);
        pods.put(spec.name(), pod);
        if (replacing.remove(spec.name())) {
          startedReplacement(pod, now);
        }
        launch(pod);
      }
    }
    for (Pod pod : pods.values()) {
      if (pod.rolloutStartedAt != null && rolloutExpired(pod, now)) {
        LOG.warn("{} not ready {} s after its replacement started; replacing the next pod anyway", pod.ref(),
            settings.rolloutReadyTimeout().toSeconds());
        pod.rolloutStartedAt = null;
      }
    }
    // An outdated pod that is not ready serves nothing: replacing it at once costs no availability, and it is what
    // lets a rollback take a crash-looping replica back without waiting out the rolling replacement it was part of.
    for (Pod pod : List.copyOf(pods.values())) {
      if (pod.phase != Phase.TERMINATING && outdated(pod) && !pod.status().ready()) {
        LOG.debug("{} is not ready and the spec desired for its place changed; replacing it now", pod.ref());
        pod.rolloutStartedAt = null;
        replaceNow(pod);
      }
    }
    for (String component : new TreeSet<>(desired.values().stream().map(ProcessSpec::component).toList())) {
      if (rolling(component, now)) {
        continue;
      }
      pods.values().stream()
          .filter(p -> p.phase != Phase.TERMINATING && outdated(p) && component.equals(p.spec.component()))
          .findFirst()
          .ifPresent(p -> {
            LOG.debug("{} spec changed ({} -> {}); replacing it", p.ref(), p.spec.specHash(), wantedFor(p).specHash());
            replaceNow(p);
          });
    }
  }

  /** Stops an outdated pod; its own desired spec, or its successor under another name, starts once it has exited. */
  private void replaceNow(Pod pod) {
    if (desired.containsKey(pod.name())) {
      stop(pod, AfterStop.REPLACE);
    } else {
      successor(pod).ifPresent(next -> replacing.add(next.name()));
      stop(pod, AfterStop.REMOVE);
    }
  }

  /** What is desired in the pod's place: its own spec, or the spec that succeeds it under another name. */
  private ProcessSpec wantedFor(Pod pod) {
    ProcessSpec own = desired.get(pod.name());
    return own != null ? own : successor(pod).orElse(null);
  }

  private boolean outdated(Pod pod) {
    ProcessSpec want = wantedFor(pod);
    return want != null && !want.specHash().equals(pod.spec.specHash());
  }

  /** The desired spec, under another name, for the same replica ordinal of the same component as a pod no longer desired. */
  private Optional<ProcessSpec> successor(Pod pod) {
    if (stopping || pod.spec.ordinal() == null || desired.containsKey(pod.name())) {
      return Optional.empty();
    }
    return desired.values().stream().filter(s -> !pods.containsKey(s.name()) && samePlace(s, pod.spec)).findFirst();
  }

  /** The pod, under another name, that still holds the place (component and ordinal) a desired spec is to take. */
  private Optional<Pod> predecessor(ProcessSpec spec) {
    if (spec.ordinal() == null) {
      return Optional.empty();
    }
    return pods.values().stream().filter(p -> !desired.containsKey(p.name()) && samePlace(spec, p.spec)).findFirst();
  }

  private static boolean samePlace(ProcessSpec a, ProcessSpec b) {
    return a.component().equals(b.component()) && a.ordinal() != null && a.ordinal().equals(b.ordinal());
  }

  /** Whether a replacement in this component is still under way, which holds back the next one. */
  private boolean rolling(String component, Instant now) {
    for (Pod pod : pods.values()) {
      if (!pod.spec.component().equals(component)) {
        continue;
      }
      if (pod.phase == Phase.TERMINATING && (pod.afterStop == AfterStop.REPLACE || replacing.stream().anyMatch(n -> {
        ProcessSpec next = desired.get(n);
        return next != null && samePlace(next, pod.spec);
      }))) {
        return true;
      }
      if (pod.rolloutStartedAt != null && !rolloutExpired(pod, now)) {
        return true;
      }
    }
    return false;
  }

  private boolean rolloutExpired(Pod pod, Instant now) {
    return !now.isBefore(pod.rolloutStartedAt.plus(settings.rolloutReadyTimeout()));
  }

  // ---- pod lifecycle

  private void launch(Pod pod) {
    pod.cancelTimer();
    dirty = true;
    try {
      ChildProcess child = ChildProcess.launch(pod.spec, decorator.command(pod.spec));
      running(pod, child, clock.instant());
      LOG.debug("{} started pid {}", pod.ref(), child.pid());
    } catch (IOException | RuntimeException e) {
      pod.process = null;
      pod.ready = false;
      pod.startedAt = clock.instant();
      pod.lastExitReason = "failed to start: " + e.getMessage();
      crashed(pod, "failed to start");
    }
  }

  private void running(Pod pod, ChildProcess child, Instant startedAt) {
    pod.process = child;
    pod.phase = Phase.RUNNING;
    pod.startedAt = startedAt != null ? startedAt : clock.instant();
    pod.ready = pod.spec.readiness() == null;
    pod.probing = false;
    pod.probedAt = null;
    child.onExit().whenComplete((ignored, error) -> loop.execute(() -> exited(pod, child)));
  }

  private void exited(Pod pod, ChildProcess child) {
    if (pod.process != child || pods.get(pod.name()) != pod) {
      return;
    }
    pod.process = null;
    pod.ready = false;
    dirty = true;
    Integer code = child.exitCode();
    pod.lastExitReason = ChildProcess.describeExit(code);
    if (pod.phase == Phase.TERMINATING) {
      LOG.debug("{} stopped ({})", pod.ref(), pod.lastExitReason);
      stopped(pod);
      reconcile();
      return;
    }
    crashed(pod, code == null ? "exit code unknown" : "exit code " + code);
  }

  /** Waits out the back-off, doubling with each crash in a row, then restarts. */
  private void crashed(Pod pod, String cause) {
    Instant now = clock.instant();
    if (pod.startedAt != null && Duration.between(pod.startedAt, now).compareTo(settings.backoffResetAfter()) >= 0) {
      pod.crashesInARow = 0;
    }
    pod.crashesInARow++;
    Duration delay = settings.backoff(pod.crashesInARow);
    pod.cancelTimer();
    pod.phase = Phase.BACKOFF;
    pod.restartCause = cause;
    Object token = new Object();
    pod.backoffToken = token;
    pod.timer = loop.schedule(() -> {
      if (pod.backoffToken == token && pod.phase == Phase.BACKOFF && pods.get(pod.name()) == pod) {
        restart(pod);
      }
    }, delay);
    LOG.warn("{} exited ({}); restarting in {} ms", pod.ref(), pod.lastExitReason, delay.toMillis());
  }

  private void restart(Pod pod) {
    pod.restarts++;
    appendMarker(pod, "--- restarted (" + pod.restartCause + ") at " + clock.instant() + " ---");
    launch(pod);
  }

  /** SIGTERM now, SIGKILL after the grace period; {@link #stopped} follows the exit. */
  private void stop(Pod pod, AfterStop afterStop) {
    pod.cancelTimer();
    pod.afterStop = afterStop;
    pod.ready = false;
    dirty = true;
    ChildProcess child = pod.process;
    if (child == null) {
      stopped(pod);
      return;
    }
    pod.phase = Phase.TERMINATING;
    LOG.debug("{} stopping pid {}", pod.ref(), child.pid());
    child.terminate();
    pod.timer = loop.schedule(() -> {
      if (pod.process == child && pod.phase == Phase.TERMINATING) {
        LOG.warn("{} pid {} still running {} ms after SIGTERM; killing it", pod.ref(), child.pid(),
            settings.stopGracePeriod().toMillis());
        child.kill();
      }
    }, settings.stopGracePeriod());
  }

  private void stopped(Pod pod) {
    pod.cancelTimer();
    pod.process = null;
    AfterStop afterStop = pod.afterStop;
    pod.afterStop = null;
    if (afterStop == AfterStop.REPLACE && desired.containsKey(pod.name())) {
      replace(pod);
    } else {
      pods.remove(pod.name(), pod);
      LOG.debug("{} removed", pod.ref());
      // a successor under another name takes the freed place now, as a pod replaced under its own name does: a pod
      // without a process (in back-off) is removed without an exit event that would reconcile again
      if (desired.values().stream().anyMatch(s -> replacing.contains(s.name()) && samePlace(s, pod.spec))) {
        loop.execute(this::reconcile);
      }
    }
  }

  /**
   * A replaced pod is a new pod under the same name (a StatefulSet's): restarts, age and its log start over, as a new pod's
   * do on Kubernetes ({@code logs} shows none of the pod it replaced, {@code logs -p} has no earlier run).
   */
  private void replace(Pod pod) {
    Instant now = clock.instant();
    pod.spec = desired.get(pod.name());
    pod.restarts = 0;
    pod.createdAt = now;
    pod.crashesInARow = 0;
    pod.lastExitReason = null;
    freshLog(pod);
    startedReplacement(pod, now);
    launch(pod);
  }

  /** A replacement holds back the next one of its component until it is ready, or until the rollout timeout passes. */
  private void startedReplacement(Pod pod, Instant now) {
    pod.rolloutStartedAt = now;
    loop.schedule(this::reconcile, settings.rolloutReadyTimeout());
  }

  // ---- readiness

  void probe(ReadinessProber prober) {
    Instant now = clock.instant();
    for (Pod pod : pods.values()) {
      if (pod.phase != Phase.RUNNING || pod.process == null || pod.spec.readiness() == null || pod.probing) {
        continue;
      }
      if (pod.ready && pod.probedAt != null && now.isBefore(pod.probedAt.plus(settings.readyProbePeriod()))) {
        continue;
      }
      pod.probing = true;
      pod.probedAt = now;
      ChildProcess child = pod.process;
      prober.probe(pod.spec.readiness()).thenAccept(ok -> loop.execute(() -> probed(pod, child, ok)));
    }
  }

  private void probed(Pod pod, ChildProcess child, boolean ok) {
    if (pod.process != child) {
      return;
    }
    pod.probing = false;
    if (pod.phase != Phase.RUNNING || pod.ready == ok) {
      return;
    }
    pod.ready = ok;
    if (ok) {
      LOG.debug("{} ready", pod.ref());
      if (pod.rolloutStartedAt != null) {
        pod.rolloutStartedAt = null;
        reconcile();
      }
    } else {
      LOG.warn("{} readiness probe {} failing", pod.ref(), pod.spec.readiness());
    }
  }

  // ---- persistence

  void persistIfDirty() {
    if (!dirty) {
      return;
    }
    try {
      StateFile.write(stateFile, snapshot());
      dirty = false;
    } catch (UncheckedIOException e) {
      LOG.warn("Group({}) state not saved, will retry: {}", group, e.getMessage());
    }
  }

  void deleteState() {
    try {
      StateFile.delete(stateFile);
    } catch (UncheckedIOException e) {
      LOG.warn("Group({}) state not deleted: {}", group, e.getMessage());
    }
  }

  private GroupState snapshot() {
    List<PodRecord> records = new ArrayList<>();
    for (Pod pod : pods.values()) {
      ChildProcess p = pod.process;
      records.add(new PodRecord(pod.spec, p == null ? null : p.pid(), p == null ? null : p.startInstant(),
          pod.restarts, pod.createdAt, pod.lastExitReason));
    }
    return new GroupState(List.copyOf(desired.values()), records);
  }

  private void freshLog(Pod pod) {
    Path log = pod.spec.logFile();
    try {
      Files.write(log, new byte[0]);
    } catch (IOException e) {
      LOG.warn("{} cannot empty its log {}: {}", pod.ref(), log, e.getMessage());
    }
  }

  private void appendMarker(Pod pod, String line) {
    Path log = pod.spec.logFile();
    try {
      if (log.getParent() != null) {
        Files.createDirectories(log.getParent());
      }
      Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      LOG.warn("{} cannot write to its log {}: {}", pod.ref(), log, e.getMessage());
    }
  }
}
