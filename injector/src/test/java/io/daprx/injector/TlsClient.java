package io.daprx.injector;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A minimal HTTPS client that dials 127.0.0.1 but verifies the server as {@code hostname}, as the API server does for
 * {@code dapr-sidecar-injector.<ns>.svc}: the SNI name is what JSSE checks the certificate's DNS SANs against.
 */
final class TlsClient {

  record Response(int status, String headers, byte[] body, X509Certificate peer) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final SSLContext ctx;
  private final String hostname;
  private final int port;

  TlsClient(List<X509Certificate> anchors, String hostname, int port) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    for (int i = 0; i < anchors.size(); i++) {
      ks.setCertificateEntry("anchor-" + i, anchors.get(i));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    this.hostname = hostname;
    this.port = port;
  }

  Response request(String method, String path, byte[] body) throws IOException {
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      if (hostname != null) { // null: trust the anchors, check no name
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setServerNames(List.of(new SNIHostName(hostname)));
        s.setSSLParameters(p);
      }
      s.setSoTimeout(20_000);
      s.startHandshake();
      X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
      OutputStream out = s.getOutputStream();
      String head = method + " " + path + " HTTP/1.1\r\nHost: " + hostname + "\r\nContent-Type: application/json\r\n"
          + "Connection: close\r\n" + (body != null ? "Content-Length: " + body.length + "\r\n" : "") + "\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      byte[] all = readAll(s.getInputStream());
      String text = new String(all, StandardCharsets.ISO_8859_1);
      int split = text.indexOf("\r\n\r\n");
      String headers = text.substring(0, split);
      int status = Integer.parseInt(headers.substring(9, 12));
      byte[] respBody = java.util.Arrays.copyOfRange(all, split + 4, all.length);
      return new Response(status, headers, respBody, peer);
    }
  }

  Response post(byte[] body) throws IOException {
    return request("POST", "/mutate", body);
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    in.transferTo(b);
    return b.toByteArray();
  }
}
