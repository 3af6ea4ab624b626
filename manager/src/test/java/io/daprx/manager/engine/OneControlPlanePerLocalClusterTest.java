package io.daprx.manager.engine;

import static io.daprx.manager.engine.EngineHarness.catalog;
import static io.daprx.manager.engine.EngineHarness.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.CatalogSource;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.store.Doc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local cluster holds one Dapr control plane: a second {@code Microsoft.Dapr} extension there would take over (and, when
 * deleted, destroy) the first one's processes, CA and placement state, so it is refused at create, before anything is
 * stored or touched — whatever its settings say.
 */
class OneControlPlanePerLocalClusterTest {

  static final String CATALOG = catalog(release("1.0.0", true));

  @TempDir
  Path dir;
  EngineHarness h;
  Doc cluster;

  @BeforeEach
  void setUp() {
    h = new EngineHarness(dir, clock -> CatalogSource.of(Catalog.parse(CATALOG, "test catalog"), clock), Semver.parse("0.9.0"));
    cluster = h.local();
    h.create(cluster, "dapr", Map.of("extensionType", "Microsoft.Dapr"));
    h.runOperations();
    h.target.clear();
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void aSecondDaprExtensionOnALocalClusterIsRefusedUpFrontEvenWithSkipExistingDaprCheck() {
    DomainException refused = catchThrowableOfType(() -> h.create(cluster, "dapr2", Map.of("extensionType", "Microsoft.Dapr",
        "configurationSettings", Map.of("skipExistingDaprCheck", "true"))), DomainException.class);

    assertThat(refused).as("the second install is refused").isNotNull();
    assertThat(refused.reason()).isEqualTo(DomainException.Reason.CONFLICT);
    assertThat(refused.code()).isEqualTo("ExistingDaprInstallation");
    assertThat(refused.getMessage()).contains("'dapr'").contains("delete that extension first");
    assertThat(h.extensions.list(cluster)).as("nothing stored").hasSize(1);
    assertThat(h.pending()).as("no operation started").isEmpty();
    h.runOperations();
    assertThat(h.target.applied()).as("the cluster was not touched").isEmpty();
    assertThat(h.props(cluster, "dapr").path("provisioningState").asText()).isEqualTo("Succeeded");
  }

  @Test
  void racingCreatesUnderDifferentNamesLeaveOneExtension() throws Exception {
    h.extensions.delete(cluster, "dapr", true);
    h.runOperations();
    assertThat(h.extensions.list(cluster)).isEmpty();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        String name = "dapr" + i;
        results.add(pool.submit(() -> {
          go.await();
          try {
            h.create(cluster, name, Map.of("extensionType", "Microsoft.Dapr", "configurationSettings", Map.of("skipExistingDaprCheck", "true")));
            return true;
          } catch (DomainException e) {
            return false;
          }
        }));
      }
      go.countDown();
      int created = 0;
      for (Future<Boolean> f : results) {
        created += f.get() ? 1 : 0;
      }
      assertThat(created).isEqualTo(1);
      assertThat(h.extensions.list(cluster)).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aConnectedClusterStillTakesASecondInstallWhenTheUserSkipsTheCheck() {
    Doc kube = h.connectKube();
    h.create(kube, "dapr", Map.of("extensionType", "Microsoft.Dapr"));
    h.create(kube, "dapr2", Map.of("extensionType", "Microsoft.Dapr", "releaseNamespace", "dapr-two",
        "configurationSettings", Map.of("skipExistingDaprCheck", "true")));
    assertThat(h.extensions.list(kube)).hasSize(2);
  }
}
