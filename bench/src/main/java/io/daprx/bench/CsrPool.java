package io.daprx.bench;

import com.google.protobuf.ByteString;
import io.daprx.common.pki.Certs;
import io.daprx.common.pki.Pem;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Ready-made requests, each with its own key and CSR, handed out round-robin. Built before any phase so the
 * load generator's CPU goes to sending requests, not to key generation (sentry keeps no memory of CSRs it
 * signed, so reusing them costs it the same work as fresh ones).
 */
final class CsrPool {

  /** The app identity every request asks for, as a standalone daprd asks: no trust domain, insecure validator. */
  static final String APP_ID = "bench-app";
  static final String NAMESPACE = "default";

  final KeyType type;
  private final SignCertificateRequest[] requests;
  private final AtomicInteger next = new AtomicInteger();

  private CsrPool(KeyType type, SignCertificateRequest[] requests) {
    this.type = type;
    this.requests = requests;
  }

  /** {@code size} requests made in parallel on all cores. */
  static CsrPool generate(KeyType type, int size) {
    SignCertificateRequest[] reqs = IntStream.range(0, size).parallel()
        .mapToObj(i -> request(type))
        .toArray(SignCertificateRequest[]::new);
    return new CsrPool(type, reqs);
  }

  static SignCertificateRequest request(KeyType type) {
    String pem = Pem.encodeCsr(Certs.csr(type.algorithm.generate(), type.algorithm));
    return SignCertificateRequest.newBuilder()
        .setId(APP_ID)
        .setNamespace(NAMESPACE)
        .setTokenValidator(TokenValidator.INSECURE)
        .setCertificateSigningRequest(ByteString.copyFromUtf8(pem))
        .build();
  }

  SignCertificateRequest next() {
    return requests[Math.floorMod(next.getAndIncrement(), requests.length)];
  }

  int size() {
    return requests.length;
  }
}
