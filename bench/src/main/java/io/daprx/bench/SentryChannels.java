package io.daprx.bench;

import io.daprx.common.pki.Certs;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.proto.sentry.v1.CAGrpc;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.daprx.proto.sentry.v1.SignCertificateResponse;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** N independent TLS connections to sentry (one gRPC channel each) and the one call the benchmark makes. */
final class SentryChannels implements AutoCloseable {

  /** Called once per finished call, on a gRPC transport thread; must not block. */
  interface Outcome {
    void done(Status status);
  }

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final long timeoutMillis;

  SentryChannels(String host, int port, List<X509Certificate> anchors, SpiffeId sentryId, int count, long timeoutMillis) {
    this.timeoutMillis = timeoutMillis;
    ChannelCredentials creds = TlsCredentials.client(() -> anchors, sentryId, Clock.systemUTC());
    for (int i = 0; i < count; i++) {
      // directExecutor: callbacks run on the Netty event loop, sparing a thread hop per call on a machine whose
      // cores are shared with sentry; the callbacks only count and start the next call.
      channels.add(Grpc.newChannelBuilderForAddress(host, port, creds)
          .directExecutor()
          .userAgent("daprx-bench")
          .build());
    }
  }

  int size() {
    return channels.size();
  }

  ManagedChannel channel(long i) {
    return channels.get((int) Math.floorMod(i, (long) channels.size()));
  }

  /** Sends one request; {@code outcome} gets OK only for a response that carries a certificate chain. */
  void call(ManagedChannel channel, SignCertificateRequest req, Outcome outcome) {
    ClientCalls.asyncUnaryCall(
        channel.newCall(CAGrpc.getSignCertificateMethod(), CallOptions.DEFAULT.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS)),
        req, new StreamObserver<>() {
          private boolean hasChain;

          @Override
          public void onNext(SignCertificateResponse resp) {
            hasChain = !resp.getWorkloadCertificate().isEmpty() && resp.getTrustChainCertificatesCount() > 0;
          }

          @Override
          public void onError(Throwable t) {
            outcome.done(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            outcome.done(hasChain ? Status.OK : Status.DATA_LOSS.withDescription("response without a certificate chain"));
          }
        });
  }

  /**
   * Opens every connection (TLS handshakes stay out of the measurements) and, if {@code check}, checks on each that sentry
   * really issues what daprd expects for this key type: a chain under the anchors, the app's SPIFFE ID,
   * the CSR's key.
   */
  void verifyIssuance(CsrPool pool, List<X509Certificate> anchors, boolean check) throws Exception {
    SpiffeId expected = SpiffeId.of("public", CsrPool.NAMESPACE, CsrPool.APP_ID);
    for (ManagedChannel ch : channels) {
      SignCertificateRequest req = pool.next();
      SignCertificateResponse resp = CAGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS).signCertificate(req);
      if (!check) {
        continue;
      }
      List<X509Certificate> chain = Pem.parseCertificates(resp.getWorkloadCertificate().toByteArray());
      Certs.verifyChain(chain, anchors, java.time.Instant.now());
      X509Certificate leaf = chain.get(0);
      if (!Certs.spiffeId(leaf).map(expected::equals).orElse(false)) {
        throw new IllegalStateException("sentry issued " + Certs.spiffeId(leaf) + ", expected " + expected);
      }
      byte[] csrKey = Pem.parseCsr(req.getCertificateSigningRequest().toByteArray()).getSubjectPublicKeyInfo().getEncoded();
      if (!java.util.Arrays.equals(csrKey, leaf.getPublicKey().getEncoded())) {
        throw new IllegalStateException("the issued certificate does not carry the CSR's " + pool.type.display + " key");
      }
    }
  }

  @Override
  public void close() {
    for (ManagedChannel ch : channels) {
      ch.shutdownNow();
    }
    for (ManagedChannel ch : channels) {
      try {
        ch.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
