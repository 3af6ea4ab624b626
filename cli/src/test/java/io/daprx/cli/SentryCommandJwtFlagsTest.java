package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Upstream's JWT/OIDC flags in both forms its users and its Helm chart write them: {@code --flag} and {@code --flag=value}. */
class SentryCommandJwtFlagsTest {

  private static SentryCommand parse(String... args) {
    SentryCommand c = new SentryCommand();
    new CommandLine(c).registerConverter(java.time.Duration.class, io.daprx.common.runtime.GoDuration::parse).parseArgs(args);
    return c;
  }

  @Test
  void defaultsAreUpstreams() {
    SentryCommand c = parse();
    assertThat(c.jwtEnabled).isFalse();
    assertThat(c.oidcEnabled).isFalse();
    assertThat(c.oidcTlsEnabled).isTrue();
    assertThat(c.oidcPort).isEqualTo(9080);
    assertThat(c.oidcListenAddress).isEqualTo("localhost");
    assertThat(c.jwtKeyFilename).isEqualTo("jwt.key");
    assertThat(c.jwksFilename).isEqualTo("jwks.json");
    assertThat(c.jwtSigningAlgorithm).isEqualTo("RS256");
    assertThat(c.jwtTtl).hasHours(24);
  }

  @Test
  void theChartsAssignedFormAndTheBareFormBothWork() {
    SentryCommand chart = parse("--jwt-enabled=true", "--oidc-enabled=true", "--oidc-server-tls-enabled=false",
        "--oidc-allowed-hosts=a.example,b.example", "--oidc-server-tls-cert-file=/x.crt");
    assertThat(chart.jwtEnabled).isTrue();
    assertThat(chart.oidcEnabled).isTrue();
    assertThat(chart.oidcTlsEnabled).isFalse();
    assertThat(chart.oidcAllowedHosts).containsExactly("a.example", "b.example");
    assertThat(chart.oidcTlsCertFile).isEqualTo(Path.of("/x.crt"));
    SentryCommand bare = parse("--jwt-enabled", "--jwt-issuer", "https://i.example", "--oidc-enabled", "--jwt-ttl", "1h");
    assertThat(bare.jwtEnabled).isTrue();
    assertThat(bare.oidcEnabled).isTrue();
    assertThat(bare.jwtIssuer).isEqualTo("https://i.example");
    assertThat(bare.jwtTtl).hasHours(1);
  }
}
