package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daprx.cli.InProcessCli.Result;
import io.daprx.common.trust.CaBundles;
import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daprx apply -f} and {@code daprx mtls export} run in-process against a management API on loopback that
 * answers what a test chooses (a real HTTP server, a real socket): what the user sees, what is sent, what is written.
 */
class ApplyAndExportCommandTest {

  static final String CLUSTER = "/subscriptions/sub1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1";
  static final String SECRET = "p4ssw0rd-inline-9d1c";

  @TempDir
  Path home;
  @TempDir
  Path work;

  private Javalin api;
  private final List<JsonNode> applied = new CopyOnWriteArrayList<>();
  private volatile String caCrt;
  private Map<String, String> env;

  @BeforeEach
  void start() {
    ObjectMapper json = new ObjectMapper();
    api = Javalin.create(c -> c.showJavalinBanner = false);
    api.get("/subscriptions", ctx -> ctx.json(Map.of("value", List.of(Map.of("subscriptionId", "sub1")))));
    api.post(CLUSTER + "/apply", ctx -> {
      applied.add(json.readTree(ctx.body()));
      ctx.json(Map.of("value", List.of(Map.of("reference", "component.dapr.io", "name", "statestore", "result", "created"))));
    });
    api.get(CLUSTER + "/trustBundle", ctx -> ctx.json(Map.of("ca.crt", caCrt)));
    api.start("127.0.0.1", 0);
    env = Map.of("DAPRX_HOME", home.toString(), "DAPRX_ENDPOINT", "http://127.0.0.1:" + api.port(), "DAPRX_TOKEN", "t".repeat(40));
  }

  @AfterEach
  void stop() {
    api.stop();
  }

  static String component(String name, int blob) {
    return "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: " + name + "\nspec:\n  type: state.redis\n  version: v1\n"
        + "  metadata:\n  - name: redisPassword\n    value: " + SECRET + "\n  - name: redisHost\n    value: localhost:6379\n"
        + "  - name: other\n    secretKeyRef: {name: redis, key: password}\n"
        + (blob > 0 ? "  - name: blob\n    value: " + "a".repeat(blob) + "\n" : "");
  }

  @Test
  void applyDebugShowsTheRequestButNeverAnInlineValue() throws Exception {
    Path file = Files.writeString(work.resolve("statestore.yaml"), component("statestore", 0));
    Result r = InProcessCli.run(env, "apply", "-f", file.toString(), "-g", "rg", "-c", "c1", "--debug");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("Request: POST").contains("statestore").contains("redisPassword").contains("secretKeyRef")
        .doesNotContain(SECRET).doesNotContain("localhost:6379");
    // the request itself is whole
    assertThat(applied).hasSize(1);
    assertThat(applied.get(0).toString()).contains(SECRET);
  }

  @Test
  void applyOfAFileOverTheSizeLimitIsRefusedBeforeAnythingIsSent() throws Exception {
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      big.append(component("big-" + i, 1024 * 1024 - 400)).append("---\n");
    }
    Path file = Files.writeString(work.resolve("big.yaml"), big.toString());
    Result r = InProcessCli.run(env, "apply", "-f", file.toString(), "-g", "rg", "-c", "c1");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("big.yaml is 6,").contains("over 1 MiB").doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(applied).isEmpty();
  }

  @Test
  void mtlsExportWritesTheTrustAnchorsItWasGiven() throws Exception {
    caCrt = CaBundles.generate("cluster.local", "dapr-system", Duration.ofDays(1), Clock.systemUTC()).trustAnchorsPem();
    Result r = InProcessCli.run(env, "mtls", "export", "-g", "rg", "-n", "c1", "--out", work.resolve("out").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readString(work.resolve("out").resolve("ca.crt"))).isEqualTo(caCrt);
  }

  @Test
  void mtlsExportOfSomethingThatIsNotACertificateWritesNothingAndSaysSo() throws Exception {
    Path out = Files.createDirectories(work.resolve("out"));
    String before = CaBundles.generate("cluster.local", "dapr-system", Duration.ofDays(1), Clock.systemUTC()).trustAnchorsPem();
    Files.writeString(out.resolve("ca.crt"), before);
    for (String corrupt : new String[] {"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n", "", "<html>"}) {
      caCrt = corrupt;
      Result r = InProcessCli.run(env, "mtls", "export", "-g", "rg", "-n", "c1", "--out", out.toString());
      assertThat(r.code()).as(corrupt).isNotZero();
      assertThat(r.err()).contains("trust anchors").contains("nothing was written").doesNotContain("\tat ");
      assertThat(Files.readString(out.resolve("ca.crt"))).isEqualTo(before);
      try (var files = Files.list(out)) {
        assertThat(files).containsExactly(out.resolve("ca.crt"));
      }
    }
  }
}
