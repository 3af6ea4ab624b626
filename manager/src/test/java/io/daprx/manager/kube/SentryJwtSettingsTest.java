package io.daprx.manager.kube;

import static io.daprx.manager.kube.Fixtures.args;
import static io.daprx.manager.kube.Fixtures.podSpecs;
import static io.daprx.manager.kube.Fixtures.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.manager.install.InstallPlan;
import io.daprx.manager.install.LocalCluster;
import io.daprx.manager.install.PodPlan;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.model.InvalidSettingsException;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extension settings that turn on sentry's JWT SVIDs and OIDC discovery, as the rendered sentry runs them. */
class SentryJwtSettingsTest {

  private static final Map<String, String> JWT_AND_OIDC = Map.of(
      "dapr_sentry.jwt.enabled", "true",
      "dapr_sentry.jwt.issuer", "https://oidc.example.com",
      "dapr_sentry.oidc.enabled", "true",
      "dapr_sentry.oidc.pathPrefix", "/dapr",
      "dapr_sentry.oidc.allowedHosts", "oidc.example.com, oidc.internal",
      "dapr_sentry.oidc.tls.enabled", "false");

  @TempDir
  Path dir;

  @Test
  void sentryOnKubernetesGetsUpstreamsFlagsAndAnOidcContainerPort() {
    List<HasMetadata> objects = render(JWT_AND_OIDC);
    assertThat(args(objects, "dapr-sentry")).containsSubsequence("--jwt-enabled=true", "--jwt-issuer=https://oidc.example.com",
        "--oidc-enabled=true", "--oidc-server-listen-address=0.0.0.0", "--oidc-server-listen-port=9080", "--oidc-path-prefix=/dapr",
        "--oidc-allowed-hosts=oidc.example.com,oidc.internal", "--oidc-server-tls-enabled=false");
    List<ContainerPort> ports = podSpecs(objects).get("dapr-sentry").getContainers().get(0).getPorts();
    assertThat(ports).anySatisfy(p -> {
      assertThat(p.getName()).isEqualTo("oidc");
      assertThat(p.getContainerPort()).isEqualTo(9080);
    });
  }

  @Test
  void byDefaultSentryIssuesNoJwtAndServesNoDiscovery() {
    List<HasMetadata> objects = render(Map.of());
    assertThat(args(objects, "dapr-sentry")).noneMatch(a -> a.startsWith("--jwt") || a.startsWith("--oidc"));
    assertThat(podSpecs(objects).get("dapr-sentry").getContainers().get(0).getPorts()).noneMatch(p -> p.getName().equals("oidc"));
  }

  @Test
  void eachLocalSentryReplicaServesDiscoveryOnAPortOfItsOwn() {
    InstallPlan plan = InstallPlan.forLocal(new LocalCluster("c1", dir, 41000), "dapr-system", DaprSettings.parse(JWT_AND_OIDC));
    List<String> ports = plan.pods().stream().filter(p -> p.component().equals("sentry")).map(PodPlan::args)
        .map(a -> a.stream().filter(x -> x.startsWith("--oidc-server-listen-port=")).findFirst().orElseThrow()).toList();
    assertThat(ports).hasSize(3).doesNotHaveDuplicates();
    assertThat(plan.pods().stream().filter(p -> p.component().equals("sentry")).map(PodPlan::args))
        .allSatisfy(a -> assertThat(a).contains("--oidc-server-listen-address=127.0.0.1"));
  }

  @Test
  void settingsThatCannotWorkAreRefusedSayingWhatToSet() {
    assertThatThrownBy(() -> DaprSettings.parse(Map.of("dapr_sentry.oidc.enabled", "true", "dapr_sentry.jwt.issuer", "https://x",
        "dapr_sentry.jwt.signingAlgorithm", "HS256")))
        .isInstanceOf(InvalidSettingsException.class)
        .hasMessageContaining("dapr_sentry.oidc.enabled publishes the keys of sentry's JWTs: set dapr_sentry.jwt.enabled=true")
        .hasMessageContaining("dapr_sentry.jwt.issuer is set but dapr_sentry.jwt.enabled is false")
        .hasMessageContaining("dapr_sentry.jwt.signingAlgorithm 'HS256' is not supported")
        .hasMessageContaining("dapr_sentry.oidc.tls.certFile and dapr_sentry.oidc.tls.keyFile");
    assertThatThrownBy(() -> DaprSettings.parse(Map.of("dapr_sentry.jwt.enabled", "true", "dapr_sentry.oidc.jwksURI", "jwks.json")))
        .hasMessageContaining("dapr_sentry.oidc.jwksURI").hasMessageContaining("absolute URL");
  }
}
