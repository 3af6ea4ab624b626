package io.daprx.manager.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.security.SecretBox;
import io.daprx.manager.store.JdbcStore;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code connectedk8s connect} against the fabric8 CRUD API server: probing, validation, and keeping the kubeconfig secret. */
@EnableKubernetesMockClient(crud = true)
class ConnectedClustersMockTest {

  static final String TOKEN = "tok-3f9a1c77e2-never-shown";

  KubernetesMockServer server;
  KubernetesClient client;

  @TempDir
  Path dir;
  JdbcStore store;
  Clusters clusters;
  ConnectedClusters connected;

  @BeforeEach
  void setUp() {
    store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("daprx.db"), null, null, Clock.systemUTC());
    clusters = new Clusters(store, "sub1", dir.resolve("clusters"), 40000);
    connected = new ConnectedClusters(store, clusters, "sub1", SecretBox.open(dir.resolve("key")), Clock.systemUTC(), Duration.ofSeconds(2));
    clusters.putResourceGroup("rg", "local");
    server.setVersionInfo(new VersionInfo.Builder().withGitVersion("v1.31.2").withMajor("1").withMinor("31").build());
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  static String kubeconfig(String server, String context) {
    return TestKubeconfig.of(server, context, TOKEN);
  }

  @Test
  void reachableClusterIsConnectedWithItsVersionAndNodeCount() {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();
    ObjectNode c = connected.connect("rg", "k1", kubeconfig(server.url("/"), "ctx"), null, null);
    assertThat(c.path("type").asText()).isEqualTo("Microsoft.Kubernetes/connectedClusters");
    assertThat(c.path("properties").path("connectivityStatus").asText()).isEqualTo("Connected");
    assertThat(c.path("properties").path("kubernetesVersion").asText()).isEqualTo("v1.31.2");
    assertThat(c.path("properties").path("totalNodeCount").asInt()).isEqualTo(1);
    assertThat(c.path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
  }

  @Test
  void unreachableClusterIsStoredOfflineNotRefused() {
    ObjectNode c = connected.connect("rg", "k2", kubeconfig("https://127.0.0.1:1", "ctx"), null, null);
    assertThat(c.path("properties").path("connectivityStatus").asText()).isEqualTo("Offline");
    assertThat(c.path("properties").path("kubernetesVersion").isNull()).isTrue();
  }

  @Test
  void unknownContextIsRefusedNamingTheContexts() {
    assertThatThrownBy(() -> connected.connect("rg", "k3", kubeconfig(server.url("/"), "ctx"), "other", null))
        .isInstanceOf(DomainException.class).hasMessageContaining("no context 'other'").hasMessageContaining("[ctx]")
        .satisfies(e -> assertThat(((DomainException) e).reason()).isEqualTo(DomainException.Reason.INVALID));
  }

  @Test
  void unparsableKubeconfigIsRefusedWithoutQuotingIt() {
    assertThatThrownBy(() -> connected.connect("rg", "k4", "users:\n- user: {token: " + TOKEN + "\nclusters: [oops", null, null))
        .isInstanceOf(DomainException.class).hasMessageContaining("kubeconfig").hasMessageContaining("line ").hasMessageNotContaining(TOKEN)
        .satisfies(e -> assertThat(((DomainException) e).reason()).isEqualTo(DomainException.Reason.INVALID));
  }

  @Test
  void kubeconfigIsNeverReturnedNorStoredInClear() throws Exception {
    ObjectNode c = connected.connect("rg", "k5", kubeconfig(server.url("/"), "ctx"), "ctx", null);
    assertThat(c.toString()).doesNotContain(TOKEN).doesNotContain("_kube");
    assertThat(clusters.clusters("rg", "connectedClusters").toString()).doesNotContain(TOKEN).contains("k5");
    assertThat(clusters.clusters("rg", "managedClusters")).isEmpty();
    store.close();
    for (Path f : Files.list(dir).filter(p -> p.getFileName().toString().startsWith("daprx.db")).toList()) {
      assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).doesNotContain(TOKEN);
    }
    store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("daprx.db"), null, null, Clock.systemUTC());
  }

  /** A kubeconfig whose user signs in with an exec plugin that leaves {@code marker} where it ran, then answers a token. */
  static String execKubeconfig(String server, Path marker) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c1
          cluster: {server: "%s", insecure-skip-tls-verify: true}
        users:
        - name: u1
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: sh
              args: ["-c", "touch '%s'; echo '{\\"apiVersion\\": \\"client.authentication.k8s.io/v1\\", \\"kind\\": \\"ExecCredential\\", \\"status\\": {\\"token\\": \\"t\\"}}'"]
              interactiveMode: Never
        contexts:
        - name: ctx
          context: {cluster: c1, user: u1}
        current-context: ctx
        """.formatted(server, marker);
  }

  @Test
  void aKubeconfigWithAnExecPluginIsRefusedBeforeItsCommandRunsOnTheServer() {
    Path marker = dir.resolve("exec-ran");
    assertThatThrownBy(() -> connected.connect("rg", "k7", execKubeconfig(server.url("/"), marker), null, null))
        .isInstanceOf(DomainException.class).hasMessageContaining("users[u1].user.exec").hasMessageContaining("--allow-kubeconfig-exec")
        .satisfies(e -> assertThat(((DomainException) e).reason()).isEqualTo(DomainException.Reason.INVALID));
    assertThat(marker).doesNotExist();
    assertThat(clusters.clusters("rg", "connectedClusters")).isEmpty();
  }

  @Test
  void withTheServersOptInTheExecPluginRunsAndTheClusterConnects() {
    Path marker = dir.resolve("exec-ran");
    // a probe timeout that allows for starting the plugin's process on a busy machine
    ConnectedClusters trusting = new ConnectedClusters(store, clusters, "sub1", SecretBox.open(dir.resolve("key")), Clock.systemUTC(),
        Duration.ofSeconds(15), true);
    ObjectNode c = trusting.connect("rg", "k10", execKubeconfig(server.url("/"), marker), null, null);
    assertThat(c.path("properties").path("connectivityStatus").asText()).isEqualTo("Connected");
    assertThat(marker).exists(); // the kubeconfig of the refusal above really runs its command when trusted
  }

  @Test
  void fileReferencesAreRefusedNamingEachFieldWhileInlineDataIsAccepted() throws Exception {
    Path secret = Files.writeString(dir.resolve("server-only-token"), "a token of the server's own");
    String kubeconfig = kubeconfig(server.url("/"), "ctx").replace("token: " + TOKEN, "tokenFile: " + secret
        + "\n    client-certificate: /etc/ssl/certs/client.pem\n    client-key: /etc/ssl/private/client.key")
        .replace("insecure-skip-tls-verify: true", "certificate-authority: /etc/kubernetes/pki/ca.crt");
    assertThatThrownBy(() -> connected.connect("rg", "k8", kubeconfig, null, null))
        .isInstanceOf(DomainException.class)
        .hasMessageContaining("users[u1].user.tokenFile, users[u1].user.client-certificate, users[u1].user.client-key,"
            + " clusters[c1].cluster.certificate-authority")
        .hasMessageContaining("--allow-kubeconfig-exec").hasMessageContaining("client-certificate-data");
    // another context's user may use exec: only the context connected is loaded
    String twoUsers = kubeconfig(server.url("/"), "ctx").replace("contexts:", """
        - name: u2
          user:
            exec: {apiVersion: client.authentication.k8s.io/v1, command: "false"}
        contexts:""");
    assertThat(connected.connect("rg", "k9", twoUsers, null, null).path("properties").path("connectivityStatus").asText())
        .isEqualTo("Connected");
  }

  @Test
  void storedKubeconfigGivesAWorkingClient() {
    connected.connect("rg", "k6", kubeconfig(server.url("/"), "ctx"), null, null);
    try (KubernetesClient c = connected.client(clusters.clusterDoc("rg", "connectedClusters", "k6"))) {
      assertThat(c.getKubernetesVersion().getGitVersion()).isEqualTo("v1.31.2");
    }
  }
}
