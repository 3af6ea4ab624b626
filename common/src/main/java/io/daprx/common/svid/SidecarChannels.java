package io.daprx.common.svid;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where simulated sidecars (placement's and the scheduler's simulators, tests, benchmarks) get their channel to a
 * control-plane service: a few shared plaintext channels (many streams each, for load), or one mTLS channel per
 * sidecar with an SVID of its own app id from sentry (for identity checks).
 */
public interface SidecarChannels extends AutoCloseable {

  /** The channel the sidecar {@code appId} of {@code namespace} uses. */
  Channel channelFor(String namespace, String appId);

  @Override
  void close();

  /** {@code count} plaintext channels to {@code address}, handed out round-robin. */
  static SidecarChannels plaintext(String address, int count, boolean directExecutor) {
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ManagedChannelBuilder<?> b = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create());
      if (directExecutor) {
        b.directExecutor(); // acks are a few bytes: answer on the transport thread, no hand-off
      }
      channels.add(b.build());
    }
    return shared(channels);
  }

  /** Round-robin over channels the caller made (e.g. in-process ones); closing shuts them down. */
  static SidecarChannels shared(List<ManagedChannel> channels) {
    AtomicInteger next = new AtomicInteger();
    return new SidecarChannels() {
      @Override
      public Channel channelFor(String namespace, String appId) {
        return channels.get(Math.floorMod(next.getAndIncrement(), channels.size()));
      }

      @Override
      public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : channels) {
          try {
            c.awaitTermination(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
  }

  /**
   * One mTLS channel per sidecar: an SVID for {@code spiffe://<app trust domain>/ns/<namespace>/<app id>} from the
   * sentry at {@code sentryAddress} (INSECURE validator, as standalone daprd), and the server verified as
   * {@code serverId}.
   *
   * @param keys ED25519 as daprd 1.18, EC_P256 as daprd 1.17
   */
  static SidecarChannels mtls(String serverAddress, SpiffeId serverId, String sentryAddress, SpiffeId sentryId,
      List<X509Certificate> anchors, KeyAlgorithm keys, Clock clock) {
    return mtls(serverAddress, serverId, sentryAddress, sentryId, anchors, keys, clock, false);
  }

  /**
   * As {@link #mtls(String, SpiffeId, String, SpiffeId, List, KeyAlgorithm, Clock)}; the sidecars ask sentry for their
   * SVIDs over one shared connection (a thousand sidecars need not hold a thousand idle connections to sentry), and
   * with {@code directExecutor} each sidecar answers the server on its transport thread, as the plaintext load does.
   */
  static SidecarChannels mtls(String serverAddress, SpiffeId serverId, String sentryAddress, SpiffeId sentryId,
      List<X509Certificate> anchors, KeyAlgorithm keys, Clock clock, boolean directExecutor) {
    List<AutoCloseable> owned = new ArrayList<>();
    return new SidecarChannels() {
      private ManagedChannel sentry; // guarded by this

      @Override
      public synchronized Channel channelFor(String namespace, String appId) {
        if (sentry == null) {
          sentry = Grpc.newChannelBuilder(sentryAddress, TlsCredentials.client(() -> anchors, sentryId, clock)).build();
        }
        SvidClient svid = new SvidClient(new SvidClient.Options(sentryAddress, sentryId, appId, namespace,
            "", TokenValidator.INSECURE, null, keys, Duration.ofSeconds(3), 3), sentry, anchors, clock).start();
        ManagedChannelBuilder<?> b = Grpc.newChannelBuilder(serverAddress, TlsCredentials.clientMtls(svid, serverId, clock));
        if (directExecutor) {
          b.directExecutor();
        }
        ManagedChannel ch = b.build();
        owned.add(svid);
        owned.add(ch::shutdownNow);
        return ch;
      }

      @Override
      public synchronized void close() {
        for (AutoCloseable c : owned) {
          try {
            c.close();
          } catch (Exception e) {
            // closing simulated sidecars: nothing useful to do with a failure
          }
        }
        owned.clear();
        if (sentry != null) {
          sentry.shutdownNow();
          sentry = null;
        }
      }
    };
  }
}
