package io.daprx.manager.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.manager.engine.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of the local cluster's Kubernetes API: ages, label selectors, merge patches, log windows. */
class KubeObjectsTest {

  @TempDir
  Path dir;

  @Test
  void agesReadAsKubectlPrintsThem() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(KubeObjects.age(t, t.plusSeconds(45))).isEqualTo("45s");
    assertThat(KubeObjects.age(t, t.plus(Duration.ofSeconds(5 * 60 + 7)))).isEqualTo("5m7s");
    assertThat(KubeObjects.age(t, t.plus(Duration.ofMinutes(60)))).isEqualTo("60m");
    assertThat(KubeObjects.age(t, t.plus(Duration.ofMinutes(3 * 60 + 20)))).isEqualTo("3h20m");
    assertThat(KubeObjects.age(t, t.plus(Duration.ofHours(30)))).isEqualTo("30h");
    assertThat(KubeObjects.age(t, t.plus(Duration.ofHours(3 * 24 + 5)))).isEqualTo("3d5h");
    assertThat(KubeObjects.age(t, t.plus(Duration.ofDays(40)))).isEqualTo("40d");
    assertThat(KubeObjects.age(null, t)).isEqualTo("<unknown>");
  }

  @Test
  void labelSelectorsMatchAsTheApiServerDoes() {
    Map<String, String> sentry = Map.of("app", "dapr-sentry", "tier", "cp");
    assertThat(LabelSelector.parse("app=dapr-sentry").test(sentry)).isTrue();
    assertThat(LabelSelector.parse("app==dapr-sentry,tier").test(sentry)).isTrue();
    assertThat(LabelSelector.parse("app!=dapr-sentry").test(sentry)).isFalse();
    assertThat(LabelSelector.parse("app in (dapr-operator, dapr-sentry)").test(sentry)).isTrue();
    assertThat(LabelSelector.parse("app notin (dapr-sentry)").test(sentry)).isFalse();
    assertThat(LabelSelector.parse("!tier").test(sentry)).isFalse();
    assertThat(LabelSelector.parse(null).test(sentry)).isTrue();
    assertThatThrownBy(() -> LabelSelector.parse("app in (")).isInstanceOf(ApiException.class).hasMessageContaining("unable to parse");
  }

  @Test
  void aMergePatchReplacesMergesAndRemoves() throws Exception {
    JsonNode target = Json.MAPPER.readTree("{\"spec\":{\"type\":\"state.redis\",\"version\":\"v1\"},\"scopes\":[\"a\"]}");
    JsonNode patch = Json.MAPPER.readTree("{\"spec\":{\"version\":\"v2\"},\"scopes\":null}");
    assertThat(KubeApi.mergePatch(target, patch).toString()).isEqualTo("{\"spec\":{\"type\":\"state.redis\",\"version\":\"v2\"}}");
  }

  @Test
  void logWindowsFindTheTailTheRecentLinesAndThePreviousRun() throws Exception {
    Path log = Files.writeString(dir.resolve("p.log"), """
        2026-12-07T11:00:01.000Z INFO one
        --- restarted (exit code 1) at 2026-12-07T11:00:03Z ---
        2026-12-07T11:50:00.000Z INFO two
          a continuation line
        --- restarted (exit code 1) at 2026-12-07T11:55:00Z ---
        2026-12-07T11:59:30.000Z INFO three""");
    String text = Files.readString(log);
    long[] tail = LogStreams.window(log, 1, null, false);
    assertThat(text.substring((int) tail[0])).isEqualTo("2026-12-07T11:59:30.000Z INFO three");
    long[] since = LogStreams.window(log, -1, Instant.parse("2026-12-07T11:40:00Z"), false);
    assertThat(text.substring((int) since[0])).startsWith("2026-12-07T11:50:00.000Z INFO two\n  a continuation");
    long[] previous = LogStreams.window(log, -1, null, true);
    assertThat(text.substring((int) previous[0], (int) previous[1])).isEqualTo("2026-12-07T11:50:00.000Z INFO two\n  a continuation line\n");
    assertThat(LogStreams.window(Files.writeString(dir.resolve("q.log"), "x\n"), -1, null, true)).isNull();
  }
}
