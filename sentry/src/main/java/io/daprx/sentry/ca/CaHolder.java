package io.daprx.sentry.ca;

import io.daprx.common.trust.BundleStore;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundleException;
import io.daprx.common.trust.CaBundles;
import io.daprx.common.trust.RawBundle;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of sentry's current CA bundle. It loads (or, when the store is empty, generates) the
 * bundle at start, and {@link #reloadIfChanged()} picks up a bundle rotated in the store by
 * {@code daprx mtls renew-certificate}; a broken new bundle is reported and the running one kept.
 */
public final class CaHolder implements Supplier<CaBundle> {

  private static final Logger LOG = LoggerFactory.getLogger(CaHolder.class);

  private final BundleStore store;
  private final Clock clock;
  private final Consumer<CaBundle> onChange;
  private volatile CaBundle current;
  private volatile RawBundle loadedFrom;

  private CaHolder(BundleStore store, Clock clock, Consumer<CaBundle> onChange, CaBundle bundle, RawBundle raw) {
    this.store = store;
    this.clock = clock;
    this.onChange = onChange;
    this.current = bundle;
    this.loadedFrom = raw;
  }

  /**
   * Loads the bundle from the store, generating one only when the store holds nothing at all; any other
   * problem is a {@link CaBundleException} that stops start-up.
   */
  public static CaHolder open(BundleStore store, String trustDomain, String namespace, Clock clock, Consumer<CaBundle> onChange) {
    return open(store, Optional.empty(), trustDomain, namespace, clock, onChange);
  }

  /**
   * As {@link #open(BundleStore, String, String, Clock, Consumer)}, but an empty store is an error when {@code formerCa}
   * says a CA existed (what shows it, in words): a new root would silently cut off every sidecar and replica that trusts
   * the old one, which is worse than not starting.
   */
  public static CaHolder open(BundleStore store, Optional<String> formerCa, String trustDomain, String namespace, Clock clock,
      Consumer<CaBundle> onChange) {
    RawBundle raw = store.load();
    if (raw.empty() && formerCa.isPresent()) {
      throw new CaBundleException("no CA bundle in " + store.describe() + ", but a CA existed (" + formerCa.get() + "); sentry does not"
          + " make a new root, which would silently cut off every sidecar that trusts the old one. Restore ca.crt, issuer.crt and"
          + " issuer.key from a backup; if the CA is lost for good, reinstall the control plane (daprx k8s-extension delete, then"
          + " create) and restart every Dapr-enabled workload");
    }
    if (raw.empty()) {
      CaBundle generated = CaBundles.generate(trustDomain, namespace, CaBundles.DEFAULT_CA_TTL, clock);
      // Several replicas may start at once: the store keeps the first bundle written and we use that one.
      raw = store.saveIfAbsent(generated.toRaw());
      LOG.info("no CA bundle in {}: generated a new root and issuer (root expires {})", store.describe(), generated.rootNotAfter());
    }
    CaBundle bundle = CaBundles.parse(raw, store.describe(), clock);
    LOG.info("CA loaded from {}: issuer expires {}, root expires {}", store.describe(), bundle.issuerNotAfter(), bundle.rootNotAfter());
    return new CaHolder(store, clock, onChange, bundle, raw);
  }

  @Override
  public CaBundle get() {
    return current;
  }

  /** Re-reads the store; returns true when a new, valid bundle was taken into use. */
  public synchronized boolean reloadIfChanged() {
    RawBundle raw;
    try {
      raw = store.load();
    } catch (RuntimeException e) {
      LOG.warn("cannot read the CA bundle from {}: {}; still using the loaded one", store.describe(), e.getMessage());
      return false;
    }
    if (Objects.equals(raw, loadedFrom)) {
      return false;
    }
    try {
      CaBundle next = CaBundles.parse(raw, store.describe(), clock);
      current = next;
      loadedFrom = raw;
      LOG.info("CA bundle in {} changed: now issuing with an issuer that expires {}", store.describe(), next.issuerNotAfter());
      onChange.accept(next);
      return true;
    } catch (CaBundleException e) {
      LOG.error("the CA bundle in {} changed but cannot be used, still issuing with the previous one: {}", store.describe(), e.getMessage());
      loadedFrom = raw; // report once per change, not at every poll
      return false;
    }
  }

  public Duration pollInterval() {
    return Duration.ofSeconds(5);
  }
}
