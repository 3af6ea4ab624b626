package io.daprx.manager.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.deploy.Distributions;
import io.daprx.manager.deploy.FakeComponent;
import io.daprx.manager.deploy.Install;
import io.daprx.manager.deploy.LocalTarget;
import io.daprx.manager.local.PodStatus;
import io.daprx.manager.local.Supervisor;
import io.daprx.manager.local.SupervisorSettings;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.store.Doc;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extension's health as az users read it in {@code statuses}, from what the supervisor sees of real processes: a component
 * whose replica is killed again and again reads {@code Degraded} with the pod, its restarts and its last exit; once it runs
 * again the component reads {@code Ready}.
 */
class ExtensionHealthTest {

  static final String NS = "dapr-system";
  static final Release RELEASE = new Release(Semver.parse("1.0.0"), "1.0.0", "1.17.0", null);
  static final String JAVA = ProcessHandle.current().info().command().orElse("java");

  @TempDir
  Path tmp;
  Supervisor supervisor;
  LocalTarget target;
  Doc cluster;

  @BeforeEach
  void setUp() throws Exception {
    supervisor = new Supervisor(tmp.resolve("supervisor"), Clock.systemUTC(), new SupervisorSettings(Duration.ofMillis(500),
        Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(20)));
    String classes = Path.of(FakeComponent.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    target = new LocalTarget(supervisor, new Distributions(tmp.resolve("versions"), List.of(JAVA, "-XX:+UseSerialGC", "-Xmx24m",
        "-XX:TieredStopAtLevel=1", "-cp", classes, FakeComponent.class.getName()), RELEASE.version()), Clock.systemUTC(), null);
    ObjectNode body = new ObjectMapper().createObjectNode();
    String id = "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/h";
    body.put("id", id).put("name", "h");
    body.putObject("_local").put("dir", tmp.resolve("clusters/h").toString())
        .put("portBase", 25000 + (int) ((ProcessHandle.current().pid() + 11) % 28) * 256).put("portBlock", 256);
    cluster = new Doc(id, "cluster", null, body, "1", Instant.now(), Instant.now());
  }

  @AfterEach
  void tearDown() {
    target.remove(cluster, NS);
    target.closeServices();
    supervisor.close();
  }

  /** The extension as its last operation left it: Succeeded, every component ready. */
  private Doc extension() {
    return extension("Succeeded",
        List.of(new Extension.Status("Ready", "dapr-sentry 1/1 ready", "Information", "1 of 1 replicas of dapr-sentry are ready", "t")));
  }

  private Doc extension(String provisioningState, List<Extension.Status> stored) {
    Extension.Properties p = new Extension.Properties("microsoft.dapr", true, "stable", null, "1.0.0",
        new Extension.Scope(new Extension.ClusterScope(NS)), Map.of(), Map.of(), provisioningState, stored, null, false, null);
    Extension e = new Extension(cluster.id() + "/providers/microsoft.kubernetesconfiguration/extensions/dapr", "dapr",
        "Microsoft.KubernetesConfiguration/extensions", p, new Extension.SystemData("u", "User", "t", "u", "User", "t"), null, null, null, null);
    return new Doc(e.id(), Extensions.KIND, cluster.id(), e.toJson(), "1", Instant.now(), Instant.now());
  }

  /** What {@code k8s-extension show} reads: the statuses of the extension as the API shows it. */
  private List<Extension.Status> statuses() {
    ObjectNode shown = new ExtensionHealth(target::podsView, null, Clock.systemUTC()).shown(cluster, extension(), () -> null);
    assertThat(shown.path("properties").path("provisioningState").asText()).as("az's meaning: how the last operation ended")
        .isEqualTo("Succeeded");
    try {
      return List.of(new ObjectMapper().treeToValue(shown.path("properties").path("statuses"), Extension.Status[].class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  private Optional<Extension.Status> sentry() {
    return statuses().stream().filter(s -> s.displayStatus().startsWith("dapr-sentry ")).findFirst();
  }

  private Optional<Long> sentryPid() {
    return target.pods(cluster, NS).stream().filter(p -> p.component().equals("sentry") && p.ready()).map(PodStatus::pid).findFirst();
  }

  @Test
  void aCrashLoopingComponentReadsDegradedWithTheReasonAndReadyOnceItRecovers() throws Exception {
    target.apply(cluster, new Install(NS, DaprSettings.parse(Map.of("global.ha.enabled", "false")), RELEASE, true, "ext", false),
        Duration.ofSeconds(90));
    assertThat(statuses()).isNotEmpty().allSatisfy(s -> {
      assertThat(s.code()).isEqualTo("Ready");
      assertThat(s.level()).isEqualTo("Information");
    });
    whileAnUpdateRollsOutTheStatusesCountEachComponentsReadyReplicas();

    for (int i = 0; i < 3; i++) {
      long pid = await().atMost(Duration.ofSeconds(60)).until(this::sentryPid, Optional::isPresent).orElseThrow();
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      await().atMost(Duration.ofSeconds(10)).until(() -> sentry().map(s -> s.code().equals(ExtensionHealth.DEGRADED)).orElse(false));
    }
    Extension.Status down = sentry().orElseThrow();
    assertThat(down.level()).as("its only replica is down").isEqualTo("Error");
    assertThat(down.displayStatus()).isEqualTo("dapr-sentry 0/1 ready");
    assertThat(down.message()).contains("0 of 1 replicas of dapr-sentry are ready").contains("dapr-sentry-")
        .containsPattern("\\d restarts").contains("killed by signal 9").contains("daprx logs POD -n dapr-system");
    assertThat(statuses()).filteredOn(s -> !s.displayStatus().startsWith("dapr-sentry ")).allSatisfy(s -> assertThat(s.code()).isEqualTo("Ready"));

    await().atMost(Duration.ofSeconds(60)).until(() -> sentry().map(s -> s.code().equals("Ready")).orElse(false));
    assertThat(statuses()).allSatisfy(s -> assertThat(s.code()).isEqualTo("Ready"));
  }

  /** Shares the crash-loop test's install (one rollout of real processes is the cost of either). */
  private void whileAnUpdateRollsOutTheStatusesCountEachComponentsReadyReplicas() {
    ObjectNode shown = new ExtensionHealth(target::podsView, null, Clock.systemUTC()).shown(cluster, extension("Updating", List.of()),
        () -> null);
    assertThat(shown.path("properties").path("provisioningState").asText()).isEqualTo("Updating");
    assertThat(shown.path("properties").path("statuses").findValuesAsText("displayStatus"))
        .as("what a polling client prints with --verbose").contains("dapr-sentry 1/1 ready", "dapr-placement-server 1/1 ready");
  }

  @Test
  void aControlPlaneThatIsGoneReadsDown() {
    assertThat(statuses()).singleElement().satisfies(s -> {
      assertThat(s.code()).isEqualTo(ExtensionHealth.DEGRADED);
      assertThat(s.level()).isEqualTo("Error");
      assertThat(s.message()).contains("not running").contains("daprx cluster start");
    });
  }
}
