package io.daprx.manager.engine;

import static io.daprx.manager.engine.OperationRunnerTest.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.CatalogSource;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.store.Doc;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The typed extension and operation read back exactly what was stored, field for field and in order: every class reads
 * the store through them, and what the API shows must not change by being read and written again.
 */
class ExtensionCodecTest {

  @TempDir
  Path dir;
  EngineHarness h;

  @BeforeEach
  void setUp() {
    h = new EngineHarness(dir, clock -> CatalogSource.of(Catalog.parse(CATALOG, "test catalog"), clock), Semver.parse("0.9.0"));
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void anInstalledExtensionAndItsOperationsSurviveAReadAndAWriteUnchanged() {
    Doc cluster = h.local();
    h.create(cluster, "dapr", Map.of("extensionType", "Microsoft.Dapr", "autoUpgradeMinorVersion", false, "version", "1.1.0",
        "configurationSettings", Map.of("global.logLevel", "debug"), "configurationProtectedSettings", Map.of("global.registry", "r.example")));
    h.runOperations();
    h.update(cluster, "dapr", Map.of("configurationSettings", Map.of("global.logAsJson", "true")));
    h.runOperations();
    Doc ext = h.ext(cluster, "dapr");
    Extension typed = Extension.of(ext);
    assertThat(typed.toJson()).isEqualTo(ext.body());
    assertThat(typed.toJson().toString()).isEqualTo(ext.body().toString());
    assertThat(typed.properties().isSystemExtension()).isFalse();
    assertThat(typed.properties().configurationProtectedSettings()).containsOnlyKeys("global.registry").containsValue(null);
    assertThat(typed.lastApplied()).isNotNull();
    assertThat(typed.sealedProtected()).doesNotContain("r.example");
    assertThat(h.extensions.desiredSettings(ext).registry()).isEqualTo("r.example");
    assertThat(h.extensions.operations(ext)).hasSize(2).allSatisfy(shown -> assertThat(shown.has("_kind")).isFalse());
    h.store.list(Extensions.OPERATION_KIND, ext.id()).forEach(op ->
        assertThat(Operation.of(op).toJson().toString()).isEqualTo(op.body().toString()));
  }
}
