package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.cli.InProcessCli.Result;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code k8s-extension create --verbose} prints each component's ready count as the server reports it while the
 * operation runs, once per change: in-process against a management API on loopback whose operation rolls out in steps.
 */
class VerboseStepsTest {

  static final String EXT = "/subscriptions/sub1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1"
      + "/providers/Microsoft.KubernetesConfiguration/extensions/dapr";
  static final String OP = "/subscriptions/sub1/providers/Microsoft.KubernetesConfiguration/locations/local/operationStatuses/op1";

  /** What the extension's statuses read at each poll of the operation; the last one stays once it is done. */
  static final List<List<String>> ROLLOUT = List.of(
      List.of("dapr-sentry 0/1 ready"),
      List.of("dapr-sentry 0/1 ready"),
      List.of("dapr-sentry 1/1 ready", "dapr-placement-server 0/1 ready"),
      List.of("dapr-sentry 1/1 ready", "dapr-placement-server 1/1 ready"));

  @TempDir
  Path home;

  private Javalin api;
  private final AtomicInteger polls = new AtomicInteger();
  private Map<String, String> env;

  @BeforeEach
  void start() {
    api = Javalin.create(c -> c.showJavalinBanner = false);
    api.get("/subscriptions", ctx -> ctx.json(Map.of("value", List.of(Map.of("subscriptionId", "sub1")))));
    api.put(EXT, ctx -> ctx.status(201).header("Azure-AsyncOperation", "http://127.0.0.1:" + api.port() + OP).json(extension(0)));
    api.get(OP, ctx -> {
      int n = polls.getAndIncrement();
      ctx.json(Map.of("status", n < ROLLOUT.size() ? "InProgress" : "Succeeded"));
    });
    api.get(EXT, ctx -> ctx.json(extension(Math.max(0, polls.get() - 1))));
    api.start("127.0.0.1", 0);
    env = Map.of("DAPRX_HOME", home.toString(), "DAPRX_ENDPOINT", "http://127.0.0.1:" + api.port(), "DAPRX_TOKEN", "t".repeat(40));
  }

  @AfterEach
  void stop() {
    api.stop();
  }

  static Map<String, Object> extension(int step) {
    List<Map<String, String>> statuses = ROLLOUT.get(Math.min(step, ROLLOUT.size() - 1)).stream()
        .map(d -> Map.of("code", "Ready", "displayStatus", d, "level", "Information", "message", d)).toList();
    return Map.of("id", EXT, "name", "dapr", "properties", Map.of("provisioningState", step < ROLLOUT.size() - 1 ? "Creating" : "Succeeded",
        "extensionType", "microsoft.dapr", "statuses", statuses));
  }

  @Test
  void verbosePrintsEachReadyCountOnceAsItChanges() {
    Result r = InProcessCli.run(env, "k8s-extension", "create", "-g", "rg", "-c", "c1", "-n", "dapr", "--extension-type", "Microsoft.Dapr",
        "--verbose", "--only-show-errors");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err().lines().filter(l -> l.startsWith("INFO: dapr-")).toList()).containsExactly(
        "INFO: dapr-sentry 0/1 ready", "INFO: dapr-sentry 1/1 ready", "INFO: dapr-placement-server 0/1 ready",
        "INFO: dapr-placement-server 1/1 ready");
    assertThat(r.json().path("provisioningState").asText()).isEqualTo("Succeeded");

    polls.set(0);
    Result quiet = InProcessCli.run(env, "k8s-extension", "create", "-g", "rg", "-c", "c1", "-n", "dapr", "--extension-type", "Microsoft.Dapr",
        "--only-show-errors");
    assertThat(quiet.err()).doesNotContain("INFO:");
  }
}
