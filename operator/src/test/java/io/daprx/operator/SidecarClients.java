package io.daprx.operator;

import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.proto.operator.v1.OperatorGrpc;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.sentry.Sentry;
import io.daprx.sentry.SentryOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real sentry on loopback and sidecar-like gRPC clients of the operator, each with its own SVID from that sentry. */
public final class SidecarClients implements AutoCloseable {

  private final Path creds;
  private final Sentry sentry;
  private final List<X509Certificate> anchors;
  private final List<AutoCloseable> owned = new ArrayList<>();

  public SidecarClients(Path creds) {
    this.creds = creds;
    this.sentry = new Sentry(SentryOptions.defaults(creds).withPorts(0, 0, 0).withListenAddress("127.0.0.1"), Clock.systemUTC()).start();
    try {
      this.anchors = Pem.parseCertificates(Files.readString(creds.resolve("ca.crt")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The operator's options to get its SVID from this sentry. */
  public OperatorOptions withTls(OperatorOptions o) {
    return o.withTls(true, "127.0.0.1:" + sentry.port(), creds.resolve("ca.crt"));
  }

  /** A blocking/async stub for app {@code appId} in {@code namespace}, over mTLS to {@code operator}. */
  public synchronized ManagedChannel channel(Operator operator, String namespace, String appId) {
    SvidClient svid = SvidClient.connect(new SvidClient.Options("127.0.0.1:" + sentry.port(), sentry.spiffeId(), appId, namespace,
        "", TokenValidator.INSECURE, null, null, Duration.ofSeconds(3), 3), anchors, Clock.systemUTC()).start();
    ManagedChannel ch = Grpc.newChannelBuilder("127.0.0.1:" + operator.port(),
        TlsCredentials.clientMtls(svid, operator.spiffeId(), Clock.systemUTC())).build();
    owned.add(svid);
    owned.add(ch::shutdownNow);
    return ch;
  }

  public synchronized ManagedChannel plaintext(Operator operator) {
    ManagedChannel ch = Grpc.newChannelBuilder("127.0.0.1:" + operator.port(), InsecureChannelCredentials.create()).build();
    owned.add(ch::shutdownNow);
    return ch;
  }

  public OperatorGrpc.OperatorBlockingStub blocking(Operator operator, String namespace, String appId) {
    return OperatorGrpc.newBlockingStub(channel(operator, namespace, appId)).withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  public OperatorGrpc.OperatorStub async(Operator operator, String namespace, String appId) {
    return OperatorGrpc.newStub(channel(operator, namespace, appId));
  }

  public SpiffeId sentryId() {
    return sentry.spiffeId();
  }

  @Override
  public synchronized void close() {
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        // test teardown
      }
    }
    owned.clear();
    sentry.close();
  }
}
