package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A neighbour on the machine of a local cluster: any local process can dial the cluster's sentry, but only the
 * control-plane replicas the supervisor started hold the token that gets a control-plane identity. Apps keep the
 * INSECURE validator, as in upstream's standalone mode.
 */
class LocalIdentityIT {

  @TempDir
  static Path home;

  static DaprxCli cli;
  static List<X509Certificate> anchors;
  static String sentryAddress;

  static final SpiffeId SENTRY = SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry");

  @BeforeAll
  static void installTheControlPlane() throws Exception {
    cli = new DaprxCli(home, 30000 + (int) (ProcessHandle.current().pid() % 10) * 256); // below the kernel's ephemeral ports
    cli.ok("cluster", "create", "-g", "rg", "-n", "neighbours");
    cli.registerForDapr();
    cli.ok("k8s-extension", "create", "-t", "managedClusters", "-c", "neighbours", "-g", "rg", "-n", "dapr",
        "--extension-type", "Microsoft.Dapr", "--configuration-settings", "global.ha.enabled=false");
    cli.ok("mtls", "export", "-g", "rg", "-n", "neighbours", "--out", home.resolve("trust").toString());
    anchors = Pem.parseCertificates(Files.readString(home.resolve("trust/ca.crt")));
    sentryAddress = cli.ok("get", "services", "-n", "dapr-system", "-o", "tsv", "--query", "[?name=='dapr-sentry'].address | [0]").out().trim();
  }

  @AfterAll
  static void stopEverything() {
    assertThat(cli.stopAndFindLeftovers()).isEmpty();
  }

  @Test
  void everyControlPlaneReplicaGetsItsIdentityAndIsReady() {
    JsonNode pods = cli.pods();
    assertThat(pods).extracting(p -> p.path("component").asText())
        .contains("sentry", "operator", "placement", "scheduler", "injector");
    assertThat(pods).allSatisfy(p -> assertThat(p.path("ready").asText()).as(p.path("name").asText()).isEqualTo("1/1"));
  }

  @Test
  void aNeighbourCannotTakeAControlPlaneIdentity() {
    for (String id : List.of("dapr-operator", "dapr-placement", "dapr-sentry", "dapr-injector", "dapr-scheduler")) {
      Throwable refused = refusal(id, "dapr-system", "cluster.local", TokenValidator.INSECURE);

      assertThat(refused).as(id).isNotNull();
      assertThat(refused.getMessage()).as(id).contains("PERMISSION_DENIED").contains("control-plane").contains("token");
    }
    // asking under another validator, or for the control plane's trust domain from another namespace, does not help
    assertThat(refusal("dapr-operator", "dapr-system", "cluster.local", TokenValidator.JWKS)).hasMessageContaining("PERMISSION_DENIED");
    assertThat(refusal("dapr-operator", "default", "cluster.local", TokenValidator.INSECURE)).hasMessageContaining("PERMISSION_DENIED");
  }

  @Test
  void anAppStillGetsItsIdentityWithoutAToken() {
    try (SvidClient app = client("myapp", "default", "", TokenValidator.INSECURE)) {
      assertThat(app.start().current().id()).isEqualTo(SpiffeId.of("public", "default", "myapp"));
    }
  }

  @Test
  void theClusterKeyIsOwnerOnlyAndNoTokenIsOnACommandLine() throws IOException {
    List<Path> keys;
    try (Stream<Path> files = Files.walk(home.resolve("clusters"))) {
      keys = files.filter(f -> f.getFileName().toString().equals("signing-key.jwk")).toList();
    }
    assertThat(keys).hasSize(1);
    assertThat(Files.getPosixFilePermissions(keys.get(0))).containsExactlyInAnyOrder(
        java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    List<String> tokens;
    try (Stream<Path> files = Files.walk(keys.get(0).getParent())) {
      tokens = files.filter(f -> f.toString().endsWith(".jwt")).map(LocalIdentityIT::read).toList();
    }
    assertThat(tokens).isNotEmpty();
    for (JsonNode pod : cli.pods()) {
      if (pod.path("pid").isNumber()) {
        String cmdline = read(Path.of("/proc", pod.path("pid").asText(), "cmdline"));
        tokens.forEach(t -> assertThat(cmdline).as(pod.path("name").asText()).doesNotContain(t));
      }
    }
  }

  /** One try each, so a refusal is never hidden by a retry; a generous deadline, as the first TLS handshake may be slow on a busy machine. */
  private static SvidClient client(String id, String namespace, String trustDomain, TokenValidator validator) {
    return SvidClient.connect(new SvidClient.Options(sentryAddress, SENTRY, id, namespace, trustDomain, validator, null,
        KeyAlgorithm.EC_P256, Duration.ofSeconds(30), 1), anchors, Clock.systemUTC());
  }

  /** What sentry answered a request without a token; null when it signed. */
  private static Throwable refusal(String id, String namespace, String trustDomain, TokenValidator validator) {
    try (SvidClient c = client(id, namespace, trustDomain, validator)) {
      return catchThrowable(c::start);
    }
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
