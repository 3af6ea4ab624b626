package io.daprx.sentry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.nimbusds.jose.JWSAlgorithm;
import io.daprx.common.pki.Certs;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundles;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.sentry.ca.IssuancePolicy;
import io.daprx.sentry.ca.Signer;
import io.daprx.sentry.jwt.JwtIssuer;
import io.daprx.sentry.jwt.JwtKeys;
import io.daprx.sentry.jwt.JwtOptions;
import io.daprx.sentry.jwt.JwtSigningKey;
import io.daprx.sentry.validator.InsecureValidator;
import io.grpc.Status;
import io.grpc.StatusException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audiences a request may ask JWTs for: the identity's trust domain always, the asked ones once each, bad ones refused by index. */
class CaServiceJwtTest {

  private final Clock clock = Clock.systemUTC();
  private final CaBundle ca = CaBundles.generate("cluster.local", "dapr-system", CaBundles.DEFAULT_CA_TTL, clock);
  private final JwtSigningKey key = JwtKeys.open(JwtKeys.generate(JWSAlgorithm.ES256, null), JWSAlgorithm.ES256, null, "test");
  private final JwtOptions options = new JwtOptions(true, null, null, null, JWSAlgorithm.ES256, null, Duration.ofHours(1));
  private final CaService service = new CaService(new Signer(() -> ca, clock), Map.of(TokenValidator.INSECURE, new InsecureValidator()),
      TokenValidator.INSECURE, () -> new IssuancePolicy(Duration.ofHours(24), Duration.ofMinutes(15)), "dapr-system", "cluster.local",
      new SentryMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> ca, "test"), new JwtIssuer(() -> key, options, clock));

  private SignCertificateRequest.Builder request(List<String> audiences) {
    return SignCertificateRequest.newBuilder().setId("myapp").setNamespace("default").setTokenValidator(TokenValidator.INSECURE)
        .setCertificateSigningRequest(ByteString.copyFromUtf8(Pem.encodeCsr(Certs.csr(KeyAlgorithm.EC_P256.generate(), KeyAlgorithm.EC_P256))))
        .addAllJwtAudiences(audiences);
  }

  @Test
  void theTrustDomainComesFirstAndARepeatedAudienceGetsOneToken() throws Exception {
    var res = service.sign(request(List.of("public", "a", "a")).build());
    assertThat(res.getPerAudienceJwtsMap()).containsOnlyKeys("public", "a");
    assertThat(com.nimbusds.jwt.SignedJWT.parse(res.getJwt().getValue()).getJWTClaimsSet().getAudience()).containsExactly("public", "a");
  }

  @Test
  void anEmptyAudienceOrTooManyAreRefusedAsInvalidArguments() {
    assertThatThrownBy(() -> service.sign(request(List.of("a", " ")).build()))
        .isInstanceOfSatisfying(StatusException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("jwt_audiences[1] must be a non-empty audience");
    assertThatThrownBy(() -> service.sign(request(Collections.nCopies(CaService.MAX_JWT_AUDIENCES + 1, "a")).build()))
        .hasMessageContaining("jwt_audiences has 33 entries; at most 32");
  }
}
