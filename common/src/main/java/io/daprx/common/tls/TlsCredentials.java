package io.daprx.common.tls;

import io.daprx.common.spiffe.SpiffeId;
import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
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

  /** A server that presents its SVID and requires a client SVID chaining to the trust anchors (mTLS). */
  public static ServerCredentials serverMtls(SvidSource svid, Clock clock) {
    return TlsServerCredentials.newBuilder()
        .keyManager(new SvidKeyManager(svid))
        .trustManager(SpiffeTrustManager.anyOf(() -> svid.current().trustAnchors(), clock))
        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
        .build();
  }

  /** A client without a certificate that accepts only {@code server} as the peer (e.g. a fresh sidecar calling sentry). */
  public static ChannelCredentials client(Supplier<List<X509Certificate>> anchors, SpiffeId server, Clock clock) {
    return TlsChannelCredentials.newBuilder()
        .trustManager(SpiffeTrustManager.expecting(anchors, server, clock))
        .build();
  }

  /** A client that presents its own SVID and accepts only {@code server}. */
  public static ChannelCredentials clientMtls(SvidSource svid, SpiffeId server, Clock clock) {
    return TlsChannelCredentials.newBuilder()
        .keyManager(new SvidKeyManager(svid))
        .trustManager(SpiffeTrustManager.expecting(() -> svid.current().trustAnchors(), server, clock))
        .build();
  }
}
