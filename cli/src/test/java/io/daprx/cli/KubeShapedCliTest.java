package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daprx get}, {@code logs}, {@code delete -f} and {@code cluster get-credentials} as a kubectl user types them, run
 * in-process against a local cluster's API on loopback ({@link LocalKubeApi}).
 */
class KubeShapedCliTest {

  @TempDir
  Path dir;

  private LocalKubeApi api;

  @BeforeEach
  void start() throws Exception {
    api = new LocalKubeApi(dir);
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private Result ok(String... args) {
    Result r = InProcessCli.run(api.env(), args);
    assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isZero();
    return r;
  }

  private Result run(String... args) {
    return InProcessCli.run(api.env(), args);
  }

  @Test
  void getPodsPrintsKubectlsTableAndAllNamespacesAddsTheNamespaceColumn() {
    assertThat(ok("get", "pods", "-n", "dapr-system", "-g", "rg", "-c", "c1").out()).isEqualTo("""
        NAME                      READY   STATUS             RESTARTS   AGE
        dapr-sentry-0             1/1     Running            0          5m
        dapr-placement-server-1   0/1     CrashLoopBackOff   3          60m
        """);
    assertThat(ok("get", "pods", "-A", "-g", "rg", "-c", "c1").out().lines().findFirst().orElseThrow())
        .isEqualTo("NAMESPACE     NAME                      READY   STATUS             RESTARTS   AGE");
    assertThat(ok("get", "pods", "-n", "dapr-system", "-o", "wide", "-g", "rg", "-c", "c1").out().lines().findFirst().orElseThrow())
        .isEqualTo("NAME                      READY   STATUS             RESTARTS   AGE   IP          NODE    NOMINATED NODE   READINESS GATES");
  }

  @Test
  void getPodsAsJsonIsAV1ListOfPodsAndSelectorsNamesAndJsonpathWork() throws Exception {
    JsonNode list = ok("get", "pods", "-n", "dapr-system", "-o", "json", "-g", "rg", "-c", "c1").json();
    assertThat(list.path("apiVersion").asText()).isEqualTo("v1");
    assertThat(list.path("kind").asText()).isEqualTo("List");
    assertThat(list.path("items")).hasSize(2).allSatisfy(p -> {
      assertThat(p.path("apiVersion").asText()).isEqualTo("v1");
      assertThat(p.path("kind").asText()).isEqualTo("Pod");
    });
    assertThat(list.path("items").path(0).path("metadata").path("labels").path("app").asText()).isEqualTo("dapr-sentry");

    assertThat(ok("get", "pods", "-A", "-l", "app=dapr-sentry", "-o", "name", "-g", "rg", "-c", "c1").out()).isEqualTo("pod/dapr-sentry-0\n");
    assertThat(ok("get", "pods", "-A", "-l", "app!=dapr-sentry", "-o", "name", "-g", "rg", "-c", "c1").out())
        .isEqualTo("pod/dapr-placement-server-1\n");
    assertThat(ok("get", "pods", "-A", "-o", "jsonpath={.items[*].metadata.name}", "-g", "rg", "-c", "c1").out())
        .isEqualTo("dapr-sentry-0 dapr-placement-server-1\n");
    assertThat(ok("get", "pods", "-A", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.containerStatuses[0].restartCount}{\"\\n\"}{end}",
        "-g", "rg", "-c", "c1").out()).isEqualTo("dapr-sentry-0=0\ndapr-placement-server-1=3\n\n");
    Result bad = run("get", "pods", "-A", "-l", "app in (", "-g", "rg", "-c", "c1");
    assertThat(bad.code()).isNotZero();
    assertThat(bad.err()).contains("label selector").doesNotContain("\tat ");
  }

  @Test
  void getServicesPrintsKubectlsColumns() {
    assertThat(ok("get", "services", "-n", "dapr-system", "-g", "rg", "-c", "c1").out()).isEqualTo("""
        NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)     AGE
        dapr-api   ClusterIP   127.0.0.1    <none>        40001/TCP   60m
        """);
  }

  @Test
  void logsTakeKubectlsTailSincePreviousAndContainerFlags() {
    String[] pod = {"logs", "dapr-placement-server-1", "-n", "dapr-system", "-g", "rg", "--cluster", "c1"};
    assertThat(ok(concat(pod, "--tail", "1")).out()).isEqualTo("2026-12-07T11:59:30.000Z INFO  [Placement] third run, half a minute ago\n");
    assertThat(ok(concat(pod, "--since", "1m")).out()).isEqualTo("2026-12-07T11:59:30.000Z INFO  [Placement] third run, half a minute ago\n");
    assertThat(ok(concat(pod, "-p")).out()).isEqualTo("2026-12-07T11:50:00.000Z INFO  [Placement] second run\n");
    assertThat(ok(concat(pod, "-c", "dapr-placement-server", "--tail", "1")).out()).contains("third run");
    Result wrong = run(concat(pod, "-c", "dapr-sentry"));
    assertThat(wrong.code()).isNotZero();
    assertThat(wrong.err()).contains("container dapr-sentry is not valid for pod dapr-placement-server-1");
    Result never = run("logs", "dapr-sentry-0", "-n", "dapr-system", "-g", "rg", "--cluster", "c1", "-p");
    assertThat(never.code()).isNotZero();
    assertThat(never.err()).contains("not found: it has not restarted");
  }

  @Test
  void deleteWithAFileRemovesWhatTheFileDescribes() throws Exception {
    Path file = Files.writeString(dir.resolve("statestore.yaml"), KubectlIT.COMPONENT);
    ok("apply", "-f", file.toString(), "-g", "rg", "-c", "c1");
    assertThat(ok("get", "components", "-g", "rg", "-c", "c1", "-o", "name").out()).isEqualTo("component.dapr.io/statestore\n");
    assertThat(ok("delete", "-f", file.toString(), "-g", "rg", "-c", "c1").out()).isEqualTo("component.dapr.io \"statestore\" deleted\n");
    Result again = run("get", "component", "statestore", "-g", "rg", "-c", "c1");
    assertThat(again.code()).isNotZero();
    assertThat(again.err()).contains("not found");
  }

  @Test
  void getCredentialsMergesWithoutClobberingAndOverwritesOnlyWhenAsked() throws Exception {
    Path kubeconfig = dir.resolve(".kube").resolve("config"); // HOME is dir: the default file
    Files.createDirectories(kubeconfig.getParent());
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: prod
          cluster: {server: "https://prod.example:6443"}
        - name: c1
          cluster: {server: "https://elsewhere.example:6443"}
        users:
        - name: admin
          user: {token: prod-token}
        contexts:
        - name: prod
          context: {cluster: prod, user: admin, namespace: shop}
        current-context: prod
        """);
    Result refused = run("cluster", "get-credentials", "-g", "rg", "-n", "c1");
    assertThat(refused.code()).isNotZero();
    assertThat(refused.err()).contains("A different object named c1 already exists").contains("--overwrite-existing");
    assertThat(Files.readString(kubeconfig)).contains("elsewhere.example").contains("current-context: prod");

    ok("cluster", "get-credentials", "-g", "rg", "-n", "c1", "--overwrite-existing");
    JsonNode merged = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(kubeconfig.toFile());
    assertThat(merged.path("current-context").asText()).isEqualTo("c1");
    assertThat(merged.path("contexts").findValuesAsText("name")).contains("prod", "c1");
    assertThat(merged.toString()).contains("prod-token").contains("\"namespace\":\"shop\"").doesNotContain("elsewhere.example");
    assertThat(merged.path("clusters").get(1).path("cluster").path("server").asText()).startsWith("https://127.0.0.1:")
        .endsWith("/managedClusters/c1/kube");
    assertThat(merged.path("clusters").get(1).path("cluster").path("certificate-authority-data").asText()).isNotEmpty();
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig))).isEqualTo("rw-------");
    // $KUBECONFIG's first file is the one written, as kubectl reads it first
    java.util.Map<String, String> env = new java.util.HashMap<>(api.env());
    env.put("KUBECONFIG", dir.resolve("first") + ":" + dir.resolve("second"));
    Result r = InProcessCli.run(env, "cluster", "get-credentials", "-g", "rg", "-n", "c1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readString(dir.resolve("first"))).contains("current-context: c1");
    assertThat(dir.resolve("second")).doesNotExist();
  }

  @Test
  void statusPrintsEachComponentsHealthAsDaprStatusK() {
    String out = ok("status", "-g", "rg", "-c", "c1").out();
    assertThat(out.lines().findFirst().orElseThrow()).matches("NAME\\s+NAMESPACE\\s+HEALTHY\\s+STATUS\\s+REPLICAS\\s+VERSION\\s+AGE\\s+CREATED");
    assertThat(out).containsPattern("dapr-placement-server\\s+dapr-system\\s+False\\s+CrashLoopBackOff\\s+1\\s+1\\.18\\.2\\s+\\S+\\s+2026-12-07 11:00\\.00")
        .containsPattern("dapr-sentry\\s+dapr-system\\s+True\\s+Running\\s+1\\s+1\\.18\\.2");
    JsonNode json = ok("status", "-g", "rg", "-c", "c1", "-o", "json").json();
    assertThat(json).hasSize(2);
    assertThat(json.get(1).path("healthy").asText()).isEqualTo("True");
  }

  @Test
  void everyKubectlShapedCommandHasHelp() {
    for (String[] cmd : new String[][] {{"get"}, {"logs"}, {"delete"}, {"status"}, {"cluster", "get-credentials"}}) {
      Result r = ok(concat(cmd, "--help"));
      assertThat(r.out()).as(String.join(" ", cmd)).startsWith("Usage: daprx " + String.join(" ", cmd));
    }
    assertThat(ok("logs", "--help").out()).contains("-c, --container").contains("--cluster").contains("--since").contains("--previous");
    assertThat(ok("get", "--help").out()).contains("--all-namespaces").contains("--selector").contains("--watch");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
