package io.daprx.common.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpiffeIdTest {

  @Test
  void formatsAndParsesDaprIdentities() {
    SpiffeId id = SpiffeId.parse("spiffe://public/ns/default/myapp");
    assertThat(id).isEqualTo(SpiffeId.of("public", "default", "myapp"));
    assertThat(id.toString()).isEqualTo("spiffe://public/ns/default/myapp");
    assertThat(SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry").toUri().toString())
        .isEqualTo("spiffe://cluster.local/ns/dapr-system/dapr-sentry");
  }

  @Test
  void rejectsIdsThatAreNotDaprShaped() {
    assertThatThrownBy(() -> SpiffeId.parse("https://public/ns/default/app")).hasMessageContaining("spiffe://");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://public")).hasMessageContaining("no path");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://public/default/app")).hasMessageContaining("/ns/<namespace>/<app-id>");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://public/ns/default/app/extra")).hasMessageContaining("/ns/<namespace>/<app-id>");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://Public/ns/default/app")).hasMessageContaining("trust domain");
  }

  @Test
  void appIdsLongerThan64CharactersOrWithIllegalCharactersAreRefused() {
    SpiffeId.requireValidAppId("a".repeat(64));
    assertThatThrownBy(() -> SpiffeId.requireValidAppId("a".repeat(65))).hasMessageContaining("65 characters").hasMessageContaining("64");
    assertThatThrownBy(() -> SpiffeId.requireValidAppId("my app")).hasMessageContaining("invalid id");
    assertThatThrownBy(() -> SpiffeId.requireValidAppId("a/b")).hasMessageContaining("invalid id");
    assertThatThrownBy(() -> SpiffeId.requireValidAppId("..")).hasMessageContaining("invalid id");
    assertThatThrownBy(() -> SpiffeId.requireValidAppId("")).hasMessageContaining("id is required");
  }

  @Test
  void namespacesFollowKubernetesRules() {
    SpiffeId.requireValidNamespace("dapr-system");
    assertThatThrownBy(() -> SpiffeId.requireValidNamespace("")).hasMessageContaining("namespace is required");
    assertThatThrownBy(() -> SpiffeId.requireValidNamespace("Default")).hasMessageContaining("invalid namespace");
    assertThatThrownBy(() -> SpiffeId.requireValidNamespace("-x")).hasMessageContaining("invalid namespace");
    assertThatThrownBy(() -> SpiffeId.requireValidNamespace("a".repeat(64))).hasMessageContaining("invalid namespace");
  }
}
