package io.daprx.manager.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local target with a real supervisor and real processes (a stand-in component per replica): a local cluster's control
 * plane belongs to the extension that installed it — a second extension can neither take it over nor, when removed, destroy
 * it — and a CA that existed is never silently made anew.
 */
class LocalTargetOwnershipTest {

  static final String NS = "dapr-system";
  static final String A = "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/c/providers/"
      + "microsoft.kubernetesconfiguration/extensions/dapr";
  static final String B = A + "2";
  static final Release RELEASE = new Release(Semver.parse("1.0.0"), "1.0.0", "1.17.0", null);
  static final String JAVA = ProcessHandle.current().info().command().orElse("java");

  @TempDir
  Path tmp;
  Supervisor supervisor;
  LocalTarget target;
  Doc cluster;

  @BeforeEach
  void setUp() throws Exception {
    supervisor = new Supervisor(tmp.resolve("supervisor"), Clock.systemUTC(), new SupervisorSettings(Duration.ofMillis(200),
        Duration.ofSeconds(1), Duration.ofSeconds(20), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(20)));
    String classes = Path.of(FakeComponent.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    target = new LocalTarget(supervisor, new Distributions(tmp.resolve("versions"), List.of(JAVA, "-XX:+UseSerialGC", "-Xmx24m",
        "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", classes, FakeComponent.class.getName()), RELEASE.version()), Clock.systemUTC(), null);
    ObjectNode body = new ObjectMapper().createObjectNode();
    String id = "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/c";
    body.put("id", id).put("name", "c");
    body.putObject("_local").put("dir", tmp.resolve("clusters/c").toString())
        .put("portBase", 25000 + (int) (ProcessHandle.current().pid() % 28) * 256).put("portBlock", 256);
    cluster = new Doc(id, "cluster", null, body, "1", Instant.now(), Instant.now());
  }

  @AfterEach
  void tearDown() {
    target.remove(cluster, NS);
    target.closeServices();
    supervisor.close();
  }

  static Install install(String owner, boolean caExisted) {
    return new Install(NS, DaprSettings.parse(Map.of("global.ha.enabled", "false")), RELEASE, true, owner, caExisted);
  }

  private List<Long> pids() {
    return target.pods(cluster, NS).stream().map(PodStatus::pid).filter(Objects::nonNull).sorted().toList();
  }

  private Path caCrt() {
    return tmp.resolve("clusters/c/trust-bundle/ca.crt");
  }

  @Test
  void aSecondExtensionNeitherTakesOverNorRemovesTheControlPlaneOfTheFirst() throws Exception {
    target.apply(cluster, install(A, false), Duration.ofSeconds(90));
    List<Long> before = pids();
    String ca = Files.readString(caCrt());
    assertThat(before).isNotEmpty();

    assertThatThrownBy(() -> target.apply(cluster, install(B, false), Duration.ofSeconds(30)))
        .isInstanceOf(ReconcileException.class).hasMessageContaining("extension 'dapr'").hasMessageContaining("nothing was changed");
    target.remove(cluster, NS, B);

    assertThat(pids()).as("the first install's processes still run").isEqualTo(before);
    assertThat(before).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true));
    assertThat(Files.readString(caCrt())).as("its CA is untouched").isEqualTo(ca);
    assertThat(supervisor.allReady(LocalTarget.group(Targets.local(cluster), NS))).isTrue();

    target.remove(cluster, NS, A);
    assertThat(pids()).as("the owner's removal removes its install").isEmpty();
    assertThat(caCrt()).doesNotExist();
    before.forEach(pid -> await().atMost(Duration.ofSeconds(10))
        .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)));
    // the cluster is free again: a new extension may install there
    target.apply(cluster, install(B, false), Duration.ofSeconds(90));
    assertThat(pids()).isNotEmpty();
  }

  @Test
  void aMissingCaOfAnInstallThatRanIsAnErrorNamingTheFixNeverANewRoot() throws Exception {
    target.apply(cluster, install(A, false), Duration.ofSeconds(90));
    target.stop(cluster, NS);
    Path dir = caCrt().getParent();
    for (String f : List.of("ca.crt", "issuer.crt", "issuer.key")) {
      Files.delete(dir.resolve(f));
    }

    assertThatThrownBy(() -> target.apply(cluster, install(A, true), Duration.ofSeconds(30)))
        .isInstanceOf(ReconcileException.class).hasMessageContaining("CA of this control plane is missing")
        .hasMessageContaining("lacks ca.crt, issuer.crt, issuer.key").hasMessageContaining("Restore the files from a backup");
    assertThat(caCrt()).as("no new root was made").doesNotExist();
    assertThat(pids()).as("nothing was started").isEmpty();
  }

  @Test
  void aCaWithAFileMissingIsNamedForAnInstallThatRanAndMadeAgainWholeForAFirstInstallCutShort() throws Exception {
    Path dir = caCrt().getParent();
    // a server killed between the files of a first install's new CA: the key and issuer written, the root not yet
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("issuer.key"), "-----BEGIN PRIVATE KEY-----\nhalf\n-----END PRIVATE KEY-----\n");
    Files.writeString(dir.resolve("issuer.crt"), "-----BEGIN CERTIFICATE-----\nhalf\n-----END CERTIFICATE-----\n");

    target.apply(cluster, install(A, false), Duration.ofSeconds(90));
    assertThat(caCrt()).exists();
    assertThat(Files.readString(dir.resolve("issuer.key"))).doesNotContain("half");
    assertThat(supervisor.allReady(LocalTarget.group(Targets.local(cluster), NS))).as("sentry started with the whole CA").isTrue();

    // once the install ran, a file gone is never made again: the error names it
    target.stop(cluster, NS);
    Files.delete(caCrt());
    String key = Files.readString(dir.resolve("issuer.key"));
    assertThatThrownBy(() -> target.apply(cluster, install(A, true), Duration.ofSeconds(30)))
        .isInstanceOf(ReconcileException.class).hasMessageContaining("lacks ca.crt,").hasMessageContaining("none is made");
    assertThat(caCrt()).doesNotExist();
    assertThat(Files.readString(dir.resolve("issuer.key"))).isEqualTo(key);
  }
}
