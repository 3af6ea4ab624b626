package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daprx.cli.InProcessCli.Result;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code kubectl} binary, as a process, against a local cluster's Kubernetes API on the management API
 * ({@link LocalKubeApi}: real port and TLS, real bearer token, real store and resources directory), with the kubeconfig
 * {@code daprx cluster get-credentials} wrote.
 */
class KubectlIT {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private LocalKubeApi api;
  private Path kubeconfig;
  private Path logFile;

  @BeforeAll
  static void kubectlIsThere() {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/kubectl")), "kubectl is not installed");
  }

  @BeforeEach
  void start() throws Exception {
    api = new LocalKubeApi(dir);
    logFile = api.sentryLog;
    kubeconfig = dir.resolve("kube").resolve("config");
    Result r = InProcessCli.run(api.env(), "cluster", "get-credentials", "-g", "rg", "-n", "c1", "--file", kubeconfig.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Merged \"c1\" as current context in " + kubeconfig);
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  private record Run(int code, String out, String err) {}

  private Run kubectl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/kubectl", "--kubeconfig", kubeconfig.toString(), "--cache-dir",
        dir.resolve("cache").toString(), "--request-timeout", "10s"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("HOME", dir.toString());
    Process p = pb.start();
    CompletableFuture<String> out = read(p.getInputStream());
    CompletableFuture<String> err = read(p.getErrorStream());
    p.getOutputStream().close();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish");
    }
    return new Run(p.exitValue(), out.get(), err.get());
  }

  private static CompletableFuture<String> read(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        return "";
      }
    });
  }

  @Test
  void getPodsPrintsTheTableKubectlUsersKnow() throws Exception {
    Run r = kubectl("get", "pods", "-n", "dapr-system");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines().toList()).containsExactly(
        "NAME                      READY   STATUS             RESTARTS   AGE",
        "dapr-sentry-0             1/1     Running            0          5m",
        "dapr-placement-server-1   0/1     CrashLoopBackOff   3          60m");
  }

  @Test
  void getPodsAsJsonIsAListOfV1Pods() throws Exception {
    Run r = kubectl("get", "pods", "-A", "-o", "json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode list = JSON.readTree(r.out());
    assertThat(list.path("kind").asText()).isEqualTo("List");
    assertThat(list.path("items")).hasSize(2);
    JsonNode pod = list.path("items").path(0);
    assertThat(pod.path("apiVersion").asText()).isEqualTo("v1");
    assertThat(pod.path("kind").asText()).isEqualTo("Pod");
    assertThat(pod.path("metadata").path("namespace").asText()).isEqualTo("dapr-system");
    assertThat(pod.path("status").path("containerStatuses").path(0).path("ready").asBoolean()).isTrue();

    Run selected = kubectl("get", "pods", "-n", "dapr-system", "-l", "app=dapr-sentry", "-o", "name");
    assertThat(selected.out().trim()).as(selected.err()).isEqualTo("pod/dapr-sentry-0");
  }

  @Test
  void logsPrintsThePodsLogAndItsTail() throws Exception {
    Run all = kubectl("logs", "-n", "dapr-system", "dapr-sentry-0");
    assertThat(all.code()).as(all.err()).isZero();
    assertThat(all.out()).isEqualTo("line one\nline two\nline three\n");
    Run tail = kubectl("logs", "-n", "dapr-system", "dapr-sentry-0", "--tail", "1");
    assertThat(tail.out()).as(tail.err()).isEqualTo("line three\n");
  }

  @Test
  void logsFollowStreamsWhatThePodWritesNext() throws Exception {
    List<String> cmd = List.of("/usr/bin/kubectl", "--kubeconfig", kubeconfig.toString(), "--cache-dir", dir.resolve("cache").toString(),
        "logs", "-f", "-n", "dapr-system", "dapr-sentry-0");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      Thread reader = new Thread(() -> {
        try (InputStream in = p.getInputStream()) {
          in.transferTo(new java.io.OutputStream() {
            @Override
            public synchronized void write(int b) {
              seen.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
              seen.write(b, off, len);
            }
          });
        } catch (java.io.IOException ignored) {
          // the process was stopped
        }
      });
      reader.setDaemon(true);
      reader.start();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seen.toString(StandardCharsets.UTF_8).contains("line three"));
      Files.writeString(logFile, "line four\n", java.nio.file.StandardOpenOption.APPEND);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seen.toString(StandardCharsets.UTF_8).contains("line four"));
    } finally {
      p.destroy();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void getPodsWatchPrintsAChangeAsItHappens() throws Exception {
    Process p = new ProcessBuilder("/usr/bin/kubectl", "--kubeconfig", kubeconfig.toString(), "--cache-dir", dir.resolve("cache").toString(),
        "get", "pods", "-n", "dapr-system", "-w").redirectErrorStream(true).start();
    try {
      StringBuffer seen = new StringBuffer();
      Thread reader = new Thread(() -> {
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            seen.append(line).append('\n');
          }
        } catch (java.io.IOException ignored) {
          // the process was stopped
        }
      });
      reader.setDaemon(true);
      reader.start();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seen.toString().contains("dapr-placement-server-1"));
      api.sentryReady = false;
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seen.toString().matches("(?s).*dapr-sentry-0\\s+0/1\\s+Running.*"));
      assertThat(seen.toString()).doesNotContain("error").startsWith("NAME");
    } finally {
      p.destroy();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void servicesNamespacesAndEventsListAsKubectlExpects() throws Exception {
    Run r = kubectl("get", "services,namespaces", "-A");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("service/dapr-api").contains("ClusterIP").contains("namespace/dapr-system").contains("Active");
    Run events = kubectl("get", "events", "-n", "dapr-system");
    assertThat(events.code()).as(events.err()).isZero();
    assertThat(events.err()).contains("No resources found in dapr-system namespace.");
  }

  static final String COMPONENT = """
      apiVersion: dapr.io/v1alpha1
      kind: Component
      metadata:
        name: statestore
        namespace: default
      spec:
        type: state.redis
        version: v1
        metadata:
        - name: redisHost
          value: localhost:6379
      """;

  @Test
  void applyLandsWhereDaprxApplyPutsItAndGetComponentsShowsIt() throws Exception {
    Path file = Files.writeString(dir.resolve("component.yaml"), COMPONENT);
    Run created = kubectl("apply", "-f", file.toString());
    assertThat(created.code()).as(created.err()).isZero();
    assertThat(created.out().trim()).isEqualTo("component.dapr.io/statestore created");
    // the file the operators read, written by the same path as daprx apply
    try (var files = Files.list(dir.resolve("clusters"))) {
      Path clusterDir = files.findFirst().orElseThrow();
      try (var found = Files.walk(clusterDir)) {
        assertThat(found.map(Path::getFileName).map(Path::toString)).anyMatch(n -> n.startsWith("components_") && n.contains("statestore"));
      }
    }
    Run get = kubectl("get", "components");
    assertThat(get.code()).as(get.err()).isZero();
    assertThat(get.out()).startsWith("NAME         AGE\nstatestore   ");

    Path changed = Files.writeString(dir.resolve("component.yaml"), COMPONENT.replace("localhost:6379", "redis:6379"));
    Run configured = kubectl("apply", "-f", changed.toString());
    assertThat(configured.code()).as(configured.err()).isZero();
    assertThat(configured.out().trim()).isEqualTo("component.dapr.io/statestore configured");
    Run again = kubectl("apply", "-f", changed.toString());
    assertThat(again.out().trim()).as(again.err()).isEqualTo("component.dapr.io/statestore unchanged");
    assertThat(again.err()).doesNotContain("Warning");
    Run json = kubectl("get", "component", "statestore", "-o", "jsonpath={.spec.metadata[0].value}");
    assertThat(json.out()).as(json.err()).isEqualTo("redis:6379");

    Run deleted = kubectl("delete", "-f", changed.toString());
    assertThat(deleted.code()).as(deleted.err()).isZero();
    assertThat(deleted.out().trim()).isEqualTo("component.dapr.io \"statestore\" deleted");
  }

  @Test
  void aWriteToAPodIsRefusedAndSaysWhy() throws Exception {
    Run r = kubectl("delete", "pod", "-n", "dapr-system", "dapr-sentry-0");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("Forbidden").contains("read-only").contains("daprx k8s-extension update");
  }

  @Test
  void theReaderTokenReadsButCannotApply() throws Exception {
    Result r = InProcessCli.run(api.env(), "cluster", "get-credentials", "-g", "rg", "-n", "c1", "--file", kubeconfig.toString(),
        "--read-only", "--context", "c1-reader");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(kubectl("get", "pods", "-n", "dapr-system").code()).isZero();
    Path file = Files.writeString(dir.resolve("component.yaml"), COMPONENT);
    Run refused = kubectl("apply", "-f", file.toString());
    assertThat(refused.code()).isNotZero();
    assertThat(refused.err()).contains("Forbidden").contains("only read");
  }
}
