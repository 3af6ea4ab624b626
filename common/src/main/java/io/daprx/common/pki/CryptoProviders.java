package io.daprx.common.pki;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.security.Security;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the JCA provider that signs and verifies: the Amazon Corretto Crypto Provider (AWS-LC) where
 * its native library loads, else the JDK's own providers.
 *
 * <p>Why: issuing certificates is bound by ECDSA/Ed25519 speed, and ACCP signs P-256 about 30 times
 * faster than SunEC on JDK 17. It is installed at the highest priority so TLS and every
 * {@code Signature.getInstance} use it too. BouncyCastle's PKIX library builds and parses certificates, requests and
 * PEM with these providers; its own JCA provider is not registered: nothing asks for it, and registering it loaded ~300
 * classes and ~2,000 algorithm entries in every process.
 */
public final class CryptoProviders {

  /** Which providers may be used; {@code AUTO} prefers ACCP and falls back to the JDK. */
  public enum Preference { AUTO, ACCP, JDK }

  private static final Logger LOG = LoggerFactory.getLogger(CryptoProviders.class);
  private static volatile String active;
  // Security.getProviders(filter) hashes every provider's whole property table under its lock: measured at
  // 50-150 us and the main lock convoy of sentry's hot path, so each answer is looked up once.
  private static final Map<String, Provider> SIGNATURE_PROVIDERS = new ConcurrentHashMap<>();
  private static final Map<String, KeyFactory> KEY_FACTORIES = new ConcurrentHashMap<>();

  private CryptoProviders() {}

  /** Installs the providers once per JVM and returns a short name of the active one. */
  public static synchronized String init(Preference preference) {
    if (active != null) {
      return active;
    }
    SIGNATURE_PROVIDERS.clear();
    KEY_FACTORIES.clear();
    if (preference != Preference.JDK) {
      Throwable loadError = accpLoadError();
      if (loadError == null) {
        AmazonCorrettoCryptoProvider.install();
        active = "ACCP " + AmazonCorrettoCryptoProvider.INSTANCE.getVersionStr() + " (AWS-LC)";
      } else if (preference == Preference.ACCP) {
        throw new IllegalStateException("the Amazon Corretto Crypto Provider does not load here: " + loadError.getMessage()
            + "; use --crypto-provider auto or jdk", loadError);
      } else {
        LOG.info("Amazon Corretto Crypto Provider not available ({}); using the JDK's providers", loadError.toString());
      }
    }
    if (active == null) {
      active = "JDK (" + Security.getProviders()[0].getName() + ")";
    }
    LOG.info("crypto provider: {}", active);
    return active;
  }

  /** Initialises with {@link Preference#AUTO} if nobody chose before. */
  public static String ensureInitialised() {
    String a = active;
    return a != null ? a : init(Preference.AUTO);
  }

  /** The active provider's short name, for logs and metrics. */
  public static String active() {
    return ensureInitialised();
  }

  /** The provider to use for signatures of the given JCA algorithm: the highest-priority one offering it. */
  public static Provider signatureProvider(String algorithm) {
    ensureInitialised();
    return SIGNATURE_PROVIDERS.computeIfAbsent(algorithm, a -> {
      Provider[] ps = Security.getProviders("Signature." + a);
      if (ps == null || ps.length == 0) {
        throw new IllegalStateException("no provider offers signature algorithm " + a);
      }
      return ps[0];
    });
  }

  /**
   * The key factory of the provider that signs with {@code alg}, so keys it makes are that provider's own
   * and {@code initSign}/{@code initVerify} need not translate them on every call.
   */
  public static KeyFactory keyFactory(KeyAlgorithm alg) {
    return KEY_FACTORIES.computeIfAbsent(alg.name(), n -> {
      Provider p = signatureProvider(alg.signatureAlgorithm());
      String[] names = switch (alg) {
        case EC_P256 -> new String[] {"EC"};
        case ED25519 -> new String[] {"Ed25519", "EdDSA"};
        case RSA -> new String[] {"RSA"};
      };
      for (String name : names) {
        if (p.getService("KeyFactory", name) != null) {
          try {
            return KeyFactory.getInstance(name, p);
          } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
          }
        }
      }
      try {
        return KeyFactory.getInstance(names[0]);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("no key factory for " + alg, e);
      }
    });
  }

  /** The same private key as an object of the signing provider (converted once, not at every signature). */
  public static PrivateKey nativeKey(PrivateKey key, KeyAlgorithm alg) {
    try {
      return keyFactory(alg).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      return key; // the provider cannot take it: keep the key as it is
    }
  }

  private static Throwable accpLoadError() {
    try {
      Throwable err = AmazonCorrettoCryptoProvider.INSTANCE.getLoadingError();
      if (err != null) {
        return err;
      }
      AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
      return null;
    } catch (Throwable t) { // UnsatisfiedLinkError on other platforms, a failed self-test, ...
      return t;
    }
  }
}
