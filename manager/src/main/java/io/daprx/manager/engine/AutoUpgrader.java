package io.daprx.manager.engine;

import io.daprx.manager.model.DomainException;
import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.CatalogSource;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves extensions with {@code autoUpgradeMinorVersion=true} to the newest minor/patch of their release train: at
 * every tick it reads the catalog again and starts an {@code upgrade} operation (the runner applies it component by
 * component with health gates and rolls back on failure). Only healthy, idle installs are touched, never two
 * operations at once; a version that failed is tried again only after {@code retryAfter}.
 */
public final class AutoUpgrader implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AutoUpgrader.class);

  private final Store store;
  private final Extensions extensions;
  private final CatalogSource catalog;
  private final Clock clock;
  private final Duration interval;
  private final Duration retryAfter;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(io.daprx.common.runtime.DaemonThreads.named("auto-upgrade"));

  public AutoUpgrader(Store store, Extensions extensions, CatalogSource catalog, Clock clock, Duration interval, Duration retryAfter) {
    this.store = store;
    this.extensions = extensions;
    this.catalog = catalog;
    this.clock = clock;
    this.interval = interval;
    this.retryAfter = retryAfter;
  }

  public void start() {
    timer.scheduleWithFixedDelay(() -> {
      try {
        tick();
      } catch (RuntimeException e) {
        LOG.error("auto-upgrade check failed; trying again in {}", interval, e);
      }
    }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One pass over every extension; returns the names of those whose upgrade it started. */
  public List<String> tick() {
    Catalog c = catalog.refresh();
    List<String> started = new ArrayList<>();
    for (Doc ext : store.list(Extensions.KIND, null)) {
      next(ext, c).ifPresent(to -> {
        Extension shown = Extension.of(ext);
        String name = shown.name();
        try {
          extensions.upgrade(ext, to);
          LOG.info("Extension({}) auto-upgrade from {} to {} started", name, shown.properties().currentVersion(), to.version());
          started.add(name);
        } catch (DomainException e) {
          // a user's operation started in between: the next tick looks again
          LOG.debug("Extension({}) not upgraded now: {}", name, e.getMessage());
        }
      });
    }
    return started;
  }

  /** Where auto-upgrade takes the extension now, if anywhere. */
  Optional<Release> next(Doc doc, Catalog c) {
    Extension ext = Extension.of(doc);
    Extension.Properties p = ext.properties();
    if (!p.autoUpgradeMinorVersion() || !"Succeeded".equals(p.provisioningState()) || p.currentVersion() == null) {
      return Optional.empty();
    }
    Optional<Doc> cluster = store.get(doc.parentId());
    if (cluster.isEmpty() || "Stopped".equals(cluster.get().body().path("properties").path("powerState").path("code").asText())) {
      return Optional.empty(); // a stopped cluster is upgraded when it runs again
    }
    Semver current;
    try {
      current = Semver.parse(p.currentVersion());
      Optional<Release> to = c.autoUpgradeTarget(current, p.releaseTrain() == null ? Catalog.DEFAULT_TRAIN : p.releaseTrain(), true,
          extensions.runsOn(cluster.get()));
      if (to.isPresent() && recentlyFailed(ext, to.get())) {
        return Optional.empty();
      }
      return to;
    } catch (RuntimeException e) {
      LOG.warn("Extension({}) cannot be checked for upgrades: {}", ext.name(), e.getMessage());
      return Optional.empty();
    }
  }

  private boolean recentlyFailed(Extension ext, Release to) {
    Extension.UpgradeFailure failed = ext.upgradeFailed();
    if (failed == null || !failed.version().equals(to.version().toString())) {
      return false;
    }
    Instant at = Instant.parse(failed.at());
    return clock.instant().isBefore(at.plus(retryAfter));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
