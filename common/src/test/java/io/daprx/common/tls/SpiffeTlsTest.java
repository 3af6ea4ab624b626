package io.daprx.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.TestPki;
import io.daprx.common.spiffe.SpiffeId;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextServerCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.stub.StreamObserver;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real TLS on loopback: servers present SVIDs and clients accept peers by SPIFFE ID, as daprd does. */
class SpiffeTlsTest {

  private static final SpiffeId SERVER = SpiffeId.of("cluster.local", "dapr-system", "dapr-operator");
  private static final SpiffeId APP = SpiffeId.of("public", "default", "myapp");

  private final TestPki pki = new TestPki("cluster.local");
  private final Clock clock = Clock.systemUTC();
  private Server server;
  private ManagedChannel channel;
  private final AtomicReference<SpiffeId> seenPeer = new AtomicReference<>();

  @AfterEach
  void stop() {
    if (channel != null) channel.shutdownNow();
    if (server != null) server.shutdownNow();
  }

  private int startMtlsServer(Svid svid) throws Exception {
    return startServer(TlsCredentials.serverMtls(() -> svid, clock));
  }

  private int startServer(io.grpc.ServerCredentials credentials) throws Exception {
    HealthGrpc.HealthImplBase svc = new HealthGrpc.HealthImplBase() {
      @Override
      public void check(HealthCheckRequest req, StreamObserver<HealthCheckResponse> out) {
        seenPeer.set(PeerIdentity.current().orElse(null));
        out.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
        out.onCompleted();
      }
    };
    server = Grpc.newServerBuilderForPort(0, credentials)
        .addService(ServerInterceptors.intercept(svc, new PeerIdentity())).build().start();
    return server.getPort();
  }

  @Test
  void mtlsPeersSeeEachOthersSpiffeIdsWithoutHostNameChecks() throws Exception {
    int port = startMtlsServer(pki.issue(SERVER));
    Svid app = pki.issue(APP);
    // "127.0.0.1" matches no name in the certificate: only the SPIFFE ID is checked
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, TlsCredentials.clientMtls(() -> app, SERVER, clock)).build();
    HealthCheckResponse resp = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
    assertThat(resp.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(seenPeer.get()).isEqualTo(APP);
  }

  @Test
  void clientsAcceptAServerThatPresentsAnEd25519Svid() throws Exception {
    // upstream's 1.18 sentry and placement present Ed25519 SVIDs; the BoringSSL engine fails these handshakes
    Svid ed = pki.issue(SERVER, KeyAlgorithm.ED25519);
    int port = startMtlsServer(ed);
    Svid app = pki.issue(APP, KeyAlgorithm.ED25519);
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, TlsCredentials.clientMtls(() -> app, SERVER, clock)).build();
    assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    channel.shutdownNow();
    server.shutdownNow();

    // a caller without a certificate, as a fresh sidecar calling sentry
    int tlsPort = startServer(NettySslContextServerCredentials.create(
        GrpcSslContexts.configure(SslContextBuilder.forServer(new SvidKeyManager(() -> ed)), SslProvider.JDK).build()));
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", tlsPort, TlsCredentials.client(pki::anchors, SERVER, clock)).build();
    assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void clientRefusesAServerWithAnotherIdentity() throws Exception {
    int port = startMtlsServer(pki.issue(SpiffeId.of("cluster.local", "dapr-system", "impostor")));
    Svid app = pki.issue(APP);
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, TlsCredentials.clientMtls(() -> app, SERVER, clock)).build();
    assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()))
        .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("UNAVAILABLE");
  }

  @Test
  void serverRefusesAClientFromAnotherCa() throws Exception {
    int port = startMtlsServer(pki.issue(SERVER));
    Svid stranger = new TestPki("other").issue(APP);
    Svid forClient = new Svid(stranger.privateKey(), stranger.chain(), pki.anchors()); // trusts our server
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, TlsCredentials.clientMtls(() -> forClient, SERVER, clock)).build();
    assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()))
        .isInstanceOf(StatusRuntimeException.class);
    assertThat(seenPeer.get()).isNull();
  }

  @Test
  void trustManagerChecksChainTimeAndIdentity() throws Exception {
    Instant now = Instant.now();
    SpiffeTrustManager tm = SpiffeTrustManager.expecting(pki::anchors, SERVER, Clock.fixed(now, ZoneOffset.UTC));
    X509Certificate[] good = pki.issue(SERVER).chain().toArray(new X509Certificate[0]);
    assertThat(tm.verify(good)).isEqualTo(SERVER);

    X509Certificate[] expired = pki.issue(SERVER, now.minusSeconds(7200), now.minusSeconds(3600)).chain().toArray(new X509Certificate[0]);
    assertThatThrownBy(() -> tm.verify(expired)).isInstanceOf(CertificateException.class);

    X509Certificate[] foreign = new TestPki("other").issue(SERVER).chain().toArray(new X509Certificate[0]);
    assertThatThrownBy(() -> tm.verify(foreign)).isInstanceOf(CertificateException.class).hasMessageContaining("trust anchor");

    X509Certificate[] otherId = pki.issue(APP).chain().toArray(new X509Certificate[0]);
    assertThatThrownBy(() -> tm.verify(otherId)).hasMessageContaining(APP.toString()).hasMessageContaining(SERVER.toString());

    assertThatThrownBy(() -> tm.verify(new X509Certificate[0])).hasMessageContaining("no certificate");
  }
}
