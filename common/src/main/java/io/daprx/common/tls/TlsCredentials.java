package io.daprx.common.tls;

import io.daprx.common.spiffe.SpiffeId;
import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextServerCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/** gRPC credentials for control-plane servers and their clients, built on SPIFFE identities. */
public final class TlsCredentials {

  private TlsCredentials() {}

  /** A server that presents its SVID and asks for no client certificate (sentry: callers prove themselves with tokens). */
  public static ServerCredentials serverTls(SvidSource svid) {
    return TlsServerCredentials.newBuilder().keyManager(new SvidKeyManager(svid)).build();
  }

  /**
   * A server that presents its SVID and requires a client SVID chaining to the trust anchors (mTLS). It runs
   * on the JDK's TLS engine: daprd 1.18 presents Ed25519 client certificates, and the BoringSSL engine gRPC's
   * Netty prefers offers no Ed25519 among the signature algorithms it accepts from clients (handshakes fail with
   * NO_COMMON_SIGNATURE_ALGORITHMS); the JDK accepts Ed25519, P-256 and RSA.
   */
  public static ServerCredentials serverMtls(SvidSource svid, Clock clock) {
    try {
      SslContextBuilder builder = SslContextBuilder.forServer(new SvidKeyManager(svid))
          .trustManager(SpiffeTrustManager.anyOf(() -> svid.current().trustAnchors(), clock))
          .clientAuth(ClientAuth.REQUIRE);
      return NettySslContextServerCredentials.create(GrpcSslContexts.configure(builder, SslProvider.JDK).build());
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the mTLS context: " + e.getMessage(), e);
    }
  }

  /**
   * A client without a certificate that accepts only {@code server} as the peer (e.g. a fresh sidecar calling sentry).
   * Clients run on the JDK's TLS engine too: upstream's 1.18 servers (sentry, placement, ...) present Ed25519 SVIDs,
   * and the BoringSSL engine does not offer Ed25519 among the signature algorithms it accepts from a server, so
   * the handshake fails with HANDSHAKE_FAILURE before our trust manager sees the chain.
   */
  public static ChannelCredentials client(Supplier<List<X509Certificate>> anchors, SpiffeId server, Clock clock) {
    return onJdkEngine(SslContextBuilder.forClient().trustManager(SpiffeTrustManager.expecting(anchors, server, clock)));
  }

  /** A client that presents its own SVID and accepts only {@code server} (on the JDK's engine, see {@link #client}). */
  public static ChannelCredentials clientMtls(SvidSource svid, SpiffeId server, Clock clock) {
    return onJdkEngine(SslContextBuilder.forClient()
        .keyManager(new SvidKeyManager(svid))
        .trustManager(SpiffeTrustManager.expecting(() -> svid.current().trustAnchors(), server, clock)));
  }

  private static ChannelCredentials onJdkEngine(SslContextBuilder builder) {
    try {
      return NettySslContextChannelCredentials.create(GrpcSslContexts.configure(builder, SslProvider.JDK).build());
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the client TLS context: " + e.getMessage(), e);
    }
  }
}
