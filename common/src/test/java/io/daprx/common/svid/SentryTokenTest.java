package io.daprx.common.svid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentryTokenTest {

  @TempDir
  Path dir;

  @Test
  void withoutAFileAReplicaSendsNoTokenUnderInsecure() {
    SentryToken.Proof proof = SentryToken.proof(false, null);

    assertThat(proof.validator()).isEqualTo(TokenValidator.INSECURE);
    assertThat(proof.token().get()).isEmpty();
  }

  @Test
  void aLocalReplicaSendsItsSupervisorsTokenUnderJwksReadAnewAtEachRequest() throws Exception {
    Path file = Files.writeString(dir.resolve("dapr-operator.jwt"), "first\n");
    SentryToken.Proof proof = SentryToken.proof(false, file);

    assertThat(proof.validator()).isEqualTo(TokenValidator.JWKS);
    assertThat(proof.token().get()).isEqualTo("first");
    Files.writeString(file, "renewed");
    assertThat(proof.token().get()).isEqualTo("renewed");
  }

  @Test
  void aKubernetesReplicaSendsItsServiceAccountTokenUnderKubernetes() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "sa-token");

    assertThat(SentryToken.proof(true, file).validator()).isEqualTo(TokenValidator.KUBERNETES);
  }

  @Test
  void aMissingTokenFileIsAClearErrorAtTheRequest() {
    Path missing = dir.resolve("gone.jwt");

    assertThatThrownBy(() -> SentryToken.proof(false, missing).token().get())
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("cannot read the sentry token " + missing);
  }
}
