package io.daprx.placement.server;

import io.daprx.common.tls.SpiffeTrustManager;
import io.daprx.common.tls.SvidKeyManager;
import io.daprx.common.tls.SvidSource;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextServerCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.time.Clock;
import javax.net.ssl.SSLException;

/**
 * Server mTLS for sidecars on the JDK's TLS engine. daprd 1.18 presents Ed25519 client certificates, and the
 * BoringSSL engine gRPC's Netty prefers does not offer Ed25519 among the signature algorithms it accepts from
 * clients, so those handshakes fail with NO_COMMON_SIGNATURE_ALGORITHMS; the JDK (15+) accepts Ed25519, P-256
 * and RSA. Same SVID key manager and SPIFFE trust manager as {@code TlsCredentials.serverMtls}.
 */
public final class SidecarTls {

  private SidecarTls() {}

  public static ServerCredentials serverMtls(SvidSource svid, Clock clock) {
    try {
      SslContextBuilder builder = SslContextBuilder.forServer(new SvidKeyManager(svid))
          .trustManager(SpiffeTrustManager.anyOf(() -> svid.current().trustAnchors(), clock))
          .clientAuth(ClientAuth.REQUIRE);
      return NettySslContextServerCredentials.create(GrpcSslContexts.configure(builder, SslProvider.JDK).build());
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the TLS context for sidecars: " + e.getMessage(), e);
    }
  }
}
