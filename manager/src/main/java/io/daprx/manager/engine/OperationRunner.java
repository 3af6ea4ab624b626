package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.Store;
import io.daprx.manager.deploy.Install;
import io.daprx.manager.deploy.ReconcileException;
import io.daprx.manager.deploy.Target;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
      if ("InProgress".equals(op.body().path("status").asText())) {
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
      LOG.warn("Extension({}) has no successful install to restore", ext.body().path("name").asText());
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
    if (found.isEmpty() || !"InProgress".equals(found.get().body().path("status").asText())) {
      return;
    }
    Doc op = found.get();
    String kind = op.body().path("_kind").asText();
    String extId = op.body().path("_extensionId").asText();
    ReentrantLock lock = lockOf(extId);
    lock.lock();
    try {
      Optional<Doc> ext = store.get(extId);
      if (ext.isEmpty()) {
        finishOperation(opId, "delete".equals(kind) ? null : "the extension was deleted while this operation waited", null);
        return;
      }
      Doc cluster = store.get(ext.get().parentId()).orElseThrow(() -> new IllegalStateException("cluster of " + extId + " is gone"));
      String ns = namespace(ext.get());
      LOG.info("Extension({}) {} started", ext.get().body().path("name").asText(), kind);
      if ("delete".equals(kind)) {
        try {
          target.remove(cluster, ns);
        } catch (RuntimeException e) {
          if (!op.body().path("_force").asBoolean()) {
            fail(opId, ext.get(), "DeleteFailed", "removing the control plane failed: " + e.getMessage() + "; retry, or delete with --force");
            return;
          }
          LOG.warn("Extension({}) force-deleted although removing failed: {}", extId, e.getMessage());
        }
        store.delete(extId, null);
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
  private void change(Doc op, Doc ext, Doc cluster, String kind) {
    String opId = op.id();
    Release to = Extensions.targetRelease(op);
    Map<String, String> settings = extensions.effectiveSettings(ext);
    Optional<Extensions.Applied> before = extensions.applied(ext);
    Extensions.Applied wanted = new Extensions.Applied(to, settings);
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
    LOG.warn("Extension({}) {} failed ({}); rolling back to {}", ext.body().path("name").asText(), what, reason, good.release().version());
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
    ObjectNode body = now.body().deepCopy();
    ObjectNode p = (ObjectNode) body.get("properties");
    ArrayNode st = p.putArray("statuses");
    boolean auto = kind.equals("upgrade");
    status(st, auto ? "AutoUpgradeRolledBack" : "UpdateRolledBack", "Rolled back", "Error",
        message + (auto ? "; auto-upgrade tries " + to.version() + " again later, or a newer version as soon as the catalog has one" : ""));
    readiness(st, statuses);
    if (auto) {
      // The extension's desired state (follow the train) still holds and the install is healthy: it stays Succeeded,
      // and the auto-upgrader remembers the failure so it does not retry the same version at every tick.
      p.put("provisioningState", "Succeeded");
      p.putNull("errorInfo");
      body.putObject("_upgradeFailed").put("version", to.version().toString()).put("at", clock.instant().toString());
    } else {
      p.put("provisioningState", "Failed");
      ObjectNode err = p.putObject("errorInfo");
      err.put("code", "UpdateRolledBack");
      err.put("message", message);
    }
    store.update(now.id(), body, null);
    finishOperation(opId, (auto ? "AutoUpgradeRolledBack" : "UpdateRolledBack") + ": " + message, good.release());
  }

  /** What the target is asked to run; CRDs are applied unless this is a move to an older version. */
  private static Install install(Doc ext, Extensions.Applied state, Release from) {
    DaprSettings settings = DaprSettings.parse(state.settings());
    boolean crds = Catalog.applyCrds(from == null ? null : from.version(), state.release().version(), settings.applyCrds());
    return new Install(namespace(ext), settings, state.release(), crds);
  }

  private void succeed(String opId, Extensions.Applied now, Release from, List<Target.ComponentStatus> statuses) {
    Doc op = store.get(opId).orElseThrow();
    Doc ext = store.get(op.body().path("_extensionId").asText()).orElseThrow();
    ObjectNode body = ext.body().deepCopy();
    ObjectNode p = (ObjectNode) body.get("properties");
    p.put("provisioningState", "Succeeded");
    p.put("currentVersion", now.release().version().toString());
    p.putNull("errorInfo");
    ArrayNode st = p.putArray("statuses");
    if (from != null && !from.version().equals(now.release().version())) {
      // EXTENSION.md: an upgrade does not restart sidecars; the user has to know their daprd stays as it was
      status(st, "VersionChanged", "Moved to " + now.release().version(), "Information", "The control plane moved from " + from.version()
          + " to " + now.release().version() + ". Running sidecars are not restarted: restart your Dapr-enabled workloads"
          + " (e.g. kubectl rollout restart deployment/<app>) to get the daprd " + now.release().daprVersion() + " this version injects.");
    }
    readiness(st, statuses);
    extensions.recordApplied(body, now);
    if (body.path("_upgradeFailed").path("version").asText("").equals(now.release().version().toString())) {
      body.remove("_upgradeFailed");
    }
    store.update(ext.id(), body, null);
    finishOperation(opId, null, null);
    LOG.info("Extension({}) {} succeeded ({})", ext.body().path("name").asText(), op.body().path("_kind").asText(), now.release().version());
  }

  private void readiness(ArrayNode st, List<Target.ComponentStatus> statuses) {
    for (Target.ComponentStatus c : statuses) {
      status(st, "Ready", c.workload() + " " + c.ready() + "/" + c.desired() + " ready", "Information",
          c.ready() + " of " + c.desired() + " replicas of " + c.workload() + " are ready");
    }
  }

  private void status(ArrayNode st, String code, String display, String level, String message) {
    ObjectNode s = st.addObject();
    s.put("code", code);
    s.put("displayStatus", display);
    s.put("level", level);
    s.put("message", message);
    s.put("time", clock.instant().toString());
  }

  private void fail(String opId, Doc ext, String code, String message) {
    ObjectNode body = ext.body().deepCopy();
    ObjectNode p = (ObjectNode) body.get("properties");
    p.put("provisioningState", "Failed");
    ObjectNode err = p.putObject("errorInfo");
    err.put("code", code);
    err.put("message", message);
    status(p.putArray("statuses"), code, "Failed", "Error", message);
    store.update(ext.id(), body, null);
    finishOperation(opId, code + ": " + message, null);
    LOG.warn("Extension({}) operation failed: {}", ext.body().path("name").asText(), message);
  }

  private void finishOperation(String opId, String error, Release rolledBackTo) {
    store.get(opId).ifPresent(op -> {
      ObjectNode body = op.body().deepCopy();
      if (rolledBackTo != null) {
        body.with("properties").put("rolledBackTo", rolledBackTo.version().toString());
      }
      body.put("status", error == null ? "Succeeded" : "Failed");
      body.put("endTime", clock.instant().toString());
      if (error == null) {
        body.putNull("error");
      } else {
        ObjectNode e = body.putObject("error");
        int colon = error.indexOf(": ");
        e.put("code", colon > 0 && !error.substring(0, colon).contains(" ") ? error.substring(0, colon) : "OperationFailed");
        e.put("message", colon > 0 && !error.substring(0, colon).contains(" ") ? error.substring(colon + 2) : error);
      }
      store.update(opId, body, null);
    });
    publish(opId);
  }

  /** Tells the target how the extension stands now; a target that cannot be reached only costs the dashboard a view. */
  private void publish(String opId) {
    try {
      Optional<Doc> op = store.get(opId);
      Optional<Doc> ext = op.flatMap(o -> store.get(o.body().path("_extensionId").asText()));
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
    return ext.body().path("properties").path("scope").path("cluster").path("releaseNamespace").asText(Extensions.DEFAULT_NAMESPACE);
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
