package io.daprx.manager.engine;

import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.Store;
import io.daprx.manager.deploy.Install;
import io.daprx.manager.deploy.ReconcileException;
import io.daprx.manager.deploy.Target;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the long-running operations of extensions against their target: create/update reconcile the
 * install to its settings, delete removes it. Operations are stored before they run, so a server that
 * dies mid-way finds them at its next start and runs them again (reconciling is idempotent); one lock
 * per extension keeps two operations from ever touching one install at once.
 */
public final class OperationRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OperationRunner.class);

  private final Store store;
  private final Extensions extensions;
  private final Target target;
  private final Clock clock;
  private final Duration timeout;
  private final ExecutorService executor = Executors.newCachedThreadPool(io.daprx.common.runtime.DaemonThreads.named("operation"));
  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  public OperationRunner(Store store, Extensions extensions, Target target, Clock clock, Duration timeout) {
    this.store = store;
    this.extensions = extensions;
    this.target = target;
    this.clock = clock;
    this.timeout = timeout;
  }

  public void submit(String operationDocId) {
    executor.submit(() -> run(operationDocId));
  }

  /** Finds operations a previous server left in progress and runs them again. */
  public int resumeInterrupted() {
    int n = 0;
    for (Doc op : store.list(Extensions.OPERATION_KIND, null)) {
      if (Operation.of(op).inProgress()) {
        LOG.warn("Operation({}) was interrupted by a server restart; running it again", op.id());
        submit(op.id());
        n++;
      }
    }
    return n;
  }

  /**
   * Brings one installed extension back to what it last ran with success (cluster start, server start);
   * synchronous. An extension that never succeeded has nothing to restore.
   */
  public void restore(Doc ext) throws ReconcileException {
    Doc cluster = store.get(ext.parentId()).orElseThrow();
    Optional<Extensions.Applied> applied = extensions.applied(ext);
    if (applied.isEmpty()) {
      LOG.warn("Extension({}) has no successful install to restore", Extension.of(ext).name());
      return;
    }
    ReentrantLock lock = lockOf(ext.id());
    lock.lock();
    try {
      target.apply(cluster, install(ext, applied.get(), applied.get().release()), timeout);
    } finally {
      lock.unlock();
    }
  }

  /** Stops an installed extension's processes, keeping its state (cluster stop). */
  public void stop(Doc ext) {
    Doc cluster = store.get(ext.parentId()).orElseThrow();
    ReentrantLock lock = lockOf(ext.id());
    lock.lock();
    try {
      target.stop(cluster, namespace(ext));
    } finally {
      lock.unlock();
    }
  }

  void run(String opId) {
    Optional<Doc> found = store.get(opId);
    if (found.isEmpty() || !Operation.of(found.get()).inProgress()) {
      return;
    }
    Operation op = Operation.of(found.get());
    String kind = op.kind();
    ReentrantLock lock = lockOf(op.extensionId());
    lock.lock();
    try {
      Optional<Doc> ext = store.get(op.extensionId());
      if (ext.isEmpty()) {
        finishOperation(opId, "delete".equals(kind) ? null : "the extension was deleted while this operation waited", null);
        return;
      }
      Doc cluster = store.get(ext.get().parentId())
          .orElseThrow(() -> new IllegalStateException("cluster of " + op.extensionId() + " is gone"));
      String ns = namespace(ext.get());
      LOG.info("Extension({}) {} started", Extension.of(ext.get()).name(), kind);
      if ("delete".equals(kind)) {
        try {
          target.remove(cluster, ns, ext.get().id());
        } catch (RuntimeException e) {
          if (!op.force()) {
            fail(opId, ext.get(), "DeleteFailed", "removing the control plane failed: " + e.getMessage() + "; retry, or delete with --force");
            return;
          }
          LOG.warn("Extension({}) force-deleted although removing failed: {}", op.extensionId(), e.getMessage());
        }
        store.delete(op.extensionId(), null);
        finishOperation(opId, null, null);
        return;
      }
      change(op, ext.get(), cluster, kind);
    } catch (RuntimeException e) {
      LOG.error("Operation({}) could not run", opId, e);
      finishOperation(opId, e.toString(), null);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Create, update or upgrade: apply the release and settings; if the control plane does not come up healthy and it
   * ran before, put back what last ran with success, so a failed change never leaves it half-done.
   */
  private void change(Operation op, Doc ext, Doc cluster, String kind) {
    String opId = op.id();
    Release to = op.targetRelease();
    Optional<Extensions.Applied> before = extensions.applied(ext);
    Extensions.Applied wanted = new Extensions.Applied(to, extensions.desiredSettings(ext));
    Release from = before.map(Extensions.Applied::release).orElse(null);
    try {
      succeed(opId, wanted, from, target.apply(cluster, install(ext, wanted, from), timeout));
    } catch (ReconcileException e) {
      if (before.isEmpty()) {
        fail(opId, store.get(ext.id()).orElseThrow(), "InstallationFailed", e.getMessage());
        return;
      }
      rollBack(opId, ext, cluster, kind, to, before.get(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("Extension({}) {} failed", ext.id(), kind, e);
      fail(opId, store.get(ext.id()).orElseThrow(), "InstallationFailed", e.toString());
    }
  }

  private void rollBack(String opId, Doc ext, Doc cluster, String kind, Release to, Extensions.Applied good, String reason) {
    String what = kind.equals("upgrade") ? "the auto-upgrade to " + to.version()
        : good.release().version().equals(to.version()) ? "the update" : "the update to " + to.version();
    LOG.warn("Extension({}) {} failed ({}); rolling back to {}", Extension.of(ext).name(), what, reason, good.release().version());
    List<Target.ComponentStatus> statuses;
    try {
      statuses = target.apply(cluster, install(ext, good, to), timeout);
    } catch (ReconcileException | RuntimeException e) {
      fail(opId, store.get(ext.id()).orElseThrow(), kind.equals("upgrade") ? "UpgradeFailed" : "UpdateFailed",
          what + " failed: " + reason + "; rolling back to " + good.release().version() + " failed too: " + e.getMessage());
      return;
    }
    String message = what + " failed: " + reason + "; rolled back to " + good.release().version()
        + " with the settings it ran with, and the control plane is healthy again";
    Doc now = store.get(ext.id()).orElseThrow();
    Extension e = Extension.of(now);
    boolean auto = kind.equals("upgrade");
    List<Extension.Status> st = new ArrayList<>();
    st.add(status(auto ? "AutoUpgradeRolledBack" : "UpdateRolledBack", "Rolled back", "Error",
        message + (auto ? "; auto-upgrade tries " + to.version() + " again later, or a newer version as soon as the catalog has one" : "")));
    st.addAll(readiness(statuses));
    if (auto) {
      // The extension's desired state (follow the train) still holds and the install is healthy: it stays Succeeded,
      // and the auto-upgrader remembers the failure so it does not retry the same version at every tick.
      e = e.withProperties(e.properties().withState("Succeeded", st, null))
          .withUpgradeFailed(new Extension.UpgradeFailure(to.version().toString(), clock.instant().toString()));
    } else {
      e = e.withProperties(e.properties().withState("Failed", st, new Extension.ErrorInfo("UpdateRolledBack", message)));
    }
    store.update(now.id(), e.toJson(), null);
    finishOperation(opId, (auto ? "AutoUpgradeRolledBack" : "UpdateRolledBack") + ": " + message, good.release());
  }

  /**
   * What the target is asked to run; CRDs are applied unless this is a move to an older version. An extension that ran
   * with success once had a CA, which the target must then find rather than make anew.
   */
  private Install install(Doc ext, Extensions.Applied state, Release from) {
    boolean crds = Catalog.applyCrds(from == null ? null : from.version(), state.release().version(), state.settings().applyCrds());
    return new Install(namespace(ext), state.settings(), state.release(), crds, ext.id(), extensions.applied(ext).isPresent());
  }

  private void succeed(String opId, Extensions.Applied now, Release from, List<Target.ComponentStatus> statuses) {
    Operation op = Operation.of(store.get(opId).orElseThrow());
    Doc doc = store.get(op.extensionId()).orElseThrow();
    Extension ext = Extension.of(doc);
    List<Extension.Status> st = new ArrayList<>();
    if (from != null && !from.version().equals(now.release().version())) {
      // EXTENSION.md: an upgrade does not restart sidecars; the user has to know their daprd stays as it was
      st.add(status("VersionChanged", "Moved to " + now.release().version(), "Information", "The control plane moved from " + from.version()
          + " to " + now.release().version() + ". Running sidecars are not restarted: restart your Dapr-enabled workloads"
          + " (e.g. kubectl rollout restart deployment/<app>) to get the daprd " + now.release().daprVersion() + " this version injects."));
    }
    st.addAll(readiness(statuses));
    ext = ext.withProperties(ext.properties().withCurrentVersion(now.release().version().toString()).withState("Succeeded", st, null))
        .withLastApplied(extensions.seal(now));
    if (ext.upgradeFailed() != null && ext.upgradeFailed().version().equals(now.release().version().toString())) {
      ext = ext.withUpgradeFailed(null);
    }
    store.update(doc.id(), ext.toJson(), null);
    finishOperation(opId, null, null);
    LOG.info("Extension({}) {} succeeded ({})", ext.name(), op.kind(), now.release().version());
  }

  private List<Extension.Status> readiness(List<Target.ComponentStatus> statuses) {
    List<Extension.Status> out = new ArrayList<>();
    for (Target.ComponentStatus c : statuses) {
      out.add(status("Ready", c.workload() + " " + c.ready() + "/" + c.desired() + " ready", "Information",
          c.ready() + " of " + c.desired() + " replicas of " + c.workload() + " are ready"));
    }
    return out;
  }

  private Extension.Status status(String code, String display, String level, String message) {
    return new Extension.Status(code, display, level, message, clock.instant().toString());
  }

  private void fail(String opId, Doc doc, String code, String message) {
    Extension ext = Extension.of(doc);
    ext = ext.withProperties(ext.properties().withState("Failed", List.of(status(code, "Failed", "Error", message)),
        new Extension.ErrorInfo(code, message)));
    store.update(doc.id(), ext.toJson(), null);
    finishOperation(opId, code + ": " + message, null);
    LOG.warn("Extension({}) operation failed: {}", ext.name(), message);
  }

  /**
   * Ends an operation: {@code error} null for success, else {@code Code: message} (a first word with no space before the
   * colon is the code) or a bare message.
   */
  private void finishOperation(String opId, String error, Release rolledBackTo) {
    store.get(opId).ifPresent(doc -> {
      Operation.Error failure = null;
      if (error != null) {
        int colon = error.indexOf(": ");
        boolean coded = colon > 0 && !error.substring(0, colon).contains(" ");
        failure = new Operation.Error(coded ? error.substring(0, colon) : "OperationFailed", coded ? error.substring(colon + 2) : error);
      }
      Operation done = Operation.of(doc).finished(clock.instant().toString(), failure,
          rolledBackTo == null ? null : rolledBackTo.version().toString());
      store.update(opId, done.toJson(), null);
    });
    publish(opId);
  }

  /** Tells the target how the extension stands now; a target that cannot be reached only costs the dashboard a view. */
  private void publish(String opId) {
    try {
      Optional<Doc> ext = store.get(opId).flatMap(o -> store.get(Operation.of(o).extensionId()));
      if (ext.isEmpty()) {
        return;
      }
      Doc cluster = store.get(ext.get().parentId()).orElseThrow();
      target.publish(cluster, namespace(ext.get()), Json.external(ext.get().body()), extensions.operations(ext.get()));
    } catch (RuntimeException e) {
      LOG.warn("the extension's state could not be published to its cluster: {}", e.getMessage());
    }
  }

  private ReentrantLock lockOf(String extId) {
    return locks.computeIfAbsent(extId.toLowerCase(java.util.Locale.ROOT), k -> new ReentrantLock());
  }

  static String namespace(Doc ext) {
    return Extension.of(ext).namespace();
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
