package io.daprx.manager.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.local.PodStatus;
import io.daprx.manager.local.Supervisor;
import io.daprx.manager.local.SupervisorSettings;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.store.Doc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order in which the local target starts a control plane, with a real supervisor and real processes (a stand-in
 * component per replica, {@link FakeComponent}): sentry alone first, every other component only once sentry answers
 * behind its Service, and those all at once, so that one of them failing its gate fails the install by its name while the
 * others were not held back by it; and how it names the replicas: a new pod gets a new name and a log of its own.
 */
class LocalTargetInstallTest {

  static final String NS = "dapr-system";
  static final Release RELEASE = new Release(Semver.parse("1.0.0"), "1.0.0", "1.17.0", null);
  static final String JAVA = ProcessHandle.current().info().command().orElse("java");

  @TempDir
  Path tmp;
  final List<Supervisor> supervisors = new ArrayList<>();
  final List<LocalTarget> targets = new ArrayList<>();
  Doc cluster;

  @AfterEach
  void tearDown() {
    for (LocalTarget t : targets) {
      t.remove(cluster, NS);
      t.closeServices();
    }
    supervisors.forEach(Supervisor::close);
  }

  /** A local target whose components are stand-ins; {@code fail}: the component that exits at once (null: none). */
  private LocalTarget target(String fail) throws Exception {
    Supervisor supervisor = new Supervisor(tmp.resolve("supervisor"), Clock.systemUTC(), new SupervisorSettings(Duration.ofMillis(100),
        Duration.ofMillis(400), Duration.ofSeconds(20), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(20)));
    supervisors.add(supervisor);
    String classes = Path.of(FakeComponent.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    // the local target puts each component's own JVM options in place of those before -cp; options after it stay, and
    // come last, so they win: the stand-ins run small, and the failing one is told so
    List<String> launcher = new ArrayList<>(List.of(JAVA, "-cp", classes, "-Xms8m", "-Xmn4m", "-Xmx24m", "-XX:TieredStopAtLevel=1"));
    if (fail != null) {
      launcher.add("-Dfake.fail=" + fail);
    }
    launcher.add(FakeComponent.class.getName());
    LocalTarget target = new LocalTarget(supervisor, new Distributions(tmp.resolve("versions"), launcher, RELEASE.version()),
        Clock.systemUTC(), null);
    targets.add(target);
    ObjectNode body = new ObjectMapper().createObjectNode();
    String id = "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/c";
    body.put("id", id).put("name", "c");
    body.putObject("_local").put("dir", tmp.resolve("clusters/c").toString())
        .put("portBase", 33000 + (int) (ProcessHandle.current().pid() % 28) * 256).put("portBlock", 256);
    cluster = new Doc(id, "cluster", null, body, "1", Instant.now(), Instant.now());
    return target;
  }

  static Install install() {
    return install(Map.of());
  }

  static Install install(Map<String, String> more) {
    Map<String, String> raw = new java.util.HashMap<>(more);
    raw.put("global.ha.enabled", "false");
    return new Install(NS, DaprSettings.parse(raw), RELEASE, true, null, false);
  }

  private java.util.Set<String> names(LocalTarget target) {
    return target.pods(cluster, NS).stream().map(PodStatus::name).collect(java.util.stream.Collectors.toSet());
  }

  private String log(LocalTarget target, PodStatus pod) throws Exception {
    return Files.readString(target.logFile(cluster, NS, pod.name()));
  }

  @Test
  void nothingButSentryStartsBeforeSentryAnswersBehindItsService() throws Exception {
    LocalTarget target = target(null);

    target.apply(cluster, install(), Duration.ofSeconds(90));

    List<PodStatus> pods = target.pods(cluster, NS);
    assertThat(pods).extracting(PodStatus::component).contains("sentry", "operator", "placement", "scheduler", "injector");
    for (PodStatus p : pods) {
      if (!p.component().equals("sentry")) {
        assertThat(log(target, p)).as(p.name()).contains("sentry answered at start: true").doesNotContain("sentry answered at start: false");
      }
    }
  }

  @Test
  void aComponentFailingItsGateFailsTheInstallByNameWithoutHoldingBackTheOthers() throws Exception {
    LocalTarget target = target("operator");

    assertThatThrownBy(() -> target.apply(cluster, install(), Duration.ofSeconds(90)))
        .isInstanceOf(ReconcileException.class).hasMessageContaining("dapr-operator-").hasMessageContaining("is crash-looping")
        .hasMessageContaining("see daprx logs dapr-operator-");

    // the components after the operator in install order were started beside it, not after it
    List<PodStatus> pods = target.pods(cluster, NS);
    assertThat(pods).filteredOn(p -> !p.component().equals("operator")).extracting(PodStatus::component)
        .contains("placement", "scheduler", "injector");
    assertThat(pods).filteredOn(p -> p.component().equals("injector")).singleElement()
        .satisfies(p -> assertThat(log(target, p)).contains("sentry answered at start: true"));
  }

  @Test
  void everyNewReplicaGetsANewNameAndALogOfItsOwnWhileAReAppliedOrRestartedInstallKeepsItsNames() throws Exception {
    LocalTarget target = target(null);
    target.apply(cluster, install(), Duration.ofSeconds(90));
    java.util.Set<String> first = names(target);
    assertThat(first).anyMatch(n -> n.matches("dapr-operator-[b-z2-9]{10}-[b-z2-9]{5}")).contains("dapr-placement-server-0");

    target.apply(cluster, install(), Duration.ofSeconds(90));
    assertThat(names(target)).as("the same settings again: the same pods").isEqualTo(first);

    target.apply(cluster, install(Map.of("global.logLevel", "debug")), Duration.ofSeconds(90));
    java.util.Set<String> second = names(target);
    // back to the first settings: a ReplicaSet of the first template again, but new pods, never the replaced ones' names
    target.apply(cluster, install(), Duration.ofSeconds(90));
    java.util.Set<String> third = names(target);
    for (PodStatus p : target.pods(cluster, NS)) {
      if (p.component().equals("operator")) {
        assertThat(first).doesNotContain(p.name());
        assertThat(second).doesNotContain(p.name());
        assertThat(log(target, p)).as("a new pod's log starts with its own run").doesNotContain("debug");
      } else if (p.component().equals("placement")) {
        assertThat(first).contains(p.name()); // a StatefulSet's replicas keep their ordinal names
        assertThat(log(target, p)).as("a replaced StatefulSet pod's log starts over").doesNotContain("debug");
      }
    }

    // a stopped cluster comes back with the names it had, as a restarted node's pods do
    target.stop(cluster, NS);
    target.apply(cluster, install(), Duration.ofSeconds(90));
    assertThat(names(target)).isEqualTo(third);
  }
}
