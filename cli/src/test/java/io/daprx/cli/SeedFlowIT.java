package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.common.pki.Certs;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed document's flow with the real CLI and real processes: a local cluster, the feature and
 * provider registrations, {@code k8s-extension create}, and an HA control plane that really serves.
 * The tests run in order on one cluster, as a user's session would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedFlowIT {

  @TempDir
  static Path home;

  static final ObjectMapper JSON = new ObjectMapper();
  static final String RG = "myResourceGroup";
  static final String CLUSTER = "myAKSCluster";
  /**
   * The HA control plane of the seed: 3 replicas each of sentry, operator, placement, the scheduler and the sidecar injector
   * (the 15 pods of a Dapr 1.18 HA install), and one dashboard.
   */
  static final int HA_PODS = 16;

  static DaprxCli cli;

  static DaprxCli.Run daprx(String... args) {
    return cli.run(args);
  }

  static DaprxCli.Run ok(String... args) {
    return cli.ok(args);
  }

  static JsonNode pods() {
    return cli.pods();
  }

  static long serverPid() throws IOException {
    return cli.serverPid();
  }

  @BeforeAll
  static void noServerYet() {
    cli = new DaprxCli(home, 20000 + (int) (ProcessHandle.current().pid() % 25) * 192); // below the kernel's ephemeral ports
    assertThat(home.resolve("server.json")).doesNotExist();
  }

  @AfterAll
  static void stopEverythingAndLeaveNoProcessBehind() {
    assertThat(cli.stopAndFindLeftovers()).as("control-plane processes left running after 'server stop'").isEmpty();
  }

  @Test
  @Order(1)
  void creatingAnExtensionBeforeRegistrationNamesTheCommandsToRun() {
    // a cluster of its own: the seed's block below creates the seed's cluster itself
    ok("cluster", "create", "-g", RG, "-n", "notRegisteredYet");
    DaprxCli.Run r = daprx("k8s-extension", "create", "--cluster-type", "managedClusters", "--cluster-name", "notRegisteredYet",
        "--resource-group", RG, "--name", "myDaprExtension", "--extension-type", "Microsoft.Dapr");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("(MissingSubscriptionRegistration)")
        .contains("daprx feature register --namespace Microsoft.ContainerService --name AKS-ExtensionManager")
        .contains("daprx provider register --namespace Microsoft.KubernetesConfiguration");
    assertThat(ok("k8s-extension", "list", "-c", "notRegisteredYet", "-g", RG).json()).isEmpty();
    ok("cluster", "delete", "-g", RG, "-n", "notRegisteredYet", "--yes");
  }

  /**
   * The README's seed block, exactly as written there, pasted into a shell as one block (one script, no waits between
   * commands: the create waits out registrations still in progress), ending with the seed's own last step: the real
   * kubectl, through the context {@code cluster get-credentials} wrote, lists the HA control plane.
   */
  @Test
  @Order(2)
  void theSeedBlockPastedAsOneInstallsTheHaControlPlaneAndKubectlListsIt() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int section = readme.indexOf("## The seed flow, with daprx");
    int start = readme.indexOf("```bash\n", section) + "```bash\n".length();
    String block = readme.substring(start, readme.indexOf("```", start));
    assertThat(block).contains("daprx k8s-extension create").contains("daprx cluster get-credentials").contains("kubectl get pods -n dapr-system");
    Path userHome = Files.createDirectories(home.resolve("user"));
    // kubectl's own files (config, cache) under a home of the test's, as get-credentials' default ~/.kube/config
    DaprxCli.Run pasted = cli.script(block, Map.of("HOME", userHome.toString()));
    assertThat(pasted.code()).as("the block\nstdout: %s\nstderr: %s\nserver.log (end): %s", pasted.out(), pasted.err(),
        pasted.code() == 0 ? "" : cli.serverLogTail()).isZero();
    // pasted as one block, the feature list runs right after the registrations: as with az, still Registering or done
    assertThat(pasted.out()).containsPattern("Microsoft.ContainerService/AKS-Dapr +(Registering|Registered)");
    assertThat(userHome.resolve(".kube").resolve("config")).isRegularFile();
    List<String> kubectl = pasted.out().lines().dropWhile(l -> !l.startsWith("NAME ")).toList();
    assertThat(kubectl).as("kubectl get pods -n dapr-system, the block's last output").isNotEmpty();
    assertThat(kubectl.get(0)).matches("NAME +READY +STATUS +RESTARTS +AGE");
    assertThat(kubectl.subList(1, kubectl.size())).hasSize(HA_PODS)
        .allSatisfy(line -> assertThat(line).matches("dapr-[a-z0-9-]+ +1/1 +Running +\\d+.*"));
    assertThat(kubectl.stream().map(l -> l.split(" +")[0].replaceAll("-[a-z0-9]{10}-[a-z0-9]{5}$", "-*")).skip(1).toList())
        .containsExactlyInAnyOrder("dapr-sentry-*", "dapr-sentry-*", "dapr-sentry-*",
            "dapr-operator-*", "dapr-operator-*", "dapr-operator-*",
            "dapr-placement-server-0", "dapr-placement-server-1", "dapr-placement-server-2",
            "dapr-scheduler-server-0", "dapr-scheduler-server-1", "dapr-scheduler-server-2",
            "dapr-sidecar-injector-*", "dapr-sidecar-injector-*", "dapr-sidecar-injector-*", "dapr-dashboard-*");
  }

  @Test
  @Order(3)
  void createInstallsTheHighlyAvailableControlPlane() throws Exception {
    assertThat(ok("extension", "list", "--query", "[].name").json().toString()).contains("k8s-extension");
    JsonNode ext = ok("k8s-extension", "show", "--cluster-type", "managedClusters", "--cluster-name", CLUSTER, "--resource-group", RG,
        "--name", "myDaprExtension").json();
    assertThat(ext.path("provisioningState").asText()).isEqualTo("Succeeded");
    assertThat(ext.path("extensionType").asText()).isEqualTo("microsoft.dapr");
    assertThat(ext.path("id").asText()).contains("/resourceGroups/myResourceGroup/providers/Microsoft.ContainerService/managedClusters/myAKSCluster");

    DaprxCli.Run table = ok("get", "pods", "-n", "dapr-system");
    assertThat(table.out()).startsWith("NAME").contains("READY   STATUS    RESTARTS   AGE");
    JsonNode pods = pods();
    assertThat(pods).extracting(p -> p.path("name").asText().replaceAll("-[a-z0-9]{10}-[a-z0-9]{5}$", "-*"))
        .containsExactlyInAnyOrder("dapr-sentry-*", "dapr-sentry-*", "dapr-sentry-*",
            "dapr-operator-*", "dapr-operator-*", "dapr-operator-*",
            "dapr-placement-server-0", "dapr-placement-server-1", "dapr-placement-server-2",
            "dapr-scheduler-server-0", "dapr-scheduler-server-1", "dapr-scheduler-server-2",
            "dapr-sidecar-injector-*", "dapr-sidecar-injector-*", "dapr-sidecar-injector-*", "dapr-dashboard-*");
    assertThat(pods).allSatisfy(p -> {
      assertThat(p.path("ready").asText()).isEqualTo("1/1");
      assertThat(p.path("status").asText()).isEqualTo("Running");
    });

    // 'daprx dashboard' (as dapr dashboard -k) prints the running dashboard's URL: the install's 'dashboard serve' answers it
    String url = ok("dashboard").out().trim();
    assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+/");
    HttpResponse<String> page = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Control plane");
  }

  @Test
  @Order(4)
  void theControlPlaneServesCertificatesAtItsServiceAddressVerifiedByTheExportedAnchors() throws Exception {
    Path out = home.resolve("anchors");
    ok("mtls", "export", "-g", RG, "-n", CLUSTER, "--out", out.toString());
    String address = ok("get", "services", "-n", "dapr-system", "-o", "tsv", "--query", "[?name=='dapr-sentry'].address | [0]").out().trim();
    assertThat(address).matches("127\\.0\\.0\\.1:\\d+");
    List<java.security.cert.X509Certificate> anchors = Pem.parseCertificates(Files.readString(out.resolve("ca.crt")));
    try (SvidClient c = SvidClient.connect(new SvidClient.Options(address, SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry"),
        "myapp", "default", "", TokenValidator.INSECURE, null, KeyAlgorithm.ED25519, Duration.ofSeconds(3), 3), anchors, Clock.systemUTC()).start()) {
      assertThat(c.current().id()).isEqualTo(SpiffeId.of("public", "default", "myapp"));
      Certs.verifyChain(c.current().chain(), anchors, Instant.now());
    }
  }

  @Test
  @Order(5)
  void componentsAppliedWithDaprxReachSidecarsThroughTheOperatorLive() throws Exception {
    Path yaml = home.resolve("statestore.yaml");
    Files.writeString(yaml, """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: statestore
        spec:
          type: state.redis
          version: v1
          metadata:
          - name: redisHost
            value: localhost:6379
        scopes: [cart]
        ---
        apiVersion: dapr.io/v1alpha1
        kind: Configuration
        metadata:
          name: appconfig
        spec:
          tracing: {samplingRate: "1"}
        """);
    assertThat(ok("apply", "-f", yaml.toString()).out())
        .isEqualTo("component.dapr.io/statestore created\nconfiguration.dapr.io/appconfig created\n");
    assertThat(ok("get", "components", "-n", "default").out()).containsPattern("statestore\\s+state\\.redis\\s+v1\\s+cart\\s+\\d+s");

    // a sidecar's view: its SVID from sentry's Service, then the operator's Service over mTLS, as daprd does
    String sentry = ok("get", "services", "-n", "dapr-system", "-o", "tsv", "--query", "[?name=='dapr-sentry'].address | [0]").out().trim();
    String api = ok("get", "services", "-n", "dapr-system", "-o", "tsv", "--query", "[?name=='dapr-api'].address | [0]").out().trim();
    ok("mtls", "export", "-g", RG, "-n", CLUSTER, "--out", home.resolve("a-op").toString());
    List<java.security.cert.X509Certificate> anchors = Pem.parseCertificates(Files.readString(home.resolve("a-op/ca.crt")));
    try (SvidClient svid = SvidClient.connect(new SvidClient.Options(sentry, SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry"),
        "cart", "default", "", TokenValidator.INSECURE, null, KeyAlgorithm.ED25519, Duration.ofSeconds(3), 3), anchors, Clock.systemUTC()).start()) {
      io.grpc.ManagedChannel channel = io.grpc.Grpc.newChannelBuilder(api, io.daprx.common.tls.TlsCredentials.clientMtls(svid,
          SpiffeId.of("cluster.local", "dapr-system", "dapr-operator"), Clock.systemUTC())).build();
      try {
        var stub = io.daprx.proto.operator.v1.OperatorGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        var listed = stub.listComponents(io.daprx.proto.operator.v1.ListComponentsRequest.newBuilder().setNamespace("default").build());
        assertThat(listed.getComponentsList()).hasSize(1);
        JsonNode component = JSON.readTree(listed.getComponents(0).toByteArray());
        assertThat(component.path("metadata").path("name").asText()).isEqualTo("statestore");
        assertThat(component.path("spec").path("type").asText()).isEqualTo("state.redis");

        var events = new java.util.concurrent.LinkedBlockingQueue<io.daprx.proto.operator.v1.ComponentUpdateEvent>();
        io.grpc.Context.CancellableContext stream = io.grpc.Context.current().withCancellation();
        stream.run(() -> io.daprx.proto.operator.v1.OperatorGrpc.newStub(channel).componentUpdate(
            io.daprx.proto.operator.v1.ComponentUpdateRequest.newBuilder().setNamespace("default").build(), new io.grpc.stub.StreamObserver<>() {
              @Override
              public void onNext(io.daprx.proto.operator.v1.ComponentUpdateEvent e) {
                events.add(e);
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            }));
        try {
          // every operator replica may take the stream: the change reaches it through the resources directory
          await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
            Files.writeString(yaml, Files.readString(yaml).replaceAll("localhost:6379|redis-\\d+:6379", "redis-" + System.nanoTime() + ":6379"));
            ok("apply", "-f", yaml.toString());
            var e = events.poll(2, TimeUnit.SECONDS);
            return e != null && e.getType() == io.daprx.proto.operator.v1.ResourceEventType.UPDATED
                && JSON.readTree(e.getComponent().toByteArray()).path("spec").path("metadata").path(0).path("value").asText().startsWith("redis-");
          });
          events.clear();
          assertThat(ok("delete", "component", "statestore").out()).isEqualTo("component.dapr.io \"statestore\" deleted\n");
          var deleted = events.poll(20, TimeUnit.SECONDS);
          assertThat(deleted).isNotNull();
          assertThat(deleted.getType()).isEqualTo(io.daprx.proto.operator.v1.ResourceEventType.DELETED);
        } finally {
          stream.cancel(null);
        }

        // a sidecar of namespace default may not read another namespace's components
        var denied = org.assertj.core.api.Assertions.catchThrowableOfType(io.grpc.StatusRuntimeException.class, () -> stub.listComponents(
            io.daprx.proto.operator.v1.ListComponentsRequest.newBuilder().setNamespace("shop").build()));
        assertThat(denied.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
      } finally {
        channel.shutdownNow();
      }
    }
    DaprxCli.Run missing = daprx("delete", "component", "statestore");
    assertThat(missing.code()).isEqualTo(3);
    assertThat(missing.err()).contains("components.dapr.io \"statestore\" not found");
    DaprxCli.Run bad = daprx("apply", "-f", "-", "--namespace", "default");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("no objects passed to apply");
  }

  @Test
  @Order(6)
  void aKilledReplicaIsRestartedWhileTheServiceKeepsAnswering() throws Exception {
    // the install recorded what its components load, and their class-data archives are dumped behind it: a restart maps
    // the base and sentry's layer — this jar's (its key names the shared native libraries' directory every launch gets;
    // the directory also holds the archives of earlier builds until a dump prunes them)
    Path cds = Path.of("target", "cds").toAbsolutePath();
    JsonNode victim = sentryPod();
    long pid = victim.path("pid").asLong();
    String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), java.nio.charset.StandardCharsets.UTF_8);
    java.util.regex.Matcher natives = java.util.regex.Pattern.compile("-Djava\\.library\\.path=" + java.util.regex.Pattern.quote(cds.toString())
        + "/([0-9a-f]+-[0-9a-f]+)\\.native").matcher(cmdline);
    assertThat(natives.find()).as("sentry's command line names the shared libraries: %s", cmdline.replace('\0', ' ')).isTrue();
    String key = natives.group(1);
    await().atMost(Duration.ofSeconds(180)).until(() -> Files.isRegularFile(cds.resolve(key + ".base.jsa"))
        && Files.isRegularFile(cds.resolve(key + ".sentry.jsa")));
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    String address = ok("get", "services", "-n", "dapr-system", "-o", "tsv", "--query", "[?name=='dapr-sentry'].address | [0]").out().trim();
    ok("mtls", "export", "-g", RG, "-n", CLUSTER, "--out", home.resolve("a2").toString());
    List<java.security.cert.X509Certificate> anchors = Pem.parseCertificates(Files.readString(home.resolve("a2/ca.crt")));
    // the other replicas answer through the Service while the killed one comes back
    try (SvidClient c = SvidClient.connect(new SvidClient.Options(address, SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry"),
        "during-restart", "default", "", TokenValidator.INSECURE, null, KeyAlgorithm.EC_P256, Duration.ofSeconds(3), 3), anchors, Clock.systemUTC()).start()) {
      assertThat(c.current().id().appId()).isEqualTo("during-restart");
    }
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      JsonNode p = find(pods(), victim.path("name").asText());
      assertThat(p.path("restarts").asInt()).isEqualTo(1);
      assertThat(p.path("ready").asText()).isEqualTo("1/1");
      assertThat(p.path("pid").asLong()).isNotEqualTo(pid);
    });
    assertThat(ok("logs", victim.path("name").asText(), "-n", "dapr-system").out()).contains("restarted");
    long restarted = find(pods(), victim.path("name").asText()).path("pid").asLong();
    assertThat(Files.readString(Path.of("/proc", Long.toString(restarted), "maps"))).as("the restarted sentry maps its archives")
        .contains(cds.resolve(key + ".base.jsa").toString(), cds.resolve(key + ".sentry.jsa").toString());
  }

  @Test
  @Order(7)
  void theSchedulersThreeReplicasServeBehindItsTwoServicesAndAKilledOneIsRestarted() throws Exception {
    JsonNode services = ok("get", "services", "-n", "dapr-system", "-o", "json").json();
    for (String name : List.of("dapr-scheduler-server-a", "dapr-scheduler-server")) {
      JsonNode s = find(services, name);
      assertThat(s.path("address").asText()).as(name).matches("127\\.0\\.0\\.1:\\d+");
      assertThat(s.path("endpoints")).as(name + " endpoints").hasSize(3);
    }
    JsonNode victim = find(pods(), "dapr-scheduler-server-1");
    long pid = victim.path("pid").asLong();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      JsonNode p = find(pods(), "dapr-scheduler-server-1");
      assertThat(p.path("restarts").asInt()).isEqualTo(1);
      assertThat(p.path("ready").asText()).isEqualTo("1/1");
      assertThat(p.path("pid").asLong()).isNotEqualTo(pid);
      assertThat(find(ok("get", "services", "-n", "dapr-system", "-o", "json").json(), "dapr-scheduler-server-a").path("endpoints")).hasSize(3);
    });
  }

  @Test
  @Order(8)
  void badRequestsAreClearErrorsAndChangeNothing() throws Exception {
    String[] base = {"k8s-extension", "create", "-t", "managedClusters", "-c", CLUSTER, "-g", RG};
    assertError(concat(base, "--name", "other", "--extension-type", "Microsoft.Flux"), 1, "Extension type 'Microsoft.Flux' is not supported");
    assertError(concat(base, "--name", "other", "--extension-type", "Microsoft.Dapr", "--scope", "namespace"), 1,
        "Invalid scope 'namespace'. This extension can be installed only at 'cluster' scope.");
    assertError(concat(base, "--name", "other", "--extension-type", "Microsoft.Dapr", "--version", "0.1.0"), 1,
        "To pin to specific version, auto-upgrade-minor-version must be set to 'false'.");
    assertError(concat(base, "--name", "other", "--extension-type", "Microsoft.Dapr", "--configuration-settings", "global.ha.enable=false"), 1,
        "unknown configuration setting global.ha.enable; known settings: global.ha.enabled");
    assertError(concat(base, "--name", "other", "--extension-type", "Microsoft.Dapr", "--configuration-settings", "global.ha.replicaCount=lots"), 1,
        "global.ha.replicaCount must be a whole number");
    assertError(concat(base, "--name", "myDaprExtension", "--extension-type", "Microsoft.Dapr"), 1, "(ExtensionAlreadyExists)");
    assertError(new String[] {"k8s-extension", "create", "-t", "managedClusters", "-c", "noSuchCluster", "-g", RG, "--name", "x",
        "--extension-type", "Microsoft.Dapr"}, 3, "(ResourceNotFound)");
    assertError(new String[] {"k8s-extension", "show", "-c", CLUSTER, "-g", "noSuchGroup", "--name", "x"}, 3, "(ResourceGroupNotFound)");
    assertError(new String[] {"k8s-extension", "show", "-c", CLUSTER, "-g", RG, "--name", "nope"}, 3,
        "(ExtensionNotFound) The Resource 'Microsoft.KubernetesConfiguration/extensions/nope'");
    DaprxCli.Run missingDelete = ok("k8s-extension", "delete", "-c", CLUSTER, "-g", RG, "--name", "nope", "--yes");
    assertThat(missingDelete.err()).contains("WARNING: No extension with name 'nope'");
    assertError(new String[] {"k8s-extension", "update", "-c", CLUSTER, "-g", RG, "--name", "myDaprExtension",
        "--configuration-settings", "global.ha.enabled=false", "--yes"}, 1, "Cannot change global.ha.enabled after create");
    assertError(new String[] {"k8s-extension", "update", "-c", CLUSTER, "-g", RG, "--name", "myDaprExtension",
        "--configuration-settings", "global.logLevel=debug"}, 1, "Unable to prompt for confirmation as no tty available. Use --yes.");

    JsonNode list = ok("k8s-extension", "list", "-c", CLUSTER, "-g", RG).json();
    assertThat(list).hasSize(1);
    assertThat(list.get(0).path("provisioningState").asText()).isEqualTo("Succeeded");
    assertThat(list.get(0).path("configurationSettings").size()).isZero();
    assertThat(pods()).hasSize(HA_PODS);
  }

  @Test
  @Order(9)
  void anUpdateThatTurnsTheSchedulerOffRemovesItsPodsAndServicesAndTurningItOnBringsThemBack() {
    List<String> injectorsBefore = injectorNames();
    ok("k8s-extension", "update", "-c", CLUSTER, "-g", RG, "--name", "myDaprExtension", "--yes",
        "--configuration-settings", "global.scheduler.enabled=false");
    assertThat(pods()).hasSize(HA_PODS - 3).noneMatch(p -> p.path("name").asText().startsWith("dapr-scheduler-server"))
        .allSatisfy(p -> assertThat(p.path("ready").asText()).isEqualTo("1/1"));
    assertThat(ok("get", "services", "-n", "dapr-system", "-o", "json").json()).extracting(s -> s.path("name").asText())
        .doesNotContain("dapr-scheduler-server-a", "dapr-scheduler-server");
    // the injectors were rolled: their sidecars are no longer pointed at a scheduler
    assertThat(pods()).filteredOn(p -> p.path("component").asText().equals("injector")).hasSize(3);
    ok("k8s-extension", "update", "-c", CLUSTER, "-g", RG, "--name", "myDaprExtension", "--yes",
        "--configuration-settings", "global.scheduler.enabled=true");
    assertThat(pods()).hasSize(HA_PODS).allSatisfy(p -> assertThat(p.path("ready").asText()).isEqualTo("1/1"));
    assertThat(find(ok("get", "services", "-n", "dapr-system", "-o", "json").json(), "dapr-scheduler-server-a").path("endpoints")).hasSize(3);
    // back to the first settings, but new pods: new names, as Kubernetes gives them, and so logs of their own
    List<String> injectorsAfter = injectorNames();
    assertThat(injectorsAfter).hasSize(3).doesNotContainAnyElementsOf(injectorsBefore)
        .allSatisfy(n -> assertThat(n).startsWith(injectorsBefore.get(0).substring(0, injectorsBefore.get(0).length() - 5)));
    assertThat(daprx("logs", injectorsBefore.get(0), "-n", "dapr-system").code()).as("a replaced pod is gone").isNotZero();
    ok("logs", injectorsAfter.get(0), "-n", "dapr-system");
  }

  private static List<String> injectorNames() {
    List<String> out = new ArrayList<>();
    pods().forEach(p -> {
      if (p.path("component").asText().equals("injector")) {
        out.add(p.path("name").asText());
      }
    });
    return out;
  }

  @Test
  @Order(10)
  void theApiRefusesBadTokensMalformedBodiesAndStaleEtags() throws Exception {
    String url = JSON.readTree(home.resolve("server.json").toFile()).path("url").asText();
    String token = Files.readString(home.resolve("token")).trim();
    assertThat(Files.getPosixFilePermissions(home.resolve("token")).toString()).doesNotContain("GROUP").doesNotContain("OTHERS");
    HttpClient http = HttpClient.newHttpClient();
    String sub = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/subscriptions")).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString()).body()).path("value").path(0).path("subscriptionId").asText();
    String ext = url + "/subscriptions/" + sub + "/resourceGroups/" + RG + "/providers/Microsoft.ContainerService/managedClusters/" + CLUSTER
        + "/providers/Microsoft.KubernetesConfiguration/extensions/myDaprExtension";

    HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create(ext)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(noToken.body()).path("error").path("code").asText()).isEqualTo("AuthenticationFailed");
    HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(ext)).header("Authorization", "Bearer nope").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(401);

    HttpResponse<String> malformed = http.send(HttpRequest.newBuilder(URI.create(ext)).header("Authorization", "Bearer " + token)
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"properties\": ")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(malformed.body()).path("error").path("message").asText()).contains("could not be deserialized");

    HttpResponse<String> current = http.send(HttpRequest.newBuilder(URI.create(ext)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
    String etag = current.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> stale = http.send(HttpRequest.newBuilder(URI.create(ext)).header("Authorization", "Bearer " + token)
        .header("If-Match", "\"not-" + etag + "\"").method("PATCH", HttpRequest.BodyPublishers.ofString("{\"properties\":{\"configurationSettings\":{\"global.logLevel\":\"debug\"}}}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(stale.statusCode()).isEqualTo(412);
    assertThat(JSON.readTree(stale.body()).path("error").path("code").asText()).isEqualTo("PreconditionFailed");
  }

  @Test
  @Order(11)
  void protectedSettingsAreNeverReturned() throws Exception {
    // global.tag names the image on Kubernetes and changes no local pod: the update rolls nothing, which is not the point here
    DaprxCli.Run r = ok("k8s-extension", "update", "-c", CLUSTER, "-g", RG, "--name", "myDaprExtension", "--yes",
        "--config-protected-settings", "global.tag=s3cr3t-value");
    assertThat(r.out()).doesNotContain("s3cr3t-value").contains("\"global.tag\": null");
    assertThat(ok("k8s-extension", "show", "-c", CLUSTER, "-g", RG, "--name", "myDaprExtension", "--debug").out() + r.err())
        .doesNotContain("s3cr3t-value");
    try (var files = Files.list(home)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("daprx.db")).toList()) {
        assertThat(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain("s3cr3t-value");
      }
    }
    JsonNode pods = pods();
    assertThat(pods).hasSize(HA_PODS).allSatisfy(p -> assertThat(p.path("ready").asText()).isEqualTo("1/1"));
  }

  @Test
  @Order(12)
  void aServerKilledDuringAnOperationFinishesItAfterRestart() throws Exception {
    // a change of placement alone: three replicas to roll, the operation still under way when the server is killed
    ok("k8s-extension", "update", "-c", CLUSTER, "-g", RG, "--name", "myDaprExtension", "--yes", "--no-wait",
        "--configuration-settings", "dapr_placement.disseminateCoalesceWindow=2s");
    killServerThenAwaitSucceeded();
    assertThat(ok("k8s-extension", "show", "-c", CLUSTER, "-g", RG, "--name", "myDaprExtension").json().path("configurationSettings")
        .path("dapr_placement.disseminateCoalesceWindow").asText()).isEqualTo("2s");
    assertThat(pods()).hasSize(HA_PODS).allSatisfy(p -> assertThat(p.path("ready").asText()).isEqualTo("1/1"));
  }

  @Test
  @Order(13)
  void serverStopStopsTheClusterAndItComesBackAsItWas() throws Exception {
    List<Long> pids = new ArrayList<>();
    List<String> names = new ArrayList<>();
    pods().forEach(p -> {
      pids.add(p.path("pid").asLong());
      names.add(p.path("name").asText());
    });
    ok("server", "stop");
    assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse());
    // `server stop` returns once the server has exited, which closes it once (its request, then the JVM's shutdown
    // hook): no stack trace in its log
    assertThat(Files.readString(home.resolve("server.log"))).doesNotContain("Exception in thread");
    // 16 pods come back component by component, the dashboard last: on a loaded 2-core machine that took over 90 s
    await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> {
      JsonNode pods = pods();
      assertThat(pods).extracting(p -> p.path("name").asText()).containsExactlyInAnyOrderElementsOf(names);
      assertThat(pods).allSatisfy(p -> assertThat(p.path("ready").asText()).isEqualTo("1/1"));
    });
  }

  @Test
  @Order(14)
  void deleteRemovesEveryProcess() {
    List<Long> pids = new ArrayList<>();
    pods().forEach(p -> pids.add(p.path("pid").asLong()));
    ok("k8s-extension", "delete", "-c", CLUSTER, "-g", RG, "--name", "myDaprExtension", "--yes");
    assertThat(pods()).isEmpty();
    assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse());
    assertThat(ok("k8s-extension", "list", "-c", CLUSTER, "-g", RG).json()).isEmpty();
  }

  @Test
  @Order(15)
  void aServerKilledDuringCreateFinishesTheInstallAfterRestartNeverStuckInCreating() throws Exception {
    ok("k8s-extension", "create", "-t", "managedClusters", "-c", CLUSTER, "-g", RG, "--name", "myDaprExtension",
        "--extension-type", "Microsoft.Dapr", "--no-wait");
    killServerThenAwaitSucceeded();
    assertThat(pods()).hasSize(HA_PODS).allSatisfy(p -> assertThat(p.path("ready").asText()).isEqualTo("1/1"));
  }

  /** kill -9 of the management server; the next command starts a new one, which resumes the interrupted operation. */
  private static void killServerThenAwaitSucceeded() throws Exception {
    ProcessHandle server = ProcessHandle.of(serverPid()).orElseThrow();
    server.destroyForcibly();
    server.onExit().get(10, TimeUnit.SECONDS);
    try {
      // replicas roll one at a time: up to 16 pod starts one after the other, on a loaded CI machine too (the server's
      // reconcile timeout is 4 minutes)
      await().atMost(Duration.ofSeconds(300)).until(() -> ok("k8s-extension", "show", "-c", CLUSTER, "-g", RG, "--name", "myDaprExtension",
          "--query", "provisioningState", "-o", "tsv").out().trim().equals("Succeeded"));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // what a user would look at: the pods and the server's log
      StringBuilder logs = new StringBuilder();
      for (JsonNode p : pods()) {
        if (!p.path("ready").asText().equals("1/1")) {
          logs.append("\nlogs ").append(p.path("name").asText()).append(" --tail 15:\n")
              .append(daprx("logs", p.path("name").asText(), "-n", "dapr-system", "--tail", "15").out());
        }
      }
      throw new AssertionError(e.getMessage() + "\npods:\n" + daprx("get", "pods", "-n", "dapr-system", "-o", "wide").out()
          + logs + "\nserver.log (end):" + cli.serverLogTail(), e);
    }
  }

  private static void assertError(String[] args, int code, String text) {
    DaprxCli.Run r = daprx(args);
    assertThat(r.code()).as("daprx %s\nstderr: %s", String.join(" ", args), r.err()).isEqualTo(code);
    assertThat(r.err()).contains(text);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static JsonNode sentryPod() {
    for (JsonNode p : pods()) {
      if (p.path("name").asText().startsWith("dapr-sentry-")) {
        return p;
      }
    }
    throw new AssertionError("no sentry pod");
  }

  private static JsonNode find(JsonNode pods, String name) {
    for (JsonNode p : pods) {
      if (p.path("name").asText().equals(name)) {
        return p;
      }
    }
    ObjectNode none = JSON.createObjectNode();
    return none;
  }
}
