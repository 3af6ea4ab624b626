package io.daprx.interop.kube;

import static org.awaitility.Awaitility.await;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Kubernetes control plane as plain processes, envtest-style: etcd, kube-apiserver and kube-controller-manager
 * (so Deployments and StatefulSets get ReplicaSets and Pods; no scheduler, no kubelet, no container engine) on free
 * loopback ports. The API server serves HTTPS with a certificate of a CA made here, signs service-account tokens with a
 * key made here (issuer {@link #ISSUER}), and admits an admin whose bearer token is in system:masters. Each process
 * logs to a file under {@code target/kube/<name>-<n>/}, kept after the run for debugging (etcd's data is not). One per
 * test class.
 */
public final class KubeApiServer implements AutoCloseable {

  /** The service-account issuer and default API audience, as a kubeadm cluster names them. */
  public static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
  /** A Node the tests' pods are bound to: the API server keeps no pods without one for the kubelet stand-in to mark. */
  public static final String NODE = "kube-test-node";

  private final Path dir;
  private final String token = "admin-" + UUID.randomUUID();
  private final TestCa ca = new TestCa("kube-test-ca");
  private final List<Process> processes = new ArrayList<>();
  private final int port;
  private final String kubeconfig;
  private final java.security.KeyPair serviceAccountKeys = KeyAlgorithm.EC_P256.generate();
  private final Thread reaper = new Thread(this::stopAll, "kube-api-server-reaper");
  private KubernetesClient client;

  private KubeApiServer(Path binaries, Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    Runtime.getRuntime().addShutdownHook(reaper);
    int etcdClient = freePort();
    int etcdPeer = freePort();
    port = freePort();
    TestCa.Leaf serving = ca.serving("kube-apiserver", List.of("localhost", "127.0.0.1", "kubernetes", "kubernetes.default.svc"));
    Path caFile = write("ca.crt", ca.certPem());
    Path certFile = write("apiserver.crt", serving.certPem());
    Path keyFile = write("apiserver.key", serving.keyPem());
    java.security.KeyPair sa = serviceAccountKeys;
    Path saKey = write("sa.key", Pem.encodePrivateKey(sa.getPrivate()));
    // the verifying side reads PUBLIC KEY (or certificate) blocks only, not the PKCS#8 private key
    Path saPub = write("sa.pub", Pem.encode("PUBLIC KEY", sa.getPublic().getEncoded()));
    Path tokens = write("tokens.csv", token + ",admin,admin-uid,\"system:masters\"\n");
    kubeconfig = kubeconfig(ca.certPem(), "https://127.0.0.1:" + port, token);
    Path kubeconfigFile = write("admin.kubeconfig", kubeconfig);

    start("etcd", binaries.resolve("etcd"), "--data-dir=" + dir.resolve("etcd-data"), "--name=kube-test",
        "--listen-client-urls=http://127.0.0.1:" + etcdClient, "--advertise-client-urls=http://127.0.0.1:" + etcdClient,
        "--listen-peer-urls=http://127.0.0.1:" + etcdPeer, "--initial-advertise-peer-urls=http://127.0.0.1:" + etcdPeer,
        "--initial-cluster=kube-test=http://127.0.0.1:" + etcdPeer, "--unsafe-no-fsync=true", "--log-level=warn");
    start("kube-apiserver", binaries.resolve("kube-apiserver"), "--etcd-servers=http://127.0.0.1:" + etcdClient,
        "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + port, "--cert-dir=" + dir.resolve("certs"),
        "--tls-cert-file=" + certFile, "--tls-private-key-file=" + keyFile, "--client-ca-file=" + caFile,
        "--token-auth-file=" + tokens, "--authorization-mode=RBAC", "--service-account-issuer=" + ISSUER,
        "--service-account-key-file=" + saPub, "--service-account-signing-key-file=" + saKey,
        "--service-cluster-ip-range=10.0.0.0/24", "--allow-privileged=true", "--endpoint-reconciler-type=none",
        // two cores shared with other builds: no queueing of our own few requests, no profiling endpoints
        "--enable-priority-and-fairness=false", "--profiling=false", "--v=1");
    awaitReady();
    start("kube-controller-manager", binaries.resolve("kube-controller-manager"), "--kubeconfig=" + kubeconfigFile,
        "--controllers=deployment,replicaset,statefulset,serviceaccount,garbagecollector,namespace", "--leader-elect=false",
        "--secure-port=0", "--service-account-private-key-file=" + saKey, "--root-ca-file=" + caFile,
        "--concurrent-deployment-syncs=5", "--v=1");
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
    client.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build()).create();
  }

  /** Starts a control plane whose files and logs go to {@code target/kube/<name>-<n>}. */
  public static KubeApiServer start(String name) {
    try {
      Path base = Path.of("target", "kube");
      Files.createDirectories(base);
      Path dir = Files.createTempDirectory(base, name + "-").toAbsolutePath();
      return new KubeApiServer(KubeBinaries.dir(), dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An admin client (system:masters). */
  public KubernetesClient client() {
    return client;
  }

  /** The admin kubeconfig: one cluster with the CA inline, one user with the bearer token, context {@code kube-test}. */
  public String kubeconfig() {
    return kubeconfig;
  }

  public String url() {
    return "https://127.0.0.1:" + port;
  }

  public Path dir() {
    return dir;
  }

  /**
   * The key pair the API server signs service-account tokens with (ES256): for tokens TokenRequest will not issue,
   * such as one already expired (its minimum lifetime is 600 s).
   */
  public java.security.KeyPair serviceAccountKeys() {
    return serviceAccountKeys;
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
    stopAll();
    deleteEtcdData();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway
    }
  }

  /** etcd preallocates its WAL (over 100 MB a run); the logs beside it are what a failure needs, so only they stay. */
  private void deleteEtcdData() {
    Path data = dir.resolve("etcd-data");
    if (!Files.exists(data)) {
      return;
    }
    try (var files = Files.walk(data)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // left for the next mvn clean
    }
  }

  /** Stops the processes in reverse order (controllers, API server, etcd): SIGTERM, then SIGKILL after 10 s. */
  private synchronized void stopAll() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    processes.clear();
  }

  private void start(String name, Path binary, String... args) throws IOException {
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(binary + " is missing: build it with bin/build-peers --kube");
    }
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of(args));
    Path log = dir.resolve(name + ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    synchronized (this) {
      processes.add(p);
    }
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().sslContext(trusting(ca.certPem())).connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest readyz = HttpRequest.newBuilder(URI.create(url() + "/readyz")).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(5)).build();
    await("kube-apiserver /readyz (log: " + dir.resolve("kube-apiserver.log") + ")").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(IOException.class).until(() -> {
          processes.forEach(p -> {
            if (!p.isAlive()) {
              throw new IllegalStateException(p.info().command().orElse("a process") + " exited " + p.exitValue() + ": see " + dir);
            }
          });
          return http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
  }

  static SSLContext trusting(String caPem) {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII))));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Path write(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  static String kubeconfig(String caPem, String server, String token) {
    String caData = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: kube-test
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: admin
          user:
            token: %s
        contexts:
        - name: kube-test
          context:
            cluster: kube-test
            user: admin
        current-context: kube-test
        """.formatted(server, caData, token);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
