package io.daprx.common.tls;

import io.daprx.common.pki.Certs;
import io.daprx.common.spiffe.SpiffeId;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** Makes the verified SPIFFE ID of an mTLS peer available to gRPC handlers through the {@link Context}. */
public final class PeerIdentity implements ServerInterceptor {

  private static final Context.Key<SpiffeId> KEY = Context.key("daprx-peer-spiffe-id");

  /** The peer of the current call, if it presented a SPIFFE certificate. */
  public static Optional<SpiffeId> current() {
    return Optional.ofNullable(KEY.get());
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    SpiffeId id = null;
    if (session != null) {
      try {
        Certificate[] peer = session.getPeerCertificates();
        if (peer.length > 0 && peer[0] instanceof X509Certificate leaf) {
          id = Certs.spiffeId(leaf).orElse(null);
        }
      } catch (SSLPeerUnverifiedException e) {
        // no client certificate: handlers see an empty identity
      }
    }
    if (id == null) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(Context.current().withValue(KEY, id), call, headers, next);
  }
}
