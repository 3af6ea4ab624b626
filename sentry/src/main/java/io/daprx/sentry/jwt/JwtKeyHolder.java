package io.daprx.sentry.jwt;

import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of sentry's current JWT signing key. At start it loads the key beside the CA, generating one when the
 * store holds none (replicas starting together keep the first one written); {@link #reloadIfChanged()} takes up a key
 * rotated by {@code daprx mtls renew-certificate}. A broken new pair is reported and the running key kept.
 */
public final class JwtKeyHolder implements Supplier<JwtSigningKey> {

  private static final Logger LOG = LoggerFactory.getLogger(JwtKeyHolder.class);

  private final JwtKeyStore store;
  private final JwtOptions options;
  private volatile JwtSigningKey current;
  private volatile JwtKeyMaterial loadedFrom;

  private JwtKeyHolder(JwtKeyStore store, JwtOptions options, JwtSigningKey key, JwtKeyMaterial raw) {
    this.store = store;
    this.options = options;
    this.current = key;
    this.loadedFrom = raw;
  }

  /** Loads or generates the key; a stored pair that cannot be used stops start-up with what to do. */
  public static JwtKeyHolder open(JwtKeyStore store, JwtOptions options) {
    JwtKeyMaterial raw = store.load();
    if (raw.signingKeyPem() == null) {
      if (raw.jwksJson() != null) {
        LOG.warn("{} holds a JWKS but no JWT signing key: generating a new key and replacing that JWKS", store.describe());
      }
      raw = store.saveIfAbsent(JwtKeys.generate(options.signingAlgorithm(), options.keyId()));
      LOG.info("no JWT signing key in {}: generated one", store.describe());
    } else if (raw.jwksJson() == null) {
      // a key of the user's own (upstream asks for both files): publish it rather than refuse it; replicas derive the same JWKS
      raw = JwtKeys.withJwks(raw, options.signingAlgorithm(), options.keyId(), store.describe());
      store.save(raw);
      LOG.info("a JWT signing key but no JWKS in {}: wrote the JWKS that publishes it", store.describe());
    }
    JwtSigningKey key = JwtKeys.open(raw, options.signingAlgorithm(), options.keyId(), store.describe());
    LOG.info("JWT signing key loaded from {}: kid {}, {}, {} key(s) in the JWKS", store.describe(), key.keyId(), key.algorithm(),
        key.publicJwks().size());
    return new JwtKeyHolder(store, options, key, raw);
  }

  @Override
  public JwtSigningKey get() {
    return current;
  }

  /** Re-reads the store; true when a new, valid key was taken into use. */
  public synchronized boolean reloadIfChanged() {
    JwtKeyMaterial raw;
    try {
      raw = store.load();
    } catch (RuntimeException e) {
      LOG.warn("cannot read the JWT signing key from {}: {}; still signing with the loaded one", store.describe(), e.getMessage());
      return false;
    }
    if (Objects.equals(raw, loadedFrom)) {
      return false;
    }
    try {
      JwtSigningKey next = JwtKeys.open(raw, options.signingAlgorithm(), options.keyId(), store.describe());
      current = next;
      loadedFrom = raw;
      LOG.info("JWT signing key in {} changed: now signing with kid {} ({} key(s) in the JWKS)", store.describe(), next.keyId(),
          next.publicJwks().size());
      return true;
    } catch (RuntimeException e) {
      LOG.error("the JWT signing key in {} changed but cannot be used, still signing with kid {}: {}", store.describe(),
          current.keyId(), e.getMessage());
      loadedFrom = raw; // once per change, not at every poll
      return false;
    }
  }
}
