package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.cli.InProcessCli.Result;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundles;
import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daprx mtls expiry} and {@code daprx inject} without a CA file use the current cluster's control plane, as
 * {@code dapr mtls expiry -k} uses the cluster kubectl points at: in-process against a management API on loopback that
 * serves a real CA's public certificates.
 */
class CurrentClusterTrustTest {

  static final String CLUSTER = "/subscriptions/sub1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1";
  static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata:
            labels: {app: web}
            annotations: {dapr.io/enabled: "true", dapr.io/app-id: web}
          spec:
            containers: [{name: app, image: web:1}]
      """;

  @TempDir
  Path home;
  @TempDir
  Path work;

  private Javalin api;
  private CaBundle ca;
  private Map<String, String> env;

  @BeforeEach
  void start() throws Exception {
    ca = CaBundles.generate("cluster.local", "dapr-system", Duration.ofDays(2), Clock.systemUTC());
    api = Javalin.create(c -> c.showJavalinBanner = false);
    api.get("/subscriptions", ctx -> ctx.json(Map.of("value", List.of(Map.of("subscriptionId", "sub1")))));
    api.get(CLUSTER + "/trustBundle", ctx -> ctx.json(Map.of("ca.crt", ca.trustAnchorsPem(), "issuer.crt", ca.issuerChainPem())));
    api.start("127.0.0.1", 0);
    env = Map.of("DAPRX_HOME", home.toString(), "DAPRX_ENDPOINT", "http://127.0.0.1:" + api.port(), "DAPRX_TOKEN", "t".repeat(40));
  }

  @AfterEach
  void stop() {
    api.stop();
  }

  void chooseCluster() throws Exception {
    Files.writeString(home.resolve("config.json"),
        "{\"currentCluster\": {\"resourceGroup\": \"rg\", \"name\": \"c1\", \"type\": \"managedClusters\"}}");
  }

  @Test
  void expiryReadsTheCurrentClustersCa() throws Exception {
    chooseCluster();
    Result text = InProcessCli.run(env, "mtls", "expiry");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out()).startsWith("Root certificate expires in ").contains("Expiry date: " + ca.rootNotAfter())
        .contains("Issuer certificate expires in ").contains("Expiry date: " + ca.issuerNotAfter());

    JsonNode json = InProcessCli.run(env, "mtls", "expiry", "-o", "json").json();
    assertThat(json.path("rootExpiry").asText()).isEqualTo(ca.rootNotAfter().toString());
    assertThat(json.path("issuerExpiry").asText()).isEqualTo(ca.issuerNotAfter().toString());
  }

  @Test
  void injectGivesSidecarsTheCurrentClustersAnchors() throws Exception {
    chooseCluster();
    Path file = Files.writeString(work.resolve("deploy.yaml"), DEPLOYMENT);
    Result r = InProcessCli.run(env, "inject", "-f", file.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode daprd = InjectCommandTest.byName(InjectCommandTest.docs(r.out()).get(0).path("spec").path("template").path("spec")
        .path("containers"), "daprd");
    assertThat(InjectCommandTest.byName(daprd.path("env"), "DAPR_TRUST_ANCHORS").path("value").asText()).isEqualTo(ca.trustAnchorsPem());
  }

  @Test
  void withoutACurrentClusterEachSaysWhatToGive() throws Exception {
    Result expiry = InProcessCli.run(env, "mtls", "expiry");
    assertThat(expiry.code()).isEqualTo(1);
    assertThat(expiry.err()).contains("no cluster is current").contains("--issuer-credentials").contains("daprx cluster use");

    Path file = Files.writeString(work.resolve("deploy.yaml"), DEPLOYMENT);
    Result inject = InProcessCli.run(env, "inject", "-f", file.toString());
    assertThat(inject.code()).isEqualTo(1);
    assertThat(inject.err()).contains("--trust-anchors-file is required").contains("daprx cluster use");

    Result renew = InProcessCli.run(env, "mtls", "renew-certificate", "--new-root");
    assertThat(renew.code()).as(renew.err()).isEqualTo(1);
    assertThat(renew.err()).contains("give --issuer-credentials DIR (standalone) or -k/--kubernetes");
  }
}
