package io.daprx.manager;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.install.InstallPlan;
import io.daprx.manager.install.LocalCluster;
import io.daprx.manager.install.ManagerAccess;
import io.daprx.manager.install.PodPlan;
import io.daprx.manager.install.ServicePlan;
import io.daprx.manager.kube.ControlPlaneManifests;
import io.daprx.manager.kube.CrdSource;
import io.daprx.manager.kube.InstallSpec;
import io.daprx.manager.kube.ManifestWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both renderers of the control plane — Kubernetes objects and local process specs — compared with what they
 * printed before the manager's model was rewritten, so a refactoring shows every byte it changes. Run with
 * {@code -Dgolden.update=true} to write the files again after an intended change, and review their diff.
 */
class GoldenRenderTest {

  private static final Release RELEASE = new Release(Semver.parse("0.3.1"), "0.3.1", "1.17.4");
  private static final Path DIR = Path.of("src", "test", "resources", "golden");

  /** The settings of each case: the default HA install, and a non-HA one that sets everything else that shapes a render. */
  private static Map<String, String> settings(String name) {
    return switch (name) {
      case "ha" -> Map.of();
      case "nonha" -> Map.of("global.ha.enabled", "false", "dapr_operator.replicaCount", "2", "dapr_placement.replicaCount", "1",
          "global.logLevel", "debug", "global.logAsJson", "true", "global.mtls.workloadCertTTL", "12h",
          "global.mtls.allowedClockSkew", "5m", "global.nodeSelector.kubernetes.io/os", "linux", "global.registry", "registry.example/dapr",
          "global.tag", "edge");
      default -> throw new IllegalArgumentException(name);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"ha", "nonha"})
  void kubernetesObjectsAreRenderedAsBefore(String name) throws IOException {
    var spec = new InstallSpec("dapr-system", DaprSettings.parse(settings(name)), RELEASE, null);
    String yaml = ManifestWriter.yaml(ControlPlaneManifests.render(spec, CrdSource.classpath(getClass().getClassLoader())));
    compare("manifests-" + name + ".yaml", yaml);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ha", "nonha"})
  void localProcessesAreLaidOutAsBefore(String name) throws IOException {
    LocalCluster cluster = new LocalCluster("rg/c1", Path.of("clusters", "c1"), 32000,
        new ManagerAccess(Path.of("home", "server.json"), Path.of("home", "reader-token")));
    InstallPlan plan = InstallPlan.forLocal(cluster, "dapr-system", DaprSettings.parse(settings(name)), RELEASE);
    StringBuilder out = new StringBuilder();
    for (PodPlan p : plan.pods()) {
      out.append("pod ").append(p.name()).append(" component=").append(p.component()).append(" workload=").append(p.workload())
          .append(" ordinal=").append(p.ordinal()).append(" version=").append(p.version()).append('\n')
          .append("  ports ").append(new TreeMap<>(p.ports())).append('\n')
          .append("  log ").append(p.logFile()).append(" readiness ").append(p.readiness()).append('\n')
          .append("  args ").append(String.join(" ", p.args())).append('\n');
    }
    for (ServicePlan s : plan.services()) {
      out.append("service ").append(s.name()).append(" -> ").append(s.workload()).append(':').append(s.targetPort())
          .append(" port ").append(s.port()).append('\n');
    }
    compare("local-" + name + ".txt", out.toString());
  }

  private static void compare(String file, String actual) throws IOException {
    Path golden = DIR.resolve(file);
    if (Boolean.getBoolean("golden.update") || !Files.exists(golden)) {
      Files.createDirectories(DIR);
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertThat(actual).as("render %s (rewrite with -Dgolden.update=true after an intended change)", file)
        .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }
}
