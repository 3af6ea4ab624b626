package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.install.DaprSettings;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.Store;
import io.daprx.manager.target.ReconcileException;
import io.daprx.manager.target.Target;
import java.time.Clock;
import java.time.Duration;
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
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "operation");
    t.setDaemon(true);
    return t;
  });
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

  /** Brings one installed extension back to its settings (cluster start, server start); synchronous. */
  public void restore(Doc ext) throws ReconcileException {
    Doc cluster = store.get(ext.parentId()).orElseThrow();
    ReentrantLock lock = locks.computeIfAbsent(ext.id(), k -> new ReentrantLock());
    lock.lock();
    try {
      target.apply(cluster, namespace(ext), DaprSettings.parse(extensions.effectiveSettings(ext)), timeout);
    } finally {
      lock.unlock();
    }
  }

  /** Stops an installed extension's processes, keeping its state (cluster stop). */
  public void stop(Doc ext) {
    Doc cluster = store.get(ext.parentId()).orElseThrow();
    ReentrantLock lock = locks.computeIfAbsent(ext.id(), k -> new ReentrantLock());
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
    ReentrantLock lock = locks.computeIfAbsent(extId.toLowerCase(java.util.Locale.ROOT), k -> new ReentrantLock());
    lock.lock();
    try {
      Optional<Doc> ext = store.get(extId);
      if (ext.isEmpty()) {
        finishOperation(opId, "delete".equals(kind) ? null : "the extension was deleted while this operation waited");
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
        finishOperation(opId, null);
        return;
      }
      try {
        List<Target.ComponentStatus> statuses = target.apply(cluster, ns, DaprSettings.parse(extensions.effectiveSettings(ext.get())), timeout);
        succeed(opId, statuses);
      } catch (ReconcileException e) {
        fail(opId, store.get(extId).orElseThrow(), "InstallationFailed", e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("Extension({}) {} failed", extId, kind, e);
        fail(opId, store.get(extId).orElseThrow(), "InstallationFailed", e.toString());
      }
    } catch (RuntimeException e) {
      LOG.error("Operation({}) could not run", opId, e);
      finishOperation(opId, e.toString());
    } finally {
      lock.unlock();
    }
  }

  private void succeed(String opId, List<Target.ComponentStatus> statuses) {
    Doc op = store.get(opId).orElseThrow();
    Doc ext = store.get(op.body().path("_extensionId").asText()).orElseThrow();
    ObjectNode body = ext.body().deepCopy();
    ObjectNode p = (ObjectNode) body.get("properties");
    p.put("provisioningState", "Succeeded");
    p.put("currentVersion", Versions.CURRENT);
    p.putNull("errorInfo");
    ArrayNode st = p.putArray("statuses");
    for (Target.ComponentStatus c : statuses) {
      ObjectNode s = st.addObject();
      s.put("code", "Ready");
      s.put("displayStatus", c.workload() + " " + c.ready() + "/" + c.desired() + " ready");
      s.put("level", "Information");
      s.put("message", c.ready() + " of " + c.desired() + " replicas of " + c.workload() + " are ready");
      s.put("time", clock.instant().toString());
    }
    store.update(ext.id(), body, null);
    finishOperation(opId, null);
    LOG.info("Extension({}) {} succeeded", ext.body().path("name").asText(), op.body().path("_kind").asText());
  }

  private void fail(String opId, Doc ext, String code, String message) {
    ObjectNode body = ext.body().deepCopy();
    ObjectNode p = (ObjectNode) body.get("properties");
    p.put("provisioningState", "Failed");
    ObjectNode err = p.putObject("errorInfo");
    err.put("code", code);
    err.put("message", message);
    ObjectNode s = p.putArray("statuses").addObject();
    s.put("code", code);
    s.put("displayStatus", "Failed");
    s.put("level", "Error");
    s.put("message", message);
    s.put("time", clock.instant().toString());
    store.update(ext.id(), body, null);
    finishOperation(opId, code + ": " + message);
    LOG.warn("Extension({}) operation failed: {}", ext.body().path("name").asText(), message);
  }

  private void finishOperation(String opId, String error) {
    store.get(opId).ifPresent(op -> {
      ObjectNode body = op.body().deepCopy();
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
