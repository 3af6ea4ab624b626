package io.daprx.manager.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessSpecTest {

  private static final URI READY = URI.create("http://127.0.0.1:8080/healthz");

  private static ProcessSpec spec(String name, List<String> command, Map<String, String> env, URI readiness) {
    return ProcessSpec.of(name, "sentry", command, env, Path.of("/tmp/logs/" + "sentry.log"), readiness);
  }

  @Test
  void hashIsStableAndIgnoresEnvOrderAndName() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("A", "1");
    ab.put("B", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("B", "2");
    ba.put("A", "1");
    ProcessSpec one = spec("dapr-sentry-0", List.of("daprx", "sentry"), ab, READY);
    ProcessSpec two = spec("dapr-sentry-1", List.of("daprx", "sentry"), ba, READY);
    assertThat(one.specHash()).isEqualTo(two.specHash()).hasSize(24);
  }

  @Test
  void hashChangesWithEverythingThatNeedsANewProcess() {
    ProcessSpec base = spec("p", List.of("daprx", "sentry"), Map.of("A", "1"), READY);
    assertThat(spec("p", List.of("daprx", "sentry", "--port", "1"), Map.of("A", "1"), READY).specHash())
        .isNotEqualTo(base.specHash());
    assertThat(spec("p", List.of("daprx", "sentry"), Map.of("A", "2"), READY).specHash()).isNotEqualTo(base.specHash());
    assertThat(spec("p", List.of("daprx", "sentry"), Map.of("A", "1"), null).specHash()).isNotEqualTo(base.specHash());
    assertThat(spec("p", List.of("daprx sentry"), Map.of("A", "1"), READY).specHash()).isNotEqualTo(base.specHash());
  }

  @Test
  void rejectsWhatCannotBeLaunchedOrProbed() {
    assertThatThrownBy(() -> spec("p", List.of(), Map.of(), READY)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> spec("p", List.of("x"), Map.of(), URI.create("tcp://127.0.0.1:1")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void backoffDoublesUpToTheMaximum() {
    SupervisorSettings s = SupervisorSettings.defaults();
    assertThat(List.of(s.backoff(1), s.backoff(2), s.backoff(3), s.backoff(5), s.backoff(6), s.backoff(40)))
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(16),
            Duration.ofSeconds(30), Duration.ofSeconds(30));
  }
}
