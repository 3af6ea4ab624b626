package io.daprx.injector;

import static io.daprx.injector.webhook.Reviews.DEPLOYMENT_CONTROLLER;
import static io.daprx.injector.webhook.Reviews.bytes;
import static io.daprx.injector.webhook.Reviews.review;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.common.pki.Pem;
import io.daprx.injector.patch.Pods;
import io.daprx.sentry.Sentry;
import io.daprx.sentry.SentryOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 3 of issue 20: five HTTPS connections whose body never finishes stopped the injector (every admission timed
 * out, so with failurePolicy Ignore pods started without a sidecar) while /healthz answered 204. Real TLS, real
 * sockets: many slow clients, and the API server's admission must still be answered within its 10 s timeout.
 */
class SlowClientsTest {

  static final String SERVICE = "dapr-sidecar-injector.dapr-system.svc";
  /** The API server's default webhook timeout (timeoutSeconds). */
  static final Duration ADMISSION_TIMEOUT = Duration.ofSeconds(10);

  @TempDir
  Path creds;
  Sentry sentry;
  Injector injector;
  TlsClient client;
  SSLContext tls;
  final List<SSLSocket> slow = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    sentry = new Sentry(SentryOptions.defaults(creds).withPorts(0, 0, 0).withListenAddress("127.0.0.1"), Clock.systemUTC()).start();
    injector = new Injector(InjectorOptions.defaults(io.daprx.injector.patch.Pods.IMAGE).withPorts(0, 0, 0).withListenAddress("127.0.0.1")
        .withSentry("127.0.0.1:" + sentry.port(), creds.resolve("ca.crt")), Clock.systemUTC()).start();
    List<X509Certificate> anchors = Pem.parseCertificates(Files.readString(creds.resolve("ca.crt")));
    client = new TlsClient(anchors, SERVICE, injector.port());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("anchor", anchors.get(0));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
  }

  @AfterEach
  void stop() throws Exception {
    for (SSLSocket s : slow) {
      s.close();
    }
    if (injector != null) {
      injector.close();
    }
    if (sentry != null) {
      sentry.close();
    }
  }

  /** A client that sends its headers and the first bytes of a 100 kB body, then nothing. */
  SSLSocket slowBody() throws Exception {
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", injector.port());
    slow.add(s);
    s.setSoTimeout(10_000); // a server whose threads are all taken never finishes the handshake
    s.startHandshake();
    OutputStream out = s.getOutputStream();
    out.write(("POST /mutate HTTP/1.1\r\nHost: " + SERVICE + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        + "{\"apiVersion\":").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  @Test
  void slowBodiesNeitherStallAdmissionsNorStayConnected() throws Exception {
    for (int i = 0; i < 30; i++) {
      slowBody();
    }
    long start = System.nanoTime();
    TlsClient.Response r = client.post(bytes(review("uid-slow", Pods.deploymentPod(), "shop", DEPLOYMENT_CONTROLLER)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(r.status()).isEqualTo(200);
    assertThat(Pods.JSON.readTree(r.body()).path("response").path("allowed").asBoolean()).isTrue();
    assertThat(took).as("answered within the API server's timeout").isLessThan(ADMISSION_TIMEOUT);

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + injector.healthzPort() + "/healthz"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).as("the webhook answers, so it is ready").isEqualTo(204);

    // a body that does not arrive within the deadline is cut off: the client gets a 408 or a closed connection
    SSLSocket first = slow.get(0);
    first.setSoTimeout(1_000);
    InputStream in = first.getInputStream();
    StringBuilder answer = new StringBuilder();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
      try {
        int c = in.read();
        if (c < 0) {
          return true;
        }
        answer.append((char) c);
        return false;
      } catch (SocketTimeoutException notYet) {
        return false;
      } catch (java.io.IOException closed) {
        return true;
      }
    });
    if (!answer.isEmpty()) {
      assertThat(answer.toString()).startsWith("HTTP/1.1 408");
    }
  }

  @Test
  void aChunkedBodyOverTheLimitIsRefusedWhateverItsEncoding() throws Exception {
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", injector.port());
    slow.add(s);
    s.setSoTimeout(20_000);
    s.startHandshake();
    OutputStream out = s.getOutputStream();
    out.write(("POST /mutate HTTP/1.1\r\nHost: " + SERVICE + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) ' ');
    for (int i = 0; i < 8 * 16; i++) { // 8 MiB, no Content-Length: over the 6 MiB limit only by what is read
      out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(chunk);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(answer).startsWith("HTTP/1.1 400").contains("over the limit");
    assertThat(client.post(bytes(review("uid-after", Pods.barePod("w"), "default", DEPLOYMENT_CONTROLLER))).status()).isEqualTo(200);
  }
}
