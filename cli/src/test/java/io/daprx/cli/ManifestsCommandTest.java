package io.daprx.cli;

import io.daprx.cli.InProcessCli.Result;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.daprx.manager.catalog.Catalog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ManifestsCommandTest {



  private static List<JsonNode> documents(String yaml) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(yaml)) {
      it.forEachRemaining(d -> {
        if (d != null && !d.isNull()) {
          docs.add(d);
        }
      });
    }
    return docs;
  }

  private static JsonNode find(List<JsonNode> docs, String kind, String name) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind) && d.path("metadata").path("name").asText().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  @Test
  void rendersTheWholeInstallAsYamlWithoutAServer() throws Exception {
    Result r = run("manifests", "render");
    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> docs = documents(r.out());
    assertThat(docs.get(0).path("kind").asText()).isEqualTo("Namespace");
    assertThat(docs.get(0).path("metadata").path("name").asText()).isEqualTo("dapr-system");
    JsonNode sentry = find(docs, "Deployment", "dapr-sentry");
    assertThat(sentry.path("spec").path("replicas").asInt()).isEqualTo(3);
    String newest = Catalog.builtIn().defaultVersion("stable").imageTag();
    assertThat(sentry.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("ghcr.io/daprx/daprx:" + newest);
    assertThat(r.out()).doesNotContain("BEGIN");
    // the CLI's one YAML style (az's, kubectl's block style): plain scalars where they stay strings, sequences flush
    // with their key, a quoted number-like string; not fabric8's double quotes around every string
    assertThat(r.out()).startsWith("---\napiVersion: v1\nkind: Namespace\nmetadata:\n").contains("\n  name: dapr-sentry\n")
        .contains("\n      containers:\n      - args:\n        - sentry\n").doesNotContain("name: \"dapr-sentry\"");
  }

  @Test
  void settingsNamespaceAndVersionShapeTheOutput() throws Exception {
    Catalog catalog = Catalog.builtIn();
    String oldest = catalog.supported("stable").get(0).version().toString();
    Result r = run("manifests", "render", "--namespace", "dapr", "--configuration-settings", "global.ha.enabled=false",
        "global.registry=mirror.example.com/daprx", "--version", oldest);
    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> docs = documents(r.out());
    JsonNode placement = find(docs, "StatefulSet", "dapr-placement-server");
    assertThat(placement.path("metadata").path("namespace").asText()).isEqualTo("dapr");
    assertThat(placement.path("spec").path("replicas").asInt()).isEqualTo(1);
    assertThat(placement.at("/spec/template/spec/containers/0/image").asText())
        .isEqualTo("mirror.example.com/daprx/daprx:" + catalog.requested(oldest, "stable").imageTag());
    // without HA only the scheduler's three peers keep a disruption budget, and they stay three
    assertThat(docs).filteredOn(d -> d.path("kind").asText().equals("PodDisruptionBudget"))
        .extracting(d -> d.path("metadata").path("name").asText()).containsExactly("dapr-scheduler-server");
    assertThat(find(docs, "StatefulSet", "dapr-scheduler-server").path("spec").path("replicas").asInt()).isEqualTo(3);
  }

  @Test
  void theSchedulerCanBeLeftOutAndItsVolumesSized() throws Exception {
    Result off = run("manifests", "render", "--configuration-settings", "global.scheduler.enabled=false");
    assertThat(off.code()).as(off.err()).isZero();
    List<JsonNode> docs = documents(off.out());
    assertThat(docs).noneMatch(d -> d.path("metadata").path("name").asText().startsWith("dapr-scheduler"));
    assertThat(find(docs, "Deployment", "dapr-sidecar-injector").at("/spec/template/spec/containers/0/args").toString())
        .contains("--scheduler-enabled=false");
    Result sized = run("manifests", "render", "--configuration-settings", "dapr_scheduler.cluster.storageSize=2Gi",
        "dapr_scheduler.cluster.storageClassName=premium");
    JsonNode claim = find(documents(sized.out()), "StatefulSet", "dapr-scheduler-server").at("/spec/volumeClaimTemplates/0/spec");
    assertThat(claim.at("/resources/requests/storage").asText()).isEqualTo("2Gi");
    assertThat(claim.path("storageClassName").asText()).isEqualTo("premium");
    Result bad = run("manifests", "render", "--configuration-settings", "dapr_scheduler.cluster.storageSize=big");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.out()).isEmpty();
    assertThat(bad.err()).contains("dapr_scheduler.cluster.storageSize must be a positive Kubernetes quantity such as 16Gi or 500Mi (got 'big')");
  }

  @Test
  void jsonIsOneList() throws Exception {
    Result r = run("manifests", "render", "-o", "json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode list = new ObjectMapper().readTree(r.out());
    assertThat(list.path("kind").asText()).isEqualTo("List");
    assertThat(list.path("items").get(0).path("kind").asText()).isEqualTo("Namespace");
  }

  @Test
  void badSettingsAreTheSettingsErrors() {
    Result r = run("manifests", "render", "--config", "global.ha.replicas=3", "global.logLevel=loud");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("ERROR: unknown configuration setting global.ha.replicas; known settings: global.ha.enabled")
        .contains("global.logLevel must be one of debug, info, warn, error (got 'loud')");
  }

  @Test
  void anUnknownVersionListsTheTrainsVersions() {
    Result r = run("manifests", "render", "--version", "9.9.9");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("ERROR: version 9.9.9 is not on release train 'stable'; available: ");
    Result train = run("manifests", "render", "--release-train", "nightly");
    assertThat(train.err()).contains("unknown release train 'nightly'; known trains: stable, dev");
    Result output = run("manifests", "render", "-o", "table");
    assertThat(output.err()).contains("invalid --output 'table': use yaml or json");
  }

  /**
   * The rendered pods start {@code daprx <component> ...}: every flag they pass must be one the component's command
   * declares, or the pod would crash-loop on Kubernetes with a usage error.
   */
  @Test
  void everyRenderedComponentCommandLineParsesWithTheRealCommand() throws Exception {
    Result r = run("manifests", "render");
    assertThat(r.code()).as(r.err()).isZero();
    int checked = 0;
    for (JsonNode d : documents(r.out())) {
      if (!List.of("Deployment", "StatefulSet").contains(d.path("kind").asText())) {
        continue;
      }
      for (JsonNode c : d.at("/spec/template/spec/containers")) {
        List<String> args = new ArrayList<>();
        c.path("args").forEach(a -> args.add(a.asText()));
        String component = args.get(0);
        CommandLine cl = Main.newCommandLine(args.toArray(new String[0]));
        CommandLine.ParseResult parsed = cl.parseArgs(args.toArray(new String[0]));
        assertThat(parsed.subcommand()).as("%s in %s", component, d.path("metadata").path("name").asText()).isNotNull();
        assertThat(parsed.subcommand().unmatched()).as("unknown arguments of %s", component).isEmpty();
        checked++;
      }
    }
    assertThat(checked).isEqualTo(6);
  }

  private static Result run(String... args) {
    return InProcessCli.run(args);
  }
}
