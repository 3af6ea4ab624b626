package io.daprx.manager.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {

  /** Four minors on stable (one falls out of the window), pre-releases on dev. */
  static final String JSON = """
      {"trains": {
        "Stable": [
          {"version": "1.0.0", "imageTag": "1.0.0", "daprVersion": "1.16.0"},
          {"version": "1.1.0", "imageTag": "1.1.0", "daprVersion": "1.17.0"},
          {"version": "1.1.2", "imageTag": "1.1.2", "daprVersion": "1.17.2"},
          {"version": "1.1.1", "imageTag": "1.1.1", "daprVersion": "1.17.1"},
          {"version": "1.2.0", "imageTag": "1.2.0", "daprVersion": "1.17.4"},
          {"version": "1.3.0", "imageTag": "1.3.0", "daprVersion": "1.18.0"},
          {"version": "1.3.1", "imageTag": "1.3.1-hotfix", "daprVersion": "1.18.1"},
          {"version": "2.0.0", "imageTag": "2.0.0", "daprVersion": "1.18.1"}
        ],
        "dev": [
          {"version": "1.3.1", "imageTag": "1.3.1", "daprVersion": "1.18.1"},
          {"version": "1.4.0-rc.1", "imageTag": "1.4.0-rc.1", "daprVersion": "1.18.1"},
          {"version": "1.4.0-rc.2", "imageTag": "1.4.0-rc.2", "daprVersion": "1.18.1"}
        ]
      }}
      """;
  static final Catalog CATALOG = Catalog.parse(JSON, "test catalog");

  @TempDir
  Path dir;

  private static List<String> versions(List<Release> releases) {
    return releases.stream().map(r -> r.version().toString()).toList();
  }

  private static Semver v(String s) {
    return Semver.parse(s);
  }

  @Test
  void trainsAreSortedAndCaseInsensitive() {
    assertThat(versions(CATALOG.versions("stable"))).containsExactly("1.0.0", "1.1.0", "1.1.1", "1.1.2", "1.2.0", "1.3.0", "1.3.1", "2.0.0");
    assertThat(CATALOG.versions("STABLE")).isEqualTo(CATALOG.versions("stable"));
    assertThat(CATALOG.versions(null)).isEqualTo(CATALOG.versions("stable"));
  }

  @Test
  void anUnknownTrainListsTheKnownOnes() {
    assertThatThrownBy(() -> CATALOG.versions("nightly")).isInstanceOf(CatalogException.class)
        .hasMessage("unknown release train 'nightly'; known trains: stable, dev");
  }

  @Test
  void defaultIsTheNewestReleaseOfTheTrain() {
    assertThat(CATALOG.defaultVersion("stable").version()).isEqualTo(v("2.0.0"));
    // a train of pre-releases still has a default: its newest release if any, else its newest pre-release
    assertThat(CATALOG.defaultVersion("dev").version()).isEqualTo(v("1.3.1"));
    Catalog previews = Catalog.parse("{\"trains\":{\"dev\":[{\"version\":\"1.4.0-rc.1\",\"imageTag\":\"a\",\"daprVersion\":\"1.18.0\"},"
        + "{\"version\":\"1.4.0-rc.2\",\"imageTag\":\"b\",\"daprVersion\":\"1.18.0\"}]}}", "x");
    assertThat(previews.defaultVersion("dev").imageTag()).isEqualTo("b");
  }

  @Test
  void supportedWindowIsTheLatestPatchOfTheNewestThreeMinors() {
    assertThat(versions(CATALOG.supported("stable"))).containsExactly("1.2.0", "1.3.1", "2.0.0");
    assertThat(versions(CATALOG.supported("dev"))).containsExactly("1.3.1", "1.4.0-rc.2");
  }

  @Test
  void autoUpgradeGoesToTheNewestSupportedMinorOrPatchOfTheSameMajor() {
    assertThat(CATALOG.autoUpgradeTarget(v("1.2.0"), "stable", true)).map(Release::version).contains(v("1.3.1"));
    assertThat(CATALOG.autoUpgradeTarget(v("1.3.0"), "stable", true)).map(Release::version).contains(v("1.3.1"));
    // from outside the window, straight to the newest supported version
    assertThat(CATALOG.autoUpgradeTarget(v("1.1.0"), "stable", true)).map(Release::version).contains(v("1.3.1"));
    assertThat(CATALOG.autoUpgradeTarget(v("1.4.0-rc.1"), "dev", true)).map(Release::version).contains(v("1.4.0-rc.2"));
  }

  @Test
  void autoUpgradeNeverCrossesAMajorNorDowngrades() {
    assertThat(CATALOG.autoUpgradeTarget(v("1.3.1"), "stable", true)).isEmpty();
    assertThat(CATALOG.autoUpgradeTarget(v("2.0.0"), "stable", true)).isEmpty();
    // newer than anything on the train (a pinned hotfix, say): stays where it is
    assertThat(CATALOG.autoUpgradeTarget(v("1.9.0"), "stable", true)).isEmpty();
    // the dev train's release is older than the pre-release installed
    assertThat(CATALOG.autoUpgradeTarget(v("1.4.0-rc.2"), "dev", true)).isEmpty();
  }

  @Test
  void pinnedVersionsNeverMove() {
    assertThat(CATALOG.autoUpgradeTarget(v("1.0.0"), "stable", false)).isEmpty();
    assertThat(CATALOG.autoUpgradeTarget(v("1.2.0"), "stable", false)).isEmpty();
  }

  @Test
  void crdsAreAppliedOnInstallAndUpgradeNotOnDowngradeUnlessOverridden() {
    assertThat(Catalog.applyCrds(null, v("1.3.1"), null)).isTrue();
    assertThat(Catalog.applyCrds(v("1.2.0"), v("1.3.1"), null)).isTrue();
    assertThat(Catalog.applyCrds(v("1.3.1"), v("1.3.1"), null)).isTrue();
    assertThat(Catalog.applyCrds(v("1.3.1"), v("1.2.0"), null)).isFalse();
    assertThat(Catalog.applyCrds(v("1.3.1"), v("1.2.0"), true)).isTrue();
    assertThat(Catalog.applyCrds(v("1.2.0"), v("1.3.1"), false)).isFalse();
  }

  @Test
  void aRequestedVersionMustBeOnTheTrainAndSupported() {
    assertThat(CATALOG.requested("1.3.1", "stable").imageTag()).isEqualTo("1.3.1-hotfix");
    assertThat(CATALOG.requested("v1.2.0", "Stable").daprVersion()).isEqualTo("1.17.4");
    assertThatThrownBy(() -> CATALOG.requested("1.5.0", "stable")).isInstanceOf(CatalogException.class)
        .hasMessage("version 1.5.0 is not on release train 'stable'; available: 1.0.0, 1.1.0, 1.1.1, 1.1.2, 1.2.0, 1.3.0, 1.3.1, 2.0.0");
    assertThatThrownBy(() -> CATALOG.requested("1.1.2", "stable")).isInstanceOf(CatalogException.class)
        .hasMessageContaining("no longer supported").hasMessageContaining("1.2.0, 1.3.1, 2.0.0");
    assertThatThrownBy(() -> CATALOG.requested("1.3.0", "stable")).hasMessageContaining("no longer supported");
    assertThatThrownBy(() -> CATALOG.requested("1.4.0-rc.2", "stable")).hasMessageContaining("not on release train 'stable'");
    assertThatThrownBy(() -> CATALOG.requested("latest", "stable")).hasMessageContaining("invalid --version");
  }

  @Test
  void aDistributionNeedsAUrlAndTheJarsDigest() {
    String sha = "ab".repeat(32);
    Catalog c = Catalog.parse("""
        {"trains": {"stable": [{"version": "1.0.0", "imageTag": "1.0.0", "daprVersion": "1.17.0",
          "distribution": {"url": "file:/opt/daprx/1.0.0/daprx.jar", "sha256": "%s"}}]}}
        """.formatted(sha.toUpperCase()), "test");
    Release r = c.defaultVersion("stable");
    assertThat(r.distribution()).isEqualTo(new Release.Distribution("file:/opt/daprx/1.0.0/daprx.jar", sha));
    assertThat(Catalog.fromJson(Catalog.toJson(r))).isEqualTo(r);
    assertThat(Catalog.runsLocally(r, v("9.9.9"))).isTrue();
    assertThat(Catalog.runsLocally(CATALOG.defaultVersion("stable"), v("9.9.9"))).isFalse();
    assertThat(Catalog.runsLocally(CATALOG.defaultVersion("stable"), v("2.0.0"))).isTrue();

    assertThatThrownBy(() -> Catalog.parse("""
        {"trains": {"stable": [{"version": "1.0.0", "imageTag": "1.0.0", "daprVersion": "1.17.0",
          "distribution": {"url": "ftp://mirror/daprx.jar", "sha256": "abc"}}]}}
        """, "catalog x.json")).isInstanceOf(CatalogException.class)
        .hasMessageContaining("catalog x.json is invalid: train 'stable' entry 0: distribution.url must be an https:, http: or file: URL")
        .hasMessageContaining("distribution.sha256 must be the jar's SHA-256 as 64 hex digits");
  }

  @Test
  void autoUpgradeAndTheDefaultOnlyPickWhatTheClusterRuns() {
    java.util.function.Predicate<Release> upTo13 = r -> !r.version().newerThan(v("1.3.0"));
    // 1.3.1 (the supported patch of 1.3) is not runnable here, and 1.3.0 is out of the window: nothing to move to
    assertThat(CATALOG.autoUpgradeTarget(v("1.2.0"), "stable", true, upTo13)).isEmpty();
    assertThat(CATALOG.autoUpgradeTarget(v("1.2.0"), "stable", true, r -> true)).map(r -> r.version().toString()).contains("1.3.1");
    assertThat(CATALOG.defaultVersion("stable", upTo13)).map(r -> r.version().toString()).contains("1.3.0");
    assertThat(CATALOG.defaultVersion("stable", r -> false)).isEmpty();
  }

  @Test
  void theBuiltInCatalogIsValidAndHasBothTrains() {
    Catalog builtIn = Catalog.builtIn();
    assertThat(builtIn.trains()).containsKeys("stable", "dev");
    // the built-in catalog offers exactly this build, which local clusters run without a download
    Semver build = Semver.parse(io.daprx.manager.engine.Versions.CURRENT);
    assertThat(builtIn.defaultVersion("stable").version()).isEqualTo(build);
    assertThat(builtIn.versions("dev")).extracting(Release::version).containsExactly(build);
    assertThat(Catalog.runsLocally(builtIn.defaultVersion("stable"), build)).isTrue();
    assertThat(Catalog.load(null)).isEqualTo(builtIn);
  }

  @Test
  void loadsFromAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("catalog.json"), JSON);
    assertThat(Catalog.load(file.toString())).isEqualTo(CATALOG);
    assertThat(Catalog.load(file.toUri().toString())).isEqualTo(CATALOG);
  }

  @Test
  void loadsFromAnHttpUrl() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/catalog.json", ex -> {
      byte[] body = JSON.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.createContext("/missing", ex -> {
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      assertThat(Catalog.load(base + "/catalog.json")).isEqualTo(CATALOG);
      assertThatThrownBy(() -> Catalog.load(base + "/missing")).isInstanceOf(CatalogException.class)
          .hasMessage("catalog " + base + "/missing answered HTTP 404");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void badCatalogFilesSayWhatIsWrongAndWhere() throws Exception {
    assertThatThrownBy(() -> Catalog.load(dir.resolve("nope.json").toString())).isInstanceOf(CatalogException.class)
        .hasMessageContaining("does not exist");
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"trains\": ");
    assertThatThrownBy(() -> Catalog.load(broken.toString())).hasMessageStartingWith("catalog file " + broken + " is not valid JSON");
    assertThatThrownBy(() -> Catalog.parse("{}", "c")).hasMessage("c has no release trains: expected {\"trains\": {\"stable\": [...]}}");
    assertThatThrownBy(() -> Catalog.parse("{\"trains\":{\"stable\":[]}}", "c")).hasMessageContaining("train 'stable' must be a non-empty list");
    assertThatThrownBy(() -> Catalog.parse("""
        {"trains":{"stable":[
          {"version":"1.0","imageTag":"a","daprVersion":"1.17.0"},
          {"version":"1.1.0","daprVersion":"1.17.0"},
          {"version":"1.2.0","imageTag":"c","daprVersion":"one"},
          {"version":"1.3.0","imageTag":"d","daprVersion":"1.17.0"},
          {"version":"1.3.0","imageTag":"e","daprVersion":"1.17.0"}]}}""", "c"))
        .isInstanceOf(CatalogException.class)
        .hasMessageContaining("train 'stable' entry 0: version '1.0' is not a semantic version")
        .hasMessageContaining("train 'stable' entry 1: imageTag is missing")
        .hasMessageContaining("train 'stable' entry 2: daprVersion 'one' is not a semantic version")
        .hasMessageContaining("train 'stable' entry 4: version 1.3.0 is listed twice");
  }
}
