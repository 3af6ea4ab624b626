package io.daprx.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Identity: real daprd sidecars get their SVIDs from our sentry and call each other over mTLS with them — service
 * invocation through daprd's HTTP API, daprd to daprd on the internal gRPC port, to the app behind the other sidecar.
 */
@InteropScenario
@Order(2)
class IdentityIT {

  static Interop interop;
  static String idA;
  static String idB;
  static Daprd a;
  static Daprd b;

  @BeforeAll
  static void start(Interop fixture) {
    interop = fixture;
    idA = interop.appId("identity-a");
    idB = interop.appId("identity-b");
    a = interop.sidecar(idA).app(TestApp.plain("app-a")).start();
    b = interop.sidecar(idB).app(TestApp.plain("app-b")).start();
    a.awaitHealthy(Duration.ofSeconds(60));
    b.awaitHealthy(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
  }

  @Test
  void daprdGetsItsWorkloadCertificateFromOurSentry() throws Exception {
    for (Daprd d : List.of(a, b)) {
      assertThat(d.logText()).contains("Security is initialized successfully").contains("Starting workload identity expiry watcher");
      assertThat(d.metadata().path("id").asText()).isEqualTo(d.name());
    }
    // what daprd B presents on its internal gRPC port is an SVID our CA signed, for B's SPIFFE ID
    List<X509Certificate> chain = serverChain(b.internalPort());
    X509Certificate leaf = chain.get(0);
    assertThat(uriSans(leaf)).containsExactly("spiffe://public/ns/" + Interop.NAMESPACE + "/" + idB);
    assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    PKIXParameters params = new PKIXParameters(anchors().stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet()));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
    interop.record("identity: daprd SVID", uriSans(leaf).get(0) + ", key " + leaf.getPublicKey().getAlgorithm()
        + ", valid until " + leaf.getNotAfter().toInstant());
  }

  @Test
  void sidecarsInvokeEachOtherOverMtls() throws Exception {
    for (Daprd[] pair : new Daprd[][] {{a, b}, {b, a}}) {
      Daprd from = pair[0];
      Daprd to = pair[1];
      HttpResponse<String> r = from.call("POST", "/v1.0/invoke/" + to.name() + "/method/echo", "hello from " + from.name(), Duration.ofSeconds(10));
      assertThat(r.statusCode()).as("invoke %s -> %s: %s", from.name(), to.name(), r.body()).isEqualTo(200);
      JsonNode body = DaprxCli.JSON.readTree(r.body());
      assertThat(body.path("instance").asText()).isEqualTo(to == a ? "app-a" : "app-b");
      assertThat(body.path("path").asText()).isEqualTo("/echo");
      assertThat(body.path("body").asText()).isEqualTo("hello from " + from.name());
      // the callee's daprd names the caller it authenticated
      assertThat(body.path("callerAppId").asText()).isEqualTo(from.name());
    }
  }

  private static List<X509Certificate> anchors() throws Exception {
    List<X509Certificate> out = new ArrayList<>();
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    cf.generateCertificates(new ByteArrayInputStream(interop.cluster().trustAnchorsPem().getBytes(StandardCharsets.US_ASCII)))
        .forEach(c -> out.add((X509Certificate) c));
    return out;
  }

  private static List<String> uriSans(X509Certificate c) throws Exception {
    List<String> out = new ArrayList<>();
    if (c.getSubjectAlternativeNames() != null) {
      for (List<?> san : c.getSubjectAlternativeNames()) {
        if (((Integer) san.get(0)) == 6) {
          out.add((String) san.get(1));
        }
      }
    }
    return out;
  }

  /**
   * The certificate chain a TLS server presents. We have no client certificate, so daprd ends the handshake after it
   * has shown its own; that is all this needs.
   */
  private static List<X509Certificate> serverChain(int port) throws Exception {
    AtomicReference<X509Certificate[]> seen = new AtomicReference<>();
    TrustManager capture = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        seen.set(chain);
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {capture}, null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(5000);
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"}); // grpc-go servers insist on ALPN h2
      s.setSSLParameters(p);
      try {
        s.startHandshake();
      } catch (SSLException expected) {
        // no client certificate
      }
    }
    assertThat(seen.get()).as("daprd's internal gRPC port presented no certificate").isNotNull();
    return List.of(seen.get());
  }
}
