package io.daprx.manager.catalog;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog the server works from: the built-in one, or the file or URL of {@code --catalog}, read again at most
 * every {@code maxAge} so a newly published version is seen without a restart. A source that breaks later keeps its
 * last good catalog (logged); one that is broken at start stops the server with the reason.
 */
public final class CatalogSource {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogSource.class);

  private final String source;
  private final Clock clock;
  private final Duration maxAge;
  private Catalog catalog;
  private Instant loadedAt;

  public CatalogSource(String source, Clock clock, Duration maxAge) {
    this.source = source;
    this.clock = clock;
    this.maxAge = maxAge;
    this.catalog = Catalog.load(source);
    this.loadedAt = clock.instant();
  }

  /** A source that never changes, for tests and tools. */
  public static CatalogSource of(Catalog fixed, Clock clock) {
    CatalogSource s = new CatalogSource(null, clock, Duration.ofDays(36500));
    s.catalog = fixed;
    return s;
  }

  /** The catalog, read again when older than {@code maxAge}. */
  public synchronized Catalog current() {
    if (source != null && !source.isBlank() && Duration.between(loadedAt, clock.instant()).compareTo(maxAge) >= 0) {
      refresh();
    }
    return catalog;
  }

  /** Reads the source now; on failure keeps the last good catalog. */
  public synchronized Catalog refresh() {
    if (source == null || source.isBlank()) {
      return catalog;
    }
    try {
      catalog = Catalog.load(source);
    } catch (CatalogException e) {
      LOG.warn("catalog {} could not be read again, keeping the last good one: {}", source, e.getMessage());
    }
    loadedAt = clock.instant();
    return catalog;
  }

  /** Where the catalog comes from, for messages. */
  public String describe() {
    return source == null || source.isBlank() ? "the built-in catalog" : source;
  }
}
