package io.daprx.manager.engine;

import static io.daprx.manager.engine.EngineHarness.catalog;
import static io.daprx.manager.engine.EngineHarness.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.CatalogSource;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.store.Doc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tick of the auto-upgrader at a time, over real extensions whose operations the runner really runs (against a
 * fake target). The catalog is a file the test rewrites, as a publisher would; every tick reads it again.
 */
class AutoUpgraderTest {

  static final Duration RETRY_AFTER = Duration.ofHours(6);

  @TempDir
  Path dir;
  Path catalogFile;
  EngineHarness h;
  AutoUpgrader upgrader;
  Doc cluster;

  @BeforeEach
  void setUp() {
    catalogFile = dir.resolve("catalog.json");
    publish(release("1.0.0", true));
    // the build is 1.0.0: a local cluster runs it without a jar, other versions only with one
    h = new EngineHarness(dir, clock -> new CatalogSource(catalogFile.toString(), clock, Duration.ZERO), Semver.parse("1.0.0"));
    upgrader = new AutoUpgrader(h.store, h.extensions, new CatalogSource(catalogFile.toString(), h.clock, Duration.ZERO), h.clock,
        Duration.ofMinutes(10), RETRY_AFTER);
    cluster = h.local();
  }

  @AfterEach
  void tearDown() {
    upgrader.close();
    h.close();
  }

