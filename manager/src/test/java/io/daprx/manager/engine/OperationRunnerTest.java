package io.daprx.manager.engine;

import static io.daprx.manager.engine.EngineHarness.catalog;
import static io.daprx.manager.engine.EngineHarness.release;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.CatalogSource;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.store.Doc;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the operation runner decides and records: which release and settings it applies, when it rolls back and to
 * what, and how the extension and its operations read afterwards. The target is a fake; the store, the sealed
 * settings and the catalog rules are real.
 */
class OperationRunnerTest {

  /** Supported window: 1.0.0, 1.1.0, 1.2.1 (1.2.0 is superseded by its patch); every one runs locally. */
  static final String CATALOG = catalog(release("1.0.0", true), release("1.1.0", true), release("1.2.0", true), release("1.2.1", true));

  @TempDir
  Path dir;
  EngineHarness h;
  Doc cluster;

  @BeforeEach
  void setUp() {
    h = new EngineHarness(dir, clock -> CatalogSource.of(Catalog.parse(CATALOG, "test catalog"), clock), Semver.parse("0.9.0"));
    cluster = h.local();
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private void createPinned(String version, Map<String, String> settings) {
    h.create(cluster, "dapr", Map.of("extensionType", "Microsoft.Dapr", "autoUpgradeMinorVersion", false, "version", version,
        "configurationSettings", settings));
    h.runOperations();
    assertThat(h.props(cluster, "dapr").path("provisioningState").asText()).isEqualTo("Succeeded");
  }

  private static List<String> codes(JsonNode statuses) {
    return StreamSupport.stream(statuses.spliterator(), false).map(s -> s.path("code").asText()).toList();
  }

  @Test
  void createWithoutVersionAppliesTheNewestOfTheTrain() {
    h.create(cluster, "dapr", Map.of("extensionType", "Microsoft.Dapr"));
    h.runOperations();

    assertThat(h.target.applied()).extracting(FakeTarget.Applied::version).containsExactly("1.2.1");
    assertThat(h.target.last().install().applyCrds()).as("a fresh install applies the CRDs").isTrue();
    assertThat(h.target.last().install().release().distribution().url()).endsWith("/1.2.1/daprx.jar");
    JsonNode p = h.props(cluster, "dapr");
    assertThat(p.path("provisioningState").asText()).isEqualTo("Succeeded");
    assertThat(p.path("currentVersion").asText()).isEqualTo("1.2.1");
    assertThat(p.path("autoUpgradeMinorVersion").asBoolean()).isTrue();
    assertThat(codes(p.path("statuses"))).containsExactly("Ready", "Ready");
    JsonNode op = h.lastOperation(cluster, "dapr");
    assertThat(op.path("status").asText()).isEqualTo("Succeeded");
    assertThat(op.path("properties").path("operation").asText()).isEqualTo("create");
    assertThat(op.path("properties").path("fromVersion").isNull()).isTrue();
    assertThat(op.path("properties").path("toVersion").asText()).isEqualTo("1.2.1");
  }

  @Test
  void pinnedCreateAppliesThePinnedVersion() {
    createPinned("1.1.0", Map.of());

    assertThat(h.target.applied()).extracting(FakeTarget.Applied::version).containsExactly("1.1.0");
    assertThat(h.props(cluster, "dapr").path("currentVersion").asText()).isEqualTo("1.1.0");
    assertThat(h.props(cluster, "dapr").path("version").asText()).isEqualTo("1.1.0");
  }

  @Test
  void failedUpdateRollsBackToTheOldReleaseWithTheOldSettings() {
    createPinned("1.1.0", Map.of("global.logLevel", "info"));
    h.target.failVersion("1.2.1");

    h.update(cluster, "dapr", Map.of("version", "1.2.1", "configurationSettings", Map.of("global.logLevel", "debug")));
    h.runOperations();

    List<FakeTarget.Applied> applied = h.target.applied();
    assertThat(applied).extracting(FakeTarget.Applied::version).containsExactly("1.1.0", "1.2.1", "1.1.0");
    assertThat(applied.get(1).failed()).isTrue();
    assertThat(applied.get(1).install().settings().logLevel()).isEqualTo("debug");
    FakeTarget.Applied rollback = applied.get(2);
    assertThat(rollback.failed()).isFalse();
    assertThat(rollback.install().settings().logLevel()).as("the rollback runs the settings the old release ran with").isEqualTo("info");
    assertThat(rollback.install().applyCrds()).as("going back to an older release is a downgrade: CRDs stay").isFalse();

    JsonNode p = h.props(cluster, "dapr");
    assertThat(p.path("provisioningState").asText()).isEqualTo("Failed");
    assertThat(p.path("errorInfo").path("code").asText()).isEqualTo("UpdateRolledBack");
    assertThat(p.path("errorInfo").path("message").asText()).contains("the update to 1.2.1 failed").contains("not ready within")
        .contains("rolled back to 1.1.0");
    assertThat(p.path("currentVersion").asText()).isEqualTo("1.1.0");
    assertThat(codes(p.path("statuses"))).startsWith("UpdateRolledBack").contains("Ready");
    JsonNode op = h.lastOperation(cluster, "dapr");
    assertThat(op.path("status").asText()).isEqualTo("Failed");
    assertThat(op.path("error").path("code").asText()).isEqualTo("UpdateRolledBack");
    assertThat(op.path("properties").path("fromVersion").asText()).isEqualTo("1.1.0");
    assertThat(op.path("properties").path("toVersion").asText()).isEqualTo("1.2.1");
    assertThat(op.path("properties").path("rolledBackTo").asText()).isEqualTo("1.1.0");
  }

  @Test
  void rollbackThatFailsTooLeavesTheExtensionFailedWithBothReasons() {
    createPinned("1.1.0", Map.of());
    h.target.failWhen(i -> true);

    h.update(cluster, "dapr", Map.of("version", "1.2.1"));
    h.runOperations();

    assertThat(h.target.applied()).extracting(FakeTarget.Applied::version).containsExactly("1.1.0", "1.2.1", "1.1.0");
    JsonNode p = h.props(cluster, "dapr");
    assertThat(p.path("provisioningState").asText()).isEqualTo("Failed");
    assertThat(p.path("errorInfo").path("code").asText()).isEqualTo("UpdateFailed");
    assertThat(p.path("errorInfo").path("message").asText())
        .contains("the update to 1.2.1 failed: dapr-sentry 1.2.1 not ready")
        .contains("rolling back to 1.1.0 failed too: dapr-sentry 1.1.0 not ready");
    assertThat(p.path("currentVersion").asText()).isEqualTo("1.1.0");
    JsonNode op = h.lastOperation(cluster, "dapr");
    assertThat(op.path("status").asText()).isEqualTo("Failed");
    assertThat(op.path("error").path("code").asText()).isEqualTo("UpdateFailed");
    assertThat(op.path("properties").has("rolledBackTo")).as("nothing was rolled back to").isFalse();
  }

  @Test
  void failedCreateHasNothingToRollBack() {
    h.target.failWhen(i -> true);

    h.create(cluster, "dapr", Map.of("extensionType", "Microsoft.Dapr"));
    h.runOperations();

    assertThat(h.target.applied()).extracting(FakeTarget.Applied::version).containsExactly("1.2.1");
    JsonNode p = h.props(cluster, "dapr");
    assertThat(p.path("provisioningState").asText()).isEqualTo("Failed");
    assertThat(p.path("errorInfo").path("code").asText()).isEqualTo("InstallationFailed");
    assertThat(p.path("currentVersion").isNull()).isTrue();
    assertThat(h.lastOperation(cluster, "dapr").path("error").path("code").asText()).isEqualTo("InstallationFailed");
    assertThat(h.extensions.applied(h.ext(cluster, "dapr"))).as("nothing ran with success").isEmpty();

    // a later update still has nothing to go back to: it fails as an install, with one apply
    h.update(cluster, "dapr", Map.of("configurationSettings", Map.of("global.logLevel", "debug")));
    h.runOperations();
    assertThat(h.target.applied()).hasSize(2);
    assertThat(h.props(cluster, "dapr").path("errorInfo").path("code").asText()).isEqualTo("InstallationFailed");
  }

  @Test
  void versionChangeSaysSidecarsAreNotRestarted() {
    createPinned("1.1.0", Map.of());
    assertThat(codes(h.props(cluster, "dapr").path("statuses"))).doesNotContain("VersionChanged");

    h.update(cluster, "dapr", Map.of("version", "1.2.1"));
    h.runOperations();

    JsonNode p = h.props(cluster, "dapr");
    assertThat(p.path("provisioningState").asText()).isEqualTo("Succeeded");
    assertThat(p.path("currentVersion").asText()).isEqualTo("1.2.1");
    JsonNode changed = p.path("statuses").get(0);
    assertThat(changed.path("code").asText()).isEqualTo("VersionChanged");
    assertThat(changed.path("level").asText()).isEqualTo("Information");
    assertThat(changed.path("message").asText()).contains("from 1.1.0 to 1.2.1").contains("sidecars are not restarted")
        .contains("daprd 1.17.121");

    // a settings-only change moves no version, so there is nothing to say about sidecars
    h.update(cluster, "dapr", Map.of("configurationSettings", Map.of("global.logLevel", "debug")));
    h.runOperations();
    assertThat(codes(h.props(cluster, "dapr").path("statuses"))).containsOnly("Ready");
    assertThat(h.target.last().install().settings().logLevel()).isEqualTo("debug");
  }

  @Test
  void crdsAreAppliedOnUpgradesNotOnDowngradesUnlessHooksSaySo() {
    createPinned("1.1.0", Map.of());
    assertThat(h.target.last().install().applyCrds()).isTrue();

    h.update(cluster, "dapr", Map.of("version", "1.2.1"));
    h.runOperations();
    assertThat(h.target.last().version()).isEqualTo("1.2.1");
    assertThat(h.target.last().install().applyCrds()).as("upgrade").isTrue();

    h.update(cluster, "dapr", Map.of("version", "1.0.0"));
    h.runOperations();
    assertThat(h.target.last().version()).isEqualTo("1.0.0");
    assertThat(h.target.last().install().applyCrds()).as("downgrade").isFalse();
    assertThat(h.props(cluster, "dapr").path("currentVersion").asText()).isEqualTo("1.0.0");

    h.update(cluster, "dapr", Map.of("version", "1.2.1"));
    h.runOperations();
    h.update(cluster, "dapr", Map.of("version", "1.1.0", "configurationSettings", Map.of("hooks.applyCrds", "true")));
    h.runOperations();
    assertThat(h.target.last().version()).isEqualTo("1.1.0");
    assertThat(h.target.last().install().applyCrds()).as("downgrade with hooks.applyCrds=true").isTrue();
  }

  @Test
  void restoreAppliesTheLastSuccessfulStateNotTheFailedRequest() throws Exception {
    createPinned("1.1.0", Map.of("global.logLevel", "warn"));
    h.target.failWhen(i -> true);
    h.update(cluster, "dapr", Map.of("version", "1.2.1", "configurationSettings", Map.of("global.logLevel", "debug")));
    h.runOperations();
    assertThat(h.props(cluster, "dapr").path("provisioningState").asText()).isEqualTo("Failed");
    assertThat(h.props(cluster, "dapr").path("version").asText()).as("the request is kept as asked").isEqualTo("1.2.1");
    h.target.succeedAll();
    h.target.clear();

    h.runner.restore(h.ext(cluster, "dapr"));

    assertThat(h.target.applied()).hasSize(1);
    FakeTarget.Applied restored = h.target.last();
    assertThat(restored.version()).isEqualTo("1.1.0");
    assertThat(restored.install().settings().logLevel()).isEqualTo("warn");
  }

  @Test
  void restoreOfAnExtensionThatNeverSucceededAppliesNothing() throws Exception {
    h.target.failWhen(i -> true);
    h.create(cluster, "dapr", Map.of("extensionType", "Microsoft.Dapr"));
    h.runOperations();
    h.target.clear();

    h.runner.restore(h.ext(cluster, "dapr"));

    assertThat(h.target.applied()).isEmpty();
  }

  @Test
  void operationsAreNewestFirstAndPrunedToTheHistory() {
    h.create(cluster, "dapr", Map.of("extensionType", "Microsoft.Dapr"));
    h.runOperations();
    String createId = h.lastOperation(cluster, "dapr").path("name").asText();
    List<String> updates = new ArrayList<>();
    for (int i = 0; i < Extensions.HISTORY + 5; i++) {
      updates.add(h.update(cluster, "dapr", Map.of("configurationSettings", Map.of("global.logLevel", i % 2 == 0 ? "debug" : "info")))
          .operationId());
      h.runOperations();
    }

    JsonNode ops = h.extensions.operations(cluster, "dapr");
    assertThat(ops).hasSize(Extensions.HISTORY);
    List<String> names = StreamSupport.stream(ops.spliterator(), false).map(o -> o.path("name").asText()).toList();
    List<String> newestFirst = new ArrayList<>(updates.subList(updates.size() - Extensions.HISTORY, updates.size()));
    java.util.Collections.reverse(newestFirst);
    assertThat(names).containsExactlyElementsOf(newestFirst).doesNotContain(createId);
  }

  @Test
  void historyIsOrderedByTimeEvenWithinOneSecond() {
    // Operations a few hundred milliseconds apart, as fast installs and quick successive updates are: their start
    // times are written with and without a fraction of a second ("…:01Z", "…:01.500Z").
    h.create(cluster, "dapr", Map.of("extensionType", "Microsoft.Dapr"));
    h.runOperations();
    List<String> started = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      started.add(h.update(cluster, "dapr", Map.of("configurationSettings", Map.of("global.logLevel", i % 2 == 0 ? "debug" : "info")))
          .operationId());
      h.runOperations(Duration.ofMillis(500));
    }

    JsonNode ops = h.extensions.operations(cluster, "dapr");
    List<Instant> times = StreamSupport.stream(ops.spliterator(), false).map(o -> Instant.parse(o.path("startTime").asText())).toList();
    assertThat(times).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(ops.get(0).path("name").asText()).isEqualTo(started.get(started.size() - 1));
  }
}
