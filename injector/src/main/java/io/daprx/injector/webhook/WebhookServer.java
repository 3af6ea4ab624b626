package io.daprx.injector.webhook;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * HTTPS {@code POST /mutate} on a bare Jetty connector (HTTP/1.1, no client certificate: the API server presents
 * none). The TLS context is given whole, so a key manager that rotates its certificate serves renewals without a
 * restart.
 */
public final class WebhookServer implements AutoCloseable {

  public static final String PATH = "/mutate";
  /** Far above any pod (the API server caps objects at 3 MiB) and far below the heap. */
  public static final int DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024;
  /**
   * Jetty's threads (acceptor and selector included). Admissions are short and CPU-bound: measured on 2 cores with
   * bench/injector-bench.sh, 8 threads answered 18k/s at saturation, 64 threads 14k/s (more switching, same work).
   */
  static final int MAX_THREADS = 8;
  /** A client posting more than this is not drained: the connection is closed after the 400. */
  private static final long MAX_DRAIN_BYTES = 64L * 1024 * 1024;

  private final Server server;
  private final ServerConnector connector;

  public WebhookServer(String host, int port, SSLContext tls, AdmissionWebhook webhook, int maxBodyBytes) {
    QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, 4, 60_000);
    pool.setName("injector-http");
    pool.setDaemon(true);
    server = new Server(pool);
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setSslContext(tls);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    // Jetty would otherwise add a customizer that rejects a Host the certificate does not name (400 "Invalid SNI"):
    // there is one certificate and no virtual hosting here, and clients check the name themselves
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false);
    secure.setSniRequired(false);
    http.addCustomizer(secure);
    connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(90_000); // the API server keeps its connections to webhooks for reuse
    server.addConnector(connector);
    server.setHandler(new Mutate(webhook, maxBodyBytes));
    server.setStopTimeout(2_000);
  }

  public WebhookServer start() {
    try {
      server.start();
      return this;
    } catch (Exception e) {
      close();
      throw new IllegalStateException("cannot serve HTTPS on " + connector.getHost() + ":" + connector.getPort() + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return connector.getLocalPort();
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(connector.getHost() == null ? "0.0.0.0" : connector.getHost(), port());
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // stopping is best effort; the process is going away
    }
  }

  private static final class Mutate extends AbstractHandler {
    private final AdmissionWebhook webhook;
    private final int maxBodyBytes;

    Mutate(AdmissionWebhook webhook, int maxBodyBytes) {
      this.webhook = webhook;
      this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(String target, Request base, HttpServletRequest req, HttpServletResponse resp) throws IOException {
      base.setHandled(true);
      if (!PATH.equals(target)) {
        text(resp, 404, "not found: the admission webhook is POST " + PATH);
        return;
      }
      if (!"POST".equals(req.getMethod())) {
        resp.setHeader("Allow", "POST");
        text(resp, 405, "method " + req.getMethod() + " not allowed: POST an AdmissionReview to " + PATH);
        return;
      }
      byte[] body;
      try (InputStream in = req.getInputStream()) {
        long declared = req.getContentLengthLong();
        if (declared > maxBodyBytes) {
          drain(in);
          write(resp, webhook.refuse("request body of " + declared + " bytes is over the limit of " + maxBodyBytes + " bytes"));
          return;
        }
        body = in.readNBytes(maxBodyBytes + 1);
        if (body.length > maxBodyBytes) {
          drain(in);
          write(resp, webhook.refuse("request body is over the limit of " + maxBodyBytes + " bytes"));
          return;
        }
      }
      write(resp, webhook.handle(body));
    }

    private static void write(HttpServletResponse resp, AdmissionWebhook.Answer a) throws IOException {
      resp.setStatus(a.status());
      resp.setContentType(a.contentType());
      resp.setContentLength(a.body().length);
      try (OutputStream out = resp.getOutputStream()) {
        out.write(a.body());
      }
    }

    private static void drain(InputStream in) throws IOException {
      // reading the rest lets the client see the 400 instead of a reset connection
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      int n;
      while (total < MAX_DRAIN_BYTES && (n = in.read(buf)) > 0) {
        total += n;
      }
    }

    private static void text(HttpServletResponse resp, int status, String message) throws IOException {
      byte[] b = (message + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      resp.setStatus(status);
      resp.setContentType("text/plain; charset=utf-8");
      resp.setContentLength(b.length);
      resp.getOutputStream().write(b);
    }
  }
}
