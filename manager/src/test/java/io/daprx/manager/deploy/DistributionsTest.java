package io.daprx.manager.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistributionsTest {

  static final Semver BUILD = Semver.parse("0.1.0");
  static final List<String> JAR_LAUNCHER = List.of("/usr/bin/java", "-Xmx128m", "-jar", "/opt/daprx/daprx.jar");

  @TempDir
  Path dir;

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  private Release release(String version, String url, String sha) {
    return new Release(Semver.parse(version), version, "1.17.0", new Release.Distribution(url, sha));
  }

  @Test
  void theServersOwnBuildRunsAsItIs() throws Exception {
    Distributions d = new Distributions(dir.resolve("versions"), JAR_LAUNCHER, BUILD);
    assertThat(d.launcher(new Release(BUILD, "0.1.0", "1.17.0"))).isEqualTo(JAR_LAUNCHER);
  }

  @Test
  void eachComponentRunsWithItsOwnOptionsWhateverTheLauncherSays() {
    assertThat(Distributions.withJvmOptions(JAR_LAUNCHER, List.of("-Xmx448m", "-Xss512k")))
        .containsExactly("/usr/bin/java", "-Xmx448m", "-Xss512k", "-jar", "/opt/daprx/daprx.jar");
    assertThat(Distributions.withJvmOptions(List.of("java", "-Xms8m", "-cp", "a.jar:b.jar", "io.daprx.cli.Main"), List.of("-Xmx256m")))
        .containsExactly("java", "-Xmx256m", "-cp", "a.jar:b.jar", "io.daprx.cli.Main");
    // the scheduler keeps a few fields of each job it triggers on the heap: a local cluster's replicas must not get the
    // small cap of the other components (a million jobs measured ~305 MB live)
    assertThat(io.daprx.common.runtime.JvmOptions.heapMax(io.daprx.common.runtime.JvmOptions.of("scheduler"))).contains("448m");
    assertThatThrownBy(() -> Distributions.withJvmOptions(List.of("java", "Main"), List.of())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anotherVersionIsFetchedOnceCheckedAndRunFromItsOwnJarWithTheSameJvmFlags() throws Exception {
    byte[] jar = "not really a jar".getBytes(StandardCharsets.UTF_8);
    Path source = Files.write(dir.resolve("daprx-0.2.0.jar"), jar);
    Distributions d = new Distributions(dir.resolve("versions"), JAR_LAUNCHER, BUILD);
    Release r = release("0.2.0", source.toUri().toString(), sha256(jar));

    Path installed = dir.resolve("versions").resolve("0.2.0").resolve("daprx.jar");
    assertThat(d.launcher(r)).containsExactly("/usr/bin/java", "-Xmx128m", "-jar", installed.toString());
    assertThat(installed).hasBinaryContent(jar);
    Files.delete(source); // installed side by side: the source is not needed again
    assertThat(d.launcher(r)).endsWith(installed.toString());
  }

  @Test
  void aJarWhoseDigestDiffersFromTheCatalogIsNeverInstalled() throws Exception {
    Path source = Files.writeString(dir.resolve("evil.jar"), "tampered");
    Distributions d = new Distributions(dir.resolve("versions"), JAR_LAUNCHER, BUILD);
    Release r = release("0.2.0", source.toUri().toString(), "0".repeat(64));
    assertThatThrownBy(() -> d.launcher(r)).isInstanceOf(ReconcileException.class)
        .hasMessageContaining("has SHA-256 " + sha256("tampered".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("but the catalog says " + "0".repeat(64));
    try (var left = Files.list(dir.resolve("versions").resolve("0.2.0"))) {
      assertThat(left).as("no partial or unverified jar left behind").isEmpty();
    }
  }

  @Test
  void aJarChangedOnDiskIsFetchedAgain() throws Exception {
    byte[] jar = "the real one".getBytes(StandardCharsets.UTF_8);
    Path source = Files.write(dir.resolve("daprx.jar"), jar);
    Release r = release("0.2.0", source.toUri().toString(), sha256(jar));
    new Distributions(dir.resolve("versions"), JAR_LAUNCHER, BUILD).launcher(r);
    Path installed = dir.resolve("versions").resolve("0.2.0").resolve("daprx.jar");
    Files.writeString(installed, "corrupted");
    new Distributions(dir.resolve("versions"), JAR_LAUNCHER, BUILD).launcher(r); // a new server checks what it finds
    assertThat(installed).hasBinaryContent(jar);
  }

  @Test
  void fetchesOverHttpAndReportsAnHttpError() throws Exception {
    byte[] jar = "served".getBytes(StandardCharsets.UTF_8);
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/daprx.jar", ex -> {
      ex.sendResponseHeaders(200, jar.length);
      ex.getResponseBody().write(jar);
      ex.close();
    });
    http.start();
    try {
      String base = "http://127.0.0.1:" + http.getAddress().getPort();
      Distributions d = new Distributions(dir.resolve("versions"), JAR_LAUNCHER, BUILD);
      assertThat(d.launcher(release("0.3.0", base + "/daprx.jar", sha256(jar)))).last().asString().endsWith("0.3.0/daprx.jar");
      assertThatThrownBy(() -> d.launcher(release("0.4.0", base + "/missing.jar", sha256(jar))))
          .isInstanceOf(ReconcileException.class).hasMessageContaining("answered HTTP 404");
    } finally {
      http.stop(0);
    }
  }

  @Test
  void aVersionWithoutADistributionOnlyRunsAsTheServersOwnBuild() {
    Distributions d = new Distributions(dir.resolve("versions"), JAR_LAUNCHER, BUILD);
    assertThatThrownBy(() -> d.launcher(new Release(Semver.parse("0.5.0"), "0.5.0", "1.18.0")))
        .isInstanceOf(ReconcileException.class)
        .hasMessageContaining("daprx 0.5.0 has no distribution for local clusters in the catalog (this server is 0.1.0)");
  }

  @Test
  void aServerRunFromClassDirectoriesStartsOtherVersionsFromTheirJar() throws Exception {
    byte[] jar = "x".getBytes(StandardCharsets.UTF_8);
    Path source = Files.write(dir.resolve("x.jar"), jar);
    Distributions d = new Distributions(dir.resolve("versions"),
        List.of("/usr/bin/java", "-Xss512k", "-cp", "/src/classes:/m2/a.jar", "io.daprx.cli.Main"), BUILD);
    assertThat(d.launcher(release("0.2.0", source.toUri().toString(), sha256(jar))))
        .containsExactly("/usr/bin/java", "-Xss512k", "-jar", dir.resolve("versions").resolve("0.2.0").resolve("daprx.jar").toString());
  }
}
