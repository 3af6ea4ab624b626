package io.daprx.injector.tls;

import io.daprx.common.pki.Pem;
import io.daprx.common.tls.Svid;
import io.daprx.common.tls.SvidSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A serving certificate from a PEM certificate (chain) file and a PEM key file, reloaded when either file changes
 * (cert-manager and Secret volume updates rewrite them in place). Checked at most once per interval, on the
 * handshake path; a broken pair is logged and the previous one kept.
 */
public final class PemFileIdentity implements SvidSource {

  private static final Logger LOG = LoggerFactory.getLogger(PemFileIdentity.class);
  private final Path certFile;
  private final Path keyFile;
  private final Clock clock;
  private final Duration checkEvery;
  private volatile Svid current;
  private volatile String stamp;
  private volatile Instant nextCheck;

  /** Loads the pair now. @throws IllegalArgumentException when the files are missing or do not match */
  public PemFileIdentity(Path certFile, Path keyFile, Clock clock, Duration checkEvery) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.clock = clock;
    this.checkEvery = checkEvery;
    this.stamp = stamp();
    this.current = load();
    this.nextCheck = clock.instant().plus(checkEvery);
  }

  @Override
  public Svid current() {
    Instant now = clock.instant();
    if (now.isAfter(nextCheck)) {
      reloadIfChanged(now);
    }
    return current;
  }

  private synchronized void reloadIfChanged(Instant now) {
    if (!now.isAfter(nextCheck)) {
      return;
    }
    nextCheck = now.plus(checkEvery);
    String s = stamp();
    if (s.equals(stamp)) {
      return;
    }
    try {
      current = load();
      stamp = s;
      LOG.info("serving certificate reloaded from {} (valid until {})", certFile, current.notAfter());
    } catch (RuntimeException e) {
      LOG.warn("serving certificate files {} / {} changed but cannot be used, keeping the previous one: {}", certFile, keyFile,
          e.getMessage());
    }
  }

  private String stamp() {
    try {
      return Files.getLastModifiedTime(certFile) + "/" + Files.size(certFile) + "|" + Files.getLastModifiedTime(keyFile) + "/"
          + Files.size(keyFile);
    } catch (IOException e) {
      return "missing";
    }
  }

  private Svid load() {
    List<X509Certificate> chain;
    PrivateKey key;
    try {
      chain = Pem.parseCertificates(Files.readString(certFile));
      key = jdkKey(Pem.parsePrivateKey(Files.readString(keyFile)), chain.isEmpty() ? null : chain.get(0));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the TLS files " + certFile + " / " + keyFile + ": " + e, e);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("no CERTIFICATE in " + certFile);
    }
    if (!matches(key, chain.get(0))) {
      throw new IllegalArgumentException("the key in " + keyFile + " does not belong to the certificate in " + certFile);
    }
    return new Svid(key, chain, List.of());
  }

  /**
   * The PEM parser may hand back a BouncyCastle key whose algorithm reads "ECDSA"; JSSE matches server keys by the
   * name the certificate's key has ("EC"), so the key is rebuilt by that name or no cipher suite would fit it.
   */
  private static PrivateKey jdkKey(PrivateKey key, X509Certificate leaf) {
    if (leaf == null || key.getAlgorithm().equals(leaf.getPublicKey().getAlgorithm())) {
      return key;
    }
    try {
      return java.security.KeyFactory.getInstance(leaf.getPublicKey().getAlgorithm())
          .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(key.getEncoded()));
    } catch (java.security.GeneralSecurityException e) {
      return key;
    }
  }

  private static boolean matches(PrivateKey key, X509Certificate cert) {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm(); // Ed25519, Ed448
    };
    try {
      byte[] probe = "daprx-injector".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }
}
