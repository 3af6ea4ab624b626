package io.daprx.common.tls;

import io.daprx.common.pki.Certs;
import io.daprx.common.spiffe.SpiffeId;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies a TLS peer the way daprd does: the presented chain must lead to one of the trust anchors,
 * then the leaf's SPIFFE URI SAN must be acceptable. There is deliberately no host-name check: SPIFFE
 * identities, not DNS names, are what the control plane authenticates.
 *
 * <p>Extends {@link X509ExtendedTrustManager} so that the JDK does not wrap it in its own endpoint
 * identification.
 */
public final class SpiffeTrustManager extends X509ExtendedTrustManager {

  private final Supplier<List<X509Certificate>> anchors;
  private final Predicate<SpiffeId> acceptPeer;
  private final String expectation;
  private final Clock clock;

  /**
   * @param anchors the current trust anchors (read at each handshake, so rotation needs no restart)
   * @param acceptPeer which peer identities are allowed
   * @param expectation words for error messages, e.g. "spiffe://cluster.local/ns/dapr-system/dapr-sentry"
   */
  public SpiffeTrustManager(Supplier<List<X509Certificate>> anchors, Predicate<SpiffeId> acceptPeer, String expectation, Clock clock) {
    this.anchors = anchors;
    this.acceptPeer = acceptPeer;
    this.expectation = expectation;
    this.clock = clock;
  }

  /** Accepts exactly one identity. */
  public static SpiffeTrustManager expecting(Supplier<List<X509Certificate>> anchors, SpiffeId peer, Clock clock) {
    return new SpiffeTrustManager(anchors, peer::equals, peer.toString(), clock);
  }

  /** Accepts any identity of the given trust domains (the handler then authorizes by id). */
  public static SpiffeTrustManager anyOf(Supplier<List<X509Certificate>> anchors, Clock clock) {
    return new SpiffeTrustManager(anchors, id -> true, "any SPIFFE ID", clock);
  }

  /** Checks a chain; the returned identity is the peer's. */
  public SpiffeId verify(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("peer presented no certificate");
    }
    try {
      Certs.verifyChain(Arrays.asList(chain), anchors.get(), clock.instant());
    } catch (CertificateException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new CertificateException("peer certificate does not verify: " + e.getMessage(), e);
    }
    SpiffeId id = Certs.spiffeId(chain[0])
        .orElseThrow(() -> new CertificateException("peer certificate has no (single) SPIFFE URI SAN"));
    if (!acceptPeer.test(id)) {
      throw new CertificateException("peer identity " + id + " is not " + expectation);
    }
    return id;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    verify(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return anchors.get().toArray(new X509Certificate[0]);
  }
}
