package io.daprx.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.daprx.common.pki.TestPki;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.Svid;
import io.daprx.common.tls.TlsCredentials;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every sidecar-facing server built by {@link GrpcServers#sidecarFacing} promises daprd, over real TLS on loopback. */
class GrpcServersTest {

  private static final SpiffeId SERVER = SpiffeId.of("cluster.local", "dapr-system", "dapr-placement");
  private static final SpiffeId APP = SpiffeId.of("public", "default", "myapp");
  /** daprd's client keepalive; also the shortest interval grpc-java clients may ping at. */
  private static final Duration DAPRD_PING_INTERVAL = Duration.ofSeconds(10);

  private final TestPki pki = new TestPki("cluster.local");
  private final Clock clock = Clock.systemUTC();
  private final Svid serverSvid = pki.issue(SERVER);
  private final Svid appSvid = pki.issue(APP);
  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    servers.forEach(Server::shutdownNow);
  }

  @Test
  void aSidecarPingingEvery10sWithoutCallsKeepsItsConnection() throws Exception {
    ServerCredentials mtls = TlsCredentials.serverMtls(() -> serverSvid, clock);
    int shared = start(GrpcServers.sidecarFacing("127.0.0.1", 0, mtls, GrpcServers.SMALL_MESSAGES));
    // the control: gRPC's defaults, as sentry had them. It must drop the same client within the same time, which
    // shows the pings really flow (a test that waited 30 s without them would prove nothing)
    int plain = start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), mtls));
    ManagedChannel sidecar = pingingChannel(shared);
    ManagedChannel control = pingingChannel(plain);
    await().atMost(Duration.ofSeconds(10)).until(() -> sidecar.getState(true) == ConnectivityState.READY
        && control.getState(true) == ConnectivityState.READY);
    List<ConnectivityState> left = new CopyOnWriteArrayList<>();
    sidecar.notifyWhenStateChanged(ConnectivityState.READY, () -> left.add(sidecar.getState(false)));

    // the third ping (at ~30 s) is the strike that closes a connection whose server does not permit them
    await().atMost(DAPRD_PING_INTERVAL.multipliedBy(3).plusSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> control.getState(false) != ConnectivityState.READY);

    assertThat(left).as("states the sidecar's channel moved to").isEmpty();
    assertThat(sidecar.getState(false)).isEqualTo(ConnectivityState.READY);
    assertThat(HealthGrpc.newBlockingStub(sidecar).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void requestsAreAcceptedUpToTheServersLimitAndRefusedBeyondIt() throws Exception {
    ServerCredentials mtls = TlsCredentials.serverMtls(() -> serverSvid, clock);
    int small = start(GrpcServers.sidecarFacing("127.0.0.1", 0, mtls, GrpcServers.SMALL_MESSAGES));
    int large = start(GrpcServers.sidecarFacing("127.0.0.1", 0, mtls, GrpcServers.LARGE_MESSAGES));
    HealthCheckRequest big = HealthCheckRequest.newBuilder().setService("x".repeat(GrpcServers.SMALL_MESSAGES + 1)).build();

    assertThat(HealthGrpc.newBlockingStub(channel(large)).check(big).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel(small)).check(big))
        .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("RESOURCE_EXHAUSTED");
  }

  @Test
  void aNonPositiveLimitIsRefusedWithTheValue() {
    assertThatThrownBy(() -> GrpcServers.sidecarFacing("127.0.0.1", 0, TlsCredentials.serverTls(() -> serverSvid), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive, got 0");
  }

  private int start(NettyServerBuilder builder) throws Exception {
    Server server = builder.addService(new HealthGrpc.HealthImplBase() {
      @Override
      public void check(HealthCheckRequest req, StreamObserver<HealthCheckResponse> out) {
        out.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
        out.onCompleted();
      }
    }).build().start();
    servers.add(server);
    return server.getPort();
  }

  /** A client that pings as daprd does: every 10 s, also without calls in flight. */
  private ManagedChannel pingingChannel(int port) {
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port, TlsCredentials.clientMtls(() -> appSvid, SERVER, clock))
        .keepAliveTime(DAPRD_PING_INTERVAL.toSeconds(), TimeUnit.SECONDS)
        .keepAliveTimeout(5, TimeUnit.SECONDS)
        .keepAliveWithoutCalls(true)
        .build();
    channels.add(c);
    return c;
  }

  private ManagedChannel channel(int port) {
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port, TlsCredentials.clientMtls(() -> appSvid, SERVER, clock))
        .maxInboundMessageSize(GrpcServers.LARGE_MESSAGES).build();
    channels.add(c);
    return c;
  }
}
