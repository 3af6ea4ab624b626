package io.daprx.bench;

import io.daprx.common.pki.CryptoProviders;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.runtime.Endpoints;
import io.daprx.common.runtime.Logging;
import io.daprx.common.runtime.Readiness;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.Svid;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.proto.sentry.v1.CAGrpc;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.daprx.proto.sentry.v1.SignCertificateResponse;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundles;
import io.daprx.sentry.ca.IssuancePolicy;
import io.daprx.sentry.ca.IssuedCertificate;
import io.daprx.sentry.ca.Signer;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A stand-in for sentry, for calibrating the benchmark — not a CA anyone should use (INSECURE only, no id
 * validation). It serves the same {@code CA/SignCertificate} over the same TLS credentials, Netty server
 * and JVM flags as {@code daprx sentry}, with one of two handlers:
 *
 * <ul>
 *   <li>{@code canned}: answers every request with one pre-signed response — what gRPC + TLS + protobuf
 *       alone cost, the ceiling any sign path sits under;
 *   <li>{@code fast}: {@link FastSignPath}, the proposed signing path, to see what those changes would give.
 * </ul>
 *
 * {@code --executor fixed} runs handlers on one thread per core instead of gRPC's unbounded cached pool.
 */
@Command(name = "proto-sentry", mixinStandardHelpOptions = true)
public final class ProtoSentry implements java.util.concurrent.Callable<Integer> {

  @Option(names = "--port", required = true) int port;
  @Option(names = "--healthz-port", required = true) int healthzPort;
  @Option(names = "--metrics-port", required = true) int metricsPort;
  @Option(names = "--issuer-credentials", required = true, description = "directory; ca.crt is written there") Path dir;
  @Option(names = "--mode", defaultValue = "fast", description = "canned or fast") String mode;
  @Option(names = "--executor", defaultValue = "default", description = "default (gRPC's cached pool) or fixed (one thread per core)")
  String executor;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ProtoSentry()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Logging.configure("warn", false);
    String provider = CryptoProviders.init(CryptoProviders.Preference.AUTO);
    Clock clock = Clock.systemUTC();
    CaBundle ca = CaBundles.generate("cluster.local", "dapr-system", CaBundles.DEFAULT_CA_TTL, clock);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("ca.crt"), ca.trustAnchorsPem());
    Signer signer = new Signer(() -> ca, clock);
    KeyPair keys = KeyAlgorithm.EC_P256.generate();
    IssuedCertificate own = signer.sign(keys.getPublic(), SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry"),
        List.of("localhost"), new IssuancePolicy(Duration.ofHours(24), Duration.ofMinutes(15)));
    Svid svid = new Svid(keys.getPrivate(), Pem.parseCertificates(own.chainPem()), ca.trustAnchors());

    FastSignPath fast = new FastSignPath(ca, Duration.ofHours(24), Duration.ofMinutes(15));
    SignCertificateResponse canned = fast.sign(CsrPool.request(KeyType.ED25519));
    boolean isCanned = switch (mode) {
      case "canned" -> true;
      case "fast" -> false;
      default -> throw new IllegalArgumentException("--mode canned or fast");
    };
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port), TlsCredentials.serverTls(() -> svid))
        .addService(new CAGrpc.CAImplBase() {
          @Override
          public void signCertificate(SignCertificateRequest req, StreamObserver<SignCertificateResponse> out) {
            try {
              out.onNext(isCanned ? canned : fast.sign(req));
              out.onCompleted();
            } catch (Exception e) {
              out.onError(Status.INVALID_ARGUMENT.withDescription(e.toString()).asException());
            }
          }
        });
    if (executor.equals("fixed")) {
      b.executor(Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors()));
    }
    Server server = b.build().start();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Gauge.builder("daprx_crypto_provider", () -> 1).tag("provider", provider + " [proto-sentry " + mode + ", executor " + executor + "]")
        .register(registry);
    Readiness readiness = new Readiness();
    readiness.declare("grpc");
    readiness.set("grpc", true);
    Endpoints endpoints = new Endpoints("127.0.0.1", healthzPort, metricsPort, readiness, registry);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      endpoints.close();
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      stopped.countDown();
    }));
    stopped.await();
    return 0;
  }
}
