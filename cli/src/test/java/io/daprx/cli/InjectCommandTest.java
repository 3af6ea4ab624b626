package io.daprx.cli;

import io.daprx.cli.InProcessCli.Result;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.daprx.common.pki.Pem;
import io.daprx.common.pki.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InjectCommandTest {

  static final String MANIFEST = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: checkout
        namespace: shop
      spec:
        selector:
          matchLabels: {app: checkout}
        template:
          metadata:
            labels: {app: checkout}
            annotations:
              dapr.io/enabled: "true"
              dapr.io/app-id: checkout
              dapr.io/app-port: "8080"
          spec:
            containers:
            - name: app
              image: shop/checkout:2
              env:
              - {name: DAPR_HTTP_PORT, value: "3600"}
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: checkout
      spec:
        ports:
        - port: 80
          targetPort: 8080
      ---
      apiVersion: batch/v1
      kind: CronJob
      metadata:
        name: nightly
      spec:
        schedule: "0 3 * * *"
        jobTemplate:
          spec:
            template:
              metadata:
                annotations: {dapr.io/enabled: "true"}
              spec:
                restartPolicy: OnFailure
                containers:
                - {name: job, image: shop/nightly:1}
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db
      spec:
        template:
          spec:
            containers:
            - {name: db, image: postgres:16}
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: debug
        annotations: {dapr.io/enabled: "true"}
      spec:
        containers:
        - {name: sh, image: busybox}
      """;

  @TempDir
  Path dir;

  Path anchors;
  String anchorsPem;


  @BeforeEach
  void anchors() throws Exception {
    anchorsPem = Pem.encodeCertificate(new TestPki("cluster.local").root());
    anchors = dir.resolve("ca.crt");
    Files.writeString(anchors, anchorsPem);
  }


  static List<JsonNode> docs(String yaml) throws Exception {
    ObjectMapper m = new ObjectMapper(new YAMLFactory());
    List<JsonNode> out = new ArrayList<>();
    try (MappingIterator<JsonNode> it = m.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        out.add(it.next());
      }
    }
    return out;
  }

  static JsonNode byName(JsonNode containers, String name) {
    for (JsonNode c : containers) {
      if (c.path("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no container " + name);
  }

  @Test
  void multiDocumentStreamIsInjectedInOrderWithOtherKindsUntouched() throws Exception {
    Path file = dir.resolve("app.yaml");
    Files.writeString(file, MANIFEST);
    Result r = run("inject", "-f", file.toString(), "--trust-anchors-file", anchors.toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> docs = docs(r.out());
    assertThat(docs).extracting(d -> d.path("kind").asText()).containsExactly("Deployment", "Service", "CronJob", "StatefulSet", "Pod");

    JsonNode template = docs.get(0).path("spec").path("template");
    JsonNode daprd = byName(template.path("spec").path("containers"), "daprd");
    assertThat(daprd.path("args").toString()).contains("\"--app-id\",\"checkout\"", "\"--app-port\",\"8080\"");
    assertThat(daprd.path("env").toString()).contains("{\"name\":\"NAMESPACE\",\"value\":\"shop\"}");
    assertThat(byName(daprd.path("env"), "DAPR_TRUST_ANCHORS").path("value").asText()).isEqualTo(anchorsPem);
    JsonNode app = byName(template.path("spec").path("containers"), "app");
    assertThat(byName(app.path("env"), "DAPR_HTTP_PORT").path("value").asText()).isEqualTo("3600");
    assertThat(byName(app.path("env"), "DAPR_GRPC_PORT").path("value").asText()).isEqualTo("50001");
    assertThat(template.path("metadata").path("labels").path("dapr.io/sidecar-injected").asText()).isEqualTo("true");
    assertThat(template.path("metadata").path("annotations").path("dapr.io/app-port").isTextual())
        .as("numbers that are strings stay strings").isTrue();
    assertThat(template.path("spec").path("volumes").get(0).path("name").asText()).isEqualTo("dapr-identity-token");

    assertThat(docs.get(1)).isEqualTo(docs(MANIFEST).get(1));
    JsonNode cron = docs.get(2).path("spec").path("jobTemplate").path("spec").path("template");
    JsonNode cronDaprd = byName(cron.path("spec").path("containers"), "daprd");
    assertThat(cronDaprd.path("args").toString()).as("no app id: the workload's name").contains("\"--app-id\",\"nightly\"");
    assertThat(cronDaprd.path("env").toString()).as("namespace unknown: downward API").contains("metadata.namespace");
    assertThat(docs.get(3)).isEqualTo(docs(MANIFEST).get(3));
    assertThat(byName(docs.get(4).path("spec").path("containers"), "daprd").path("args").toString()).contains("\"debug\"");

    assertThat(r.err()).contains("deployment \"checkout\" injected (app id checkout)", "cronjob \"nightly\" injected",
        "statefulset \"db\" skipped: dapr.io/enabled is not true", "pod \"debug\" injected").doesNotContain("service");
  }

  @Test
  void flagsSetAnnotationsOnTheFlyAndStdinIsRead() throws Exception {
    String deployment = MANIFEST.split("---\n")[3];
    java.io.InputStream old = System.in;
    try {
      System.setIn(new java.io.ByteArrayInputStream(deployment.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      Result r = run("inject", "-f", "-", "--trust-anchors-file", anchors.toString(), "--enable", "--app-id", "db",
          "-a", "log-level=debug", "--enable-native-sidecar");
      assertThat(r.code()).as(r.err()).isZero();
      JsonNode template = docs(r.out()).get(0).path("spec").path("template");
      assertThat(template.path("metadata").path("annotations").path("dapr.io/log-level").asText()).isEqualTo("debug");
      JsonNode daprd = byName(template.path("spec").path("initContainers"), "daprd");
      assertThat(daprd.path("restartPolicy").asText()).isEqualTo("Always");
      assertThat(daprd.path("args").toString()).contains("\"--app-id\",\"db\"", "\"--log-level\",\"debug\"");
      assertThat(r.err()).contains("statefulset \"db\" injected");
    } finally {
      System.setIn(old);
    }
  }

  @Test
  void sidecarsArePointedAtTheSchedulerUnlessTheClusterHasNone() throws Exception {
    String pod = MANIFEST.split("---\n")[4];
    Path file = dir.resolve("pod.yaml");
    Files.writeString(file, pod);
    Result byDefault = run("inject", "-f", file.toString(), "--trust-anchors-file", anchors.toString());
    assertThat(byDefault.code()).as(byDefault.err()).isZero();
    assertThat(daprdArgs(byDefault.out())).contains("\"--scheduler-host-address\",\"dapr-scheduler-server-a.dapr-system.svc.cluster.local:443\"");
    Result none = run("inject", "-f", file.toString(), "--trust-anchors-file", anchors.toString(), "--scheduler-enabled=false");
    assertThat(none.code()).as(none.err()).isZero();
    assertThat(daprdArgs(none.out())).doesNotContain("--scheduler-host-address");
    Result given = run("inject", "-f", file.toString(), "--trust-anchors-file", anchors.toString(), "--sidecar-scheduler-address", "10.1.2.3:50006");
    assertThat(daprdArgs(given.out())).contains("\"--scheduler-host-address\",\"10.1.2.3:50006\"");
  }

  @Test
  void theDefaultSidecarImageIsTaggedWithTheDaprVersionOfThisBuildsCatalogEntry() throws Exception {
    Path file = dir.resolve("pod.yaml");
    Files.writeString(file, MANIFEST.split("---\n")[4]);
    Result r = run("inject", "-f", file.toString(), "--trust-anchors-file", anchors.toString());
    assertThat(r.code()).as(r.err()).isZero();
    var own = io.daprx.manager.catalog.Catalog.builtIn().find(io.daprx.manager.catalog.Semver.parse(io.daprx.manager.engine.Versions.CURRENT));
    assertThat(own).as("this build is in its built-in catalog").isPresent();
    assertThat(byName(docs(r.out()).get(0).path("spec").path("containers"), "daprd").path("image").asText())
        .isEqualTo("ghcr.io/dapr/daprd:" + own.get().daprVersion());
    Result given = run("inject", "-f", file.toString(), "--trust-anchors-file", anchors.toString(), "--sidecar-image", "mirror.example/daprd:1.18.2");
    assertThat(byName(docs(given.out()).get(0).path("spec").path("containers"), "daprd").path("image").asText())
        .isEqualTo("mirror.example/daprd:1.18.2");
  }

  private static String daprdArgs(String yaml) throws Exception {
    JsonNode spec = docs(yaml).get(0).path("spec");
    return byName(spec.path("containers"), "daprd").path("args").toString();
  }

  @Test
  void legacyAnnotationsAndTheUnixDomainSocketReachTheInjectedManifest() throws Exception {
    // the webhook's code path, offline: these annotations used to be dropped without a word
    Path file = dir.resolve("app.yaml");
    Files.writeString(file, MANIFEST.split("---\n")[0].replace("dapr.io/app-port: \"8080\"", String.join("\n        ",
        "dapr.io/app-port: \"8080\"", "dapr.io/app-ssl: \"true\"", "dapr.io/http-max-request-size: \"16\"",
        "dapr.io/http-read-buffer-size: \"8\"", "dapr.io/unix-domain-socket-path: /tmp/dapr-sockets")));
    Result r = run("inject", "-f", file.toString(), "--trust-anchors-file", anchors.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode template = docs(r.out()).get(0).path("spec").path("template");
    JsonNode daprd = byName(template.path("spec").path("containers"), "daprd");
    assertThat(daprd.path("args").toString()).contains("\"--enable-mtls\",\"--app-ssl\"", "\"--dapr-http-max-request-size\",\"16\"",
        "\"--dapr-http-read-buffer-size\",\"8\"", "\"--unix-domain-socket\",\"/var/run/dapr-sockets\"");
    assertThat(daprd.path("volumeMounts").get(0).toString())
        .isEqualTo("{\"name\":\"dapr-unix-domain-socket\",\"mountPath\":\"/var/run/dapr-sockets\"}");
    assertThat(template.path("spec").path("volumes").get(0).toString())
        .isEqualTo("{\"name\":\"dapr-unix-domain-socket\",\"emptyDir\":{\"medium\":\"Memory\"}}");
    JsonNode app = byName(template.path("spec").path("containers"), "app");
    assertThat(app.path("volumeMounts").toString()).isEqualTo("[{\"name\":\"dapr-unix-domain-socket\",\"mountPath\":\"/tmp/dapr-sockets\"}]");
    assertThat(byName(app.path("env"), "APP_PROTOCOL").path("value").asText()).isEqualTo("https");

    Files.writeString(file, MANIFEST.replace("dapr.io/app-port: \"8080\"", "dapr.io/http-max-request-size: \"16MB\""));
    Result bad = run("inject", "-f", file.toString(), "--trust-anchors-file", anchors.toString());
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("annotation dapr.io/http-max-request-size has an invalid value \"16MB\": use a whole number");
  }

  @Test
  void badYamlExitsOneNamingLineAndDocumentAndPrintsNothing() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, MANIFEST + "---\nkind: Pod\nmetadata: {name: x\n  oops: [\n");
    Result r = run("inject", "-f", file.toString(), "--trust-anchors-file", anchors.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("ERROR: invalid YAML in " + file).contains("(document 6)").containsPattern("at line \\d+");
  }

  @Test
  void invalidAnnotationFailsTheWholeStream() throws Exception {
    Path file = dir.resolve("app.yaml");
    Files.writeString(file, MANIFEST.replace("dapr.io/app-port: \"8080\"", "dapr.io/app-port: \"http\""));
    Result r = run("inject", "-f", file.toString(), "--trust-anchors-file", anchors.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("deployment \"checkout\" (document 1): annotation dapr.io/app-port has an invalid value \"http\"");
  }

  @Test
  void missingTrustAnchorsSaysHowToGetThem() throws Exception {
    Path file = dir.resolve("app.yaml");
    Files.writeString(file, MANIFEST);
    Result r = run("inject", "-f", file.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("--trust-anchors-file is required", "daprx mtls export");
    Result missing = run("inject", "-f", file.toString(), "--trust-anchors-file", dir.resolve("nope.crt").toString());
    assertThat(missing.err()).contains("does not exist");
  }

  @Test
  void listItemsAreInjectedToo() throws Exception {
    Path file = dir.resolve("list.yaml");
    Files.writeString(file, """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: apps/v1
          kind: DaemonSet
          metadata: {name: agent}
          spec:
            template:
              metadata: {annotations: {dapr.io/enabled: "true"}}
              spec:
                containers: [{name: agent, image: agent:1}]
        """);
    Result r = run("inject", "-f", file.toString(), "--trust-anchors-file", anchors.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode containers = docs(r.out()).get(0).path("items").get(0).path("spec").path("template").path("spec").path("containers");
    assertThat(byName(containers, "daprd").path("name").asText()).isEqualTo("daprd");
    assertThat(r.err()).contains("daemonset \"agent\" injected");
  }

  @Test
  void injectorFlagsAreCheckedBeforeAnythingStarts() {
    Result noAnchors = run("injector", "--port", "0");
    assertThat(noAnchors.code()).isEqualTo(2);
    assertThat(noAnchors.err()).contains("Missing required option: '--trust-anchors-file=FILE'");
    Result badMode = run("injector", "--mode", "cloud", "--trust-anchors-file", anchors.toString());
    assertThat(badMode.code()).isEqualTo(2);
    assertThat(badMode.err()).contains("invalid --mode 'cloud': use standalone or kubernetes");
  }

  private static Result run(String... args) {
    return InProcessCli.run(args);
  }
}
