package io.daprx.sentry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import io.daprx.common.pki.Pem;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundles;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.proto.sentry.v1.SignCertificateResponse;
import io.daprx.sentry.ca.IssuancePolicy;
import io.daprx.sentry.ca.Signer;
import io.daprx.sentry.validator.InsecureValidator;
import io.grpc.Status;
import io.grpc.StatusException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * Whatever a caller puts in {@code certificate_signing_request}, sentry answers with a certificate or refuses it with
 * INVALID_ARGUMENT and a short description: never an internal error, never a hang. Seeds in {@code CaServiceFuzzTestInputs}.
 */
class CaServiceFuzzTest {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final CaBundle CA = CaBundles.generate("cluster.local", "dapr-system", CaBundles.DEFAULT_CA_TTL, CLOCK);
  private static final CaService SERVICE = new CaService(new Signer(() -> CA, CLOCK),
      Map.of(TokenValidator.INSECURE, new InsecureValidator()), TokenValidator.INSECURE,
      () -> new IssuancePolicy(Duration.ofHours(24), Duration.ofMinutes(15)), "dapr-system", "cluster.local",
      new SentryMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> CA, "fuzz"));

  /**
   * An input starting with {@code D} is DER wrapped in a CERTIFICATE REQUEST PEM block, so the fuzzer mutates the
   * PKCS#10 structure itself rather than its base64; any other input is sent as it is.
   */
  @FuzzTest
  void everyCsrIsSignedOrRefusedWithInvalidArgument(byte[] input) {
    byte[] csr = input.length > 0 && input[0] == 'D'
        ? Pem.encode("CERTIFICATE REQUEST", Arrays.copyOfRange(input, 1, input.length)).getBytes(StandardCharsets.US_ASCII)
        : input;
    SignCertificateRequest req = SignCertificateRequest.newBuilder().setId("myapp").setNamespace("default")
        .setTokenValidator(TokenValidator.INSECURE).setCertificateSigningRequest(ByteString.copyFrom(csr)).build();
    try {
      SignCertificateResponse resp = SERVICE.sign(req);
      assertThat(Pem.parseCertificates(resp.getWorkloadCertificate().toByteArray())).hasSize(2);
    } catch (StatusException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).isNotBlank().doesNotContain("\n").hasSizeLessThan(300);
    }
  }
}
