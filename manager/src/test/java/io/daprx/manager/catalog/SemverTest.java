package io.daprx.manager.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SemverTest {

  @Test
  void ordersBySemverPrecedence() {
    List<String> ordered = List.of("0.9.0", "0.10.0-alpha", "0.10.0-alpha.1", "0.10.0-alpha.beta", "0.10.0-beta.2", "0.10.0-beta.11",
        "0.10.0-rc.1", "0.10.0", "0.10.1", "1.0.0");
    List<String> shuffled = new java.util.ArrayList<>(ordered);
    java.util.Collections.reverse(shuffled);
    assertThat(shuffled.stream().map(Semver::parse).sorted().map(Semver::toString)).containsExactlyElementsOf(ordered);
  }

  @Test
  void acceptsALeadingVAndIgnoresBuildMetadataInComparisons() {
    assertThat(Semver.parse("v1.2.3")).isEqualTo(Semver.parse("1.2.3+build.7"));
    assertThat(Semver.parse("1.2.3-rc.1").isPreRelease()).isTrue();
    assertThat(Semver.parse("1.2.3").minorLine()).isEqualTo("1.2");
  }

  @Test
  void rejectsWhatIsNotAVersion() {
    Stream.of("1.2", "01.2.3", "1.2.3-", "latest", "", "1.2.3.4").forEach(bad ->
        assertThatThrownBy(() -> Semver.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("not a semantic version"));
  }
}