  private void publish(String... releases) {
    try {
      Files.writeString(catalogFile, catalog(releases));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An extension that follows the train, installed at the only version the catalog has: 1.0.0. */
  private void installFollowingTheTrain(Doc on, String name) {
    h.create(on, name, Map.of("extensionType", "Microsoft.Dapr"));
    h.runOperations();
    assertThat(h.props(on, name).path("currentVersion").asText()).isEqualTo("1.0.0");
    assertThat(h.props(on, name).path("autoUpgradeMinorVersion").asBoolean()).isTrue();
  }

  private String current(Doc on, String name) {
    return h.props(on, name).path("currentVersion").asText();
  }

  private int operations(Doc on, String name) {
    return h.extensions.operations(on, name).size();
  }

  @Test
  void idleHealthyExtensionMovesToTheNewestSupportedVersionOfItsMajor() {
    installFollowingTheTrain(cluster, "dapr");
    publish(release("1.0.0", true), release("1.1.0", true), release("1.2.0", true), release("1.2.1", true), release("2.0.0", true));

    assertThat(upgrader.tick()).containsExactly("dapr");
    assertThat(h.props(cluster, "dapr").path("provisioningState").asText()).isEqualTo("Updating");
    h.runOperations();

    assertThat(h.target.last().version()).as("same major only: 2.0.0 is never taken automatically").isEqualTo("1.2.1");
    assertThat(h.target.last().install().applyCrds()).isTrue();
    JsonNode p = h.props(cluster, "dapr");
    assertThat(p.path("provisioningState").asText()).isEqualTo("Succeeded");
    assertThat(p.path("currentVersion").asText()).isEqualTo("1.2.1");
    assertThat(p.path("statuses").get(0).path("code").asText()).isEqualTo("VersionChanged");
    JsonNode op = h.lastOperation(cluster, "dapr");
    assertThat(op.path("properties").path("operation").asText()).isEqualTo("upgrade");
    assertThat(op.path("properties").path("fromVersion").asText()).isEqualTo("1.0.0");
    assertThat(op.path("properties").path("toVersion").asText()).isEqualTo("1.2.1");
    assertThat(h.shown(cluster, "dapr").path("systemData").path("lastModifiedBy").asText()).isEqualTo("daprx auto-upgrade");

    assertThat(upgrader.tick()).as("already newest of its major").isEmpty();
  }

  @Test
  void pinnedExtensionStays() {
    h.create(cluster, "dapr", Map.of("extensionType", "Microsoft.Dapr", "autoUpgradeMinorVersion", false, "version", "1.0.0"));
    h.runOperations();
    publish(release("1.0.0", true), release("1.1.0", true));

    assertThat(upgrader.tick()).isEmpty();
    assertThat(h.pending()).isEmpty();
    assertThat(current(cluster, "dapr")).isEqualTo("1.0.0");
    assertThat(operations(cluster, "dapr")).isEqualTo(1);
  }

  @Test
  void failedExtensionStays() {
    installFollowingTheTrain(cluster, "dapr");
    h.target.failWhen(i -> true);
    h.update(cluster, "dapr", Map.of("configurationSettings", Map.of("global.logLevel", "debug")));
    h.runOperations();
    assertThat(h.props(cluster, "dapr").path("provisioningState").asText()).isEqualTo("Failed");
    h.target.succeedAll();
    publish(release("1.0.0", true), release("1.1.0", true));

    assertThat(upgrader.tick()).isEmpty();
    assertThat(h.pending()).isEmpty();
    assertThat(current(cluster, "dapr")).isEqualTo("1.0.0");
  }

  @Test
  void extensionWithAnOperationInProgressIsNotTouched() {
    installFollowingTheTrain(cluster, "dapr");
    Doc before = h.ext(cluster, "dapr");
    h.update(cluster, "dapr", Map.of("configurationSettings", Map.of("global.logLevel", "debug")));
    publish(release("1.0.0", true), release("1.1.0", true));

    assertThat(upgrader.tick()).isEmpty();
    assertThat(h.pending()).hasSize(1);

    // even from a copy read before the user's update started (a tick racing it), no second operation starts
    assertThatThrownBy(() -> h.extensions.upgrade(before, Catalog.load(catalogFile.toString()).versions("stable").get(1)))
        .isInstanceOf(DomainException.class);
    assertThat(h.pending()).hasSize(1);
    assertThat(operations(cluster, "dapr")).isEqualTo(2);
  }

  @Test
  void upgradeInProgressIsNotStartedTwice() {
    installFollowingTheTrain(cluster, "dapr");
    publish(release("1.0.0", true), release("1.1.0", true));

    assertThat(upgrader.tick()).containsExactly("dapr");
    assertThat(upgrader.tick()).isEmpty();
    assertThat(h.pending()).hasSize(1);
    h.runOperations();
    assertThat(current(cluster, "dapr")).isEqualTo("1.1.0");
  }

  @Test
  void stoppedClusterIsUpgradedOnlyOnceItRunsAgain() {
    installFollowingTheTrain(cluster, "dapr");
    publish(release("1.0.0", true), release("1.1.0", true));
    h.clusters.setPowerState(h.local(), "Stopped");

    assertThat(upgrader.tick()).isEmpty();
    assertThat(h.pending()).isEmpty();

    h.clusters.setPowerState(h.local(), "Running");
    assertThat(upgrader.tick()).containsExactly("dapr");
  }

  @Test
  void neverDowngrades() {
    publish(release("1.0.0", true), release("1.1.0", true));
    h.create(cluster, "dapr", Map.of("extensionType", "Microsoft.Dapr"));
    h.runOperations();
    assertThat(current(cluster, "dapr")).isEqualTo("1.1.0");
    // the publisher withdraws 1.1.0: what runs is now newer than anything on the train
    publish(release("0.8.0", true), release("1.0.0", true));

    assertThat(upgrader.tick()).isEmpty();
    assertThat(h.pending()).isEmpty();
    assertThat(current(cluster, "dapr")).isEqualTo("1.1.0");
    assertThat(h.target.applied()).extracting(FakeTarget.Applied::version).containsExactly("1.1.0");
  }

  @Test
  void rolledBackVersionIsRetriedOnlyAfterRetryAfter() {
    installFollowingTheTrain(cluster, "dapr");
    publish(release("1.0.0", true), release("1.1.0", true));
    h.target.failVersion("1.1.0");

    assertThat(upgrader.tick()).containsExactly("dapr");
    h.runOperations();

    assertThat(h.target.applied()).extracting(FakeTarget.Applied::version).containsExactly("1.0.0", "1.1.0", "1.0.0");
    JsonNode p = h.props(cluster, "dapr");
    assertThat(p.path("provisioningState").asText()).as("the install is healthy and still follows the train").isEqualTo("Succeeded");
    assertThat(p.path("errorInfo").isNull()).isTrue();
    assertThat(p.path("currentVersion").asText()).isEqualTo("1.0.0");
    assertThat(p.path("statuses").get(0).path("code").asText()).isEqualTo("AutoUpgradeRolledBack");
    assertThat(p.path("statuses").get(0).path("message").asText()).contains("the auto-upgrade to 1.1.0 failed").contains("rolled back to 1.0.0");
    JsonNode op = h.lastOperation(cluster, "dapr");
    assertThat(op.path("status").asText()).isEqualTo("Failed");
    assertThat(op.path("error").path("code").asText()).isEqualTo("AutoUpgradeRolledBack");
    assertThat(op.path("properties").path("rolledBackTo").asText()).isEqualTo("1.0.0");

    assertThat(upgrader.tick()).as("right after the rollback").isEmpty();
    h.clock.advance(RETRY_AFTER.minusMinutes(1));
    assertThat(upgrader.tick()).as("still within retryAfter").isEmpty();
    assertThat(h.pending()).isEmpty();

    h.clock.advance(Duration.ofMinutes(2));
    h.target.succeedAll();
    assertThat(upgrader.tick()).containsExactly("dapr");
    h.runOperations();
    assertThat(current(cluster, "dapr")).isEqualTo("1.1.0");
    assertThat(h.props(cluster, "dapr").path("statuses").get(0).path("code").asText()).isEqualTo("VersionChanged");
  }

  @Test
  void anUnrelatedUpdateDoesNotTakeTheRolledBackVersionButAPinDoes() {
    installFollowingTheTrain(cluster, "dapr");
    publish(release("1.0.0", true), release("1.1.0", true));
    h.target.failVersion("1.1.0");
    upgrader.tick();
    h.runOperations();
    assertThat(current(cluster, "dapr")).isEqualTo("1.0.0");

    h.update(cluster, "dapr", Map.of("configurationSettings", Map.of("global.logLevel", "debug")));
    h.runOperations();
    assertThat(h.props(cluster, "dapr").path("provisioningState").asText()).isEqualTo("Succeeded");
    assertThat(current(cluster, "dapr")).as("a settings change stays on the healthy version").isEqualTo("1.0.0");

    h.target.succeedAll();
    h.update(cluster, "dapr", Map.of("version", "1.1.0", "autoUpgradeMinorVersion", false));
    h.runOperations();
    assertThat(current(cluster, "dapr")).as("pinning retries it on purpose").isEqualTo("1.1.0");
  }

  @Test
  void newerVersionPublishedAfterARollbackIsTakenAtOnce() {
    installFollowingTheTrain(cluster, "dapr");
    publish(release("1.0.0", true), release("1.1.0", true));
    h.target.failVersion("1.1.0");
    upgrader.tick();
    h.runOperations();
    assertThat(current(cluster, "dapr")).isEqualTo("1.0.0");

    publish(release("1.0.0", true), release("1.1.0", true), release("1.1.1", true));
    assertThat(upgrader.tick()).containsExactly("dapr");
    h.runOperations();

    assertThat(h.target.last().version()).isEqualTo("1.1.1");
    assertThat(current(cluster, "dapr")).isEqualTo("1.1.1");
  }

  @Test
  void localClusterTakesOnlyVersionsItCanRun() {
    // 1.0.0 is the build (no jar needed); 1.1.0 has a jar; 1.2.0 exists only as an image
    publish(release("1.0.0", false));
    Doc local = h.local();
    Doc kube = h.connectKube();
    installFollowingTheTrain(local, "dapr");
    installFollowingTheTrain(kube, "dapr");
    publish(release("1.0.0", false), release("1.1.0", true), release("1.2.0", false));

    assertThat(upgrader.tick()).containsExactlyInAnyOrder("dapr", "dapr");
    h.runOperations();

    assertThat(current(local, "dapr")).isEqualTo("1.1.0");
    assertThat(current(kube, "dapr")).as("Kubernetes runs any release from its image").isEqualTo("1.2.0");
    assertThat(h.target.applied()).filteredOn(a -> a.clusterName().equals(EngineHarness.LOCAL))
        .extracting(FakeTarget.Applied::version).containsExactly("1.0.0", "1.1.0");
    assertThat(upgrader.tick()).as("the local cluster stays below 1.2.0, which it cannot run").isEmpty();
  }
}
