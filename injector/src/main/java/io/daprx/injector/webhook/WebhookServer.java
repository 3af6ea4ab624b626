package io.daprx.injector.webhook;

import io.daprx.common.runtime.HttpLimits;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS {@code POST /mutate} on a bare Jetty connector (HTTP/1.1, no client certificate: the API server presents
 * none). The TLS context is given whole, so a key manager that rotates its certificate serves renewals without a
 * restart.
 *
 * <p>A body is read without holding a thread (the servlet's non-blocking read): a client that sends its body slowly,
 * or never finishes it, costs a connection and the bytes it sent, never one of the few threads that answer the API
 * server. Each request has a deadline for its whole body; connections are bounded, and past the bound idle ones are
 * cut sooner.
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
  /**
   * The whole body must arrive within this: the API server waits 10 s by default (30 s at most) for an answer, so a
   * body still arriving after that serves no one.
   */
  public static final Duration DEFAULT_BODY_DEADLINE = Duration.ofSeconds(10);
  /** Open connections at most; the API server reuses a few, so this bounds what idle or hostile clients hold. */
  static final int MAX_CONNECTIONS = 512;
  /** The limits shared with our other servers; the body limit is this server's own (it answers an AdmissionReview). */
  private static final HttpLimits LIMITS = new HttpLimits(MAX_THREADS, MAX_CONNECTIONS, Duration.ofSeconds(10), 4096, Long.MAX_VALUE);
  private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);

  private final Server server;
  private final ServerConnector connector;

  private final QueuedThreadPool pool;

  public WebhookServer(String host, int port, SSLContext tls, AdmissionWebhook webhook, int maxBodyBytes) {
    this(host, port, tls, webhook, maxBodyBytes, DEFAULT_BODY_DEADLINE);
  }

  /** @param bodyDeadline how long a request's whole body may take to arrive; past it the client gets 408 */
  public WebhookServer(String host, int port, SSLContext tls, AdmissionWebhook webhook, int maxBodyBytes, Duration bodyDeadline) {
    pool = LIMITS.threadPool("injector-http");
    server = new Server(pool);
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setSslContext(tls);
    HttpConfiguration http = new HttpConfiguration();
    LIMITS.apply(http);
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
    server.addBean(LIMITS.connectionLimit(server)); // at the bound, idle connections are cut after 10 s instead of 90
    server.setHandler(new Mutate(webhook, maxBodyBytes, bodyDeadline));
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

  /** Whether every thread is busy and work waits: admissions are answered late, so the injector is not ready. */
  public boolean saturated() {
    return HttpLimits.saturated(pool);
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
    private final Duration bodyDeadline;

    Mutate(AdmissionWebhook webhook, int maxBodyBytes, Duration bodyDeadline) {
      this.webhook = webhook;
      this.maxBodyBytes = maxBodyBytes;
      this.bodyDeadline = bodyDeadline;
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
      long declared = req.getContentLengthLong();
      AsyncContext async = req.startAsync();
      async.setTimeout(bodyDeadline.toMillis());
      Body body = new Body(async, req.getInputStream(), resp, declared > maxBodyBytes
          ? "request body of " + declared + " bytes is over the limit of " + maxBodyBytes + " bytes" : null);
      async.addListener(body);
      req.getInputStream().setReadListener(body);
    }

    /** One request's body, read as it arrives; answered once, by whichever comes first: the end, the limit, the deadline. */
    private final class Body implements ReadListener, AsyncListener {
      private final AsyncContext async;
      private final ServletInputStream in;
      private final HttpServletResponse resp;
      private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      private final byte[] buf = new byte[16 * 1024];
      private final AtomicBoolean answered = new AtomicBoolean();
      /** Set once the body is refused: the rest is read and dropped (up to a bound) so the client sees the 400. */
      private String refusal;
      private long dropped;

      Body(AsyncContext async, ServletInputStream in, HttpServletResponse resp, String refusal) {
        this.async = async;
        this.in = in;
        this.resp = resp;
        this.refusal = refusal;
      }

      @Override
      public void onDataAvailable() throws IOException {
        while (in.isReady()) {
          int n = in.read(buf);
          if (n < 0) {
            return; // onAllDataRead follows
          }
          if (refusal != null) {
            dropped += n;
            if (dropped > MAX_DRAIN_BYTES) {
              answer(webhook.refuse(refusal), true);
              return;
            }
            continue;
          }
          bytes.write(buf, 0, n);
          if (bytes.size() > maxBodyBytes) {
            refusal = "request body is over the limit of " + maxBodyBytes + " bytes";
            bytes.reset();
          }
        }
      }

      @Override
      public void onAllDataRead() {
        answer(refusal != null ? webhook.refuse(refusal) : webhook.handle(bytes.toByteArray()), false);
      }

      /**
       * The body could not be read (most often Jetty's own read deadline, which can come before ours). Answered with an
       * error like a timeout: completing without a status would send a bare 200, which an API server reads as an
       * AdmissionReview it cannot parse.
       */
      @Override
      public void onError(Throwable t) {
        LOG.debug("admission request body failed: {}", t.toString());
        refuse(t instanceof java.util.concurrent.TimeoutException || t.getCause() instanceof java.util.concurrent.TimeoutException ? 408 : 400,
            "the request body could not be read within " + bodyDeadline.toSeconds() + " s");
      }

      @Override
      public void onTimeout(AsyncEvent event) {
        refuse(408, "the request body did not arrive within " + bodyDeadline.toSeconds() + " s");
      }

      private void refuse(int status, String message) {
        if (answered.compareAndSet(false, true)) {
          try {
            resp.setStatus(status);
            resp.setHeader("Connection", "close");
            text(resp, status, message);
          } catch (IOException | RuntimeException e) {
            LOG.debug("cannot answer a request whose body did not arrive: {}", e.toString());
          } finally {
            async.complete();
          }
        }
      }

      @Override
      public void onComplete(AsyncEvent event) {}

      @Override
      public void onError(AsyncEvent event) {
        onError(event.getThrowable());
      }

      @Override
      public void onStartAsync(AsyncEvent event) {}

      private void answer(AdmissionWebhook.Answer a, boolean close) {
        if (!answered.compareAndSet(false, true)) {
          return;
        }
        try {
          if (close) {
            resp.setHeader("Connection", "close");
          }
          write(resp, a);
        } catch (IOException | RuntimeException e) {
          LOG.debug("cannot send the admission answer: {}", e.toString());
        } finally {
          async.complete();
        }
      }
    }

    private static void write(HttpServletResponse resp, AdmissionWebhook.Answer a) throws IOException {
      resp.setStatus(a.status());
      resp.setContentType(a.contentType());
      resp.setContentLength(a.body().length);
      OutputStream out = resp.getOutputStream();
      out.write(a.body());
      out.flush();
    }

    private static void text(HttpServletResponse resp, int status, String message) throws IOException {
      byte[] b = (message + "\n").getBytes(StandardCharsets.UTF_8);
      resp.setStatus(status);
      resp.setContentType("text/plain; charset=utf-8");
      resp.setContentLength(b.length);
      resp.getOutputStream().write(b);
    }
  }
}
