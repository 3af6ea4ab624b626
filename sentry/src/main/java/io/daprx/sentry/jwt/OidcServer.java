package io.daprx.sentry.jwt;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.daprx.common.pki.Pem;
import io.daprx.common.runtime.HttpLimits;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of OpenID Connect discovery a relying party (a cloud's workload identity federation) needs to verify sentry's
 * JWTs, as upstream serves it: {@code GET <prefix>/.well-known/openid-configuration} and {@code GET <prefix>/jwks.json}. The
 * JWKS is read from the key owner at each request, so a rotation is served at once. Hosts outside {@code allowedHosts}
 * get 403; {@code X-Forwarded-Host} counts only when the list names hosts (with {@code *} it is the caller's to choose,
 * and would choose the issuer the document announces).
 */
public final class OidcServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OidcServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpLimits LIMITS = new HttpLimits(8, 256, Duration.ofSeconds(10), 4096, 0);
  // relying parties cache both documents; five minutes lets them see a rotated key soon (most also re-fetch on an unknown kid)
  private static final String CACHE = "public, max-age=300";

  private final OidcOptions options;
  private final Supplier<JwtSigningKey> keys;
  private final String issuer;
  private final boolean tls;
  private final Server server;
  private final ServerConnector connector;

  public OidcServer(OidcOptions options, Supplier<JwtSigningKey> keys, String issuer) {
    this.options = options;
    this.keys = keys;
    this.issuer = issuer;
    this.tls = options.tlsEnabled();
    server = new Server(LIMITS.threadPool("sentry-oidc"));
    HttpConfiguration http = new HttpConfiguration();
    LIMITS.apply(http);
    http.setSendServerVersion(false);
    if (tls) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setSslContext(sslContext(options.tlsCertFile(), options.tlsKeyFile()));
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      // the issuer's host name is the relying party's to check; a request naming another host is refused by allowedHosts
      secure.setSniHostCheck(false);
      http.addCustomizer(secure);
      connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
    } else {
      connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    }
    connector.setHost(options.listenAddress());
    connector.setPort(options.port());
    server.addConnector(connector);
    server.addBean(LIMITS.connectionLimit(server));
    server.setHandler(new Handler());
    server.setStopTimeout(2_000);
  }

  public OidcServer start() {
    try {
      server.start();
    } catch (Exception e) {
      close();
      throw new IllegalStateException("cannot serve OIDC discovery on " + options.listenAddress() + ":" + options.port() + ": " + e.getMessage(), e);
    }
    LOG.info("OIDC discovery on {}://{}:{}{} (JWKS {}), {}", tls ? "https" : "http", options.listenAddress(), port(),
        options.discoveryPath(), options.jwksPath(), options.allowedHosts().isEmpty() ? "any host" : "hosts " + options.allowedHosts());
    return this;
  }

  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // best effort: the process is stopping
    }
  }

  /** The serving certificate and key from PEM files, as upstream's flags name them; read once at start. */
  private static SSLContext sslContext(Path certFile, Path keyFile) {
    try {
      List<X509Certificate> chain = Pem.readCertificates(certFile, OidcOptions.TLS_CERT_FILE_FLAG);
      PrivateKey key;
      try {
        key = Pem.parsePrivateKey(Files.readString(keyFile, StandardCharsets.US_ASCII));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + OidcOptions.TLS_KEY_FILE_FLAG + " " + keyFile + ": " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(OidcOptions.TLS_KEY_FILE_FLAG + " " + keyFile + " is not a PEM private key", e);
      }
      char[] pass = new char[0];
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, pass);
      ks.setKeyEntry("oidc", key, pass, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pass);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (java.security.GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use " + certFile + " and " + keyFile + " to serve OIDC over TLS: " + e.getMessage(), e);
    }
  }

  private final class Handler extends AbstractHandler {
    @Override
    public void handle(String target, Request base, HttpServletRequest req, HttpServletResponse resp) throws IOException {
      base.setHandled(true);
      boolean discovery = target.equals(options.discoveryPath());
      if (!discovery && !target.equals(options.jwksPath())) {
        text(resp, 404, "not found: OIDC discovery is GET " + options.discoveryPath() + " and GET " + options.jwksPath());
        return;
      }
      if (!"GET".equals(req.getMethod())) {
        resp.setHeader("Allow", "GET");
        text(resp, 405, "method not allowed: use GET");
        return;
      }
      String host = requestHost(req);
      if (host == null) {
        LOG.warn("OIDC request for a host not in the allowed hosts: {}", clip(req.getHeader("X-Forwarded-Host") != null
            ? req.getHeader("X-Forwarded-Host") : req.getHeader("Host")));
        text(resp, 403, "forbidden: unauthorized domain");
        return;
      }
      JwtSigningKey k = keys.get();
      Map<String, Object> doc = null;
      if (discovery) {
        try {
          doc = document(host, k);
        } catch (IllegalArgumentException e) {
          text(resp, 400, "invalid host");
          return;
        }
      }
      resp.setStatus(200);
      resp.setContentType("application/json");
      resp.setHeader("Cache-Control", CACHE);
      byte[] body = discovery ? JSON.writeValueAsBytes(doc) : k.publicJwksJson().getBytes(StandardCharsets.UTF_8);
      resp.setContentLength(body.length);
      resp.getOutputStream().write(body);
    }
  }

  /** The host the request is for, or null when it is not allowed. */
  private String requestHost(HttpServletRequest req) {
    String host = req.getHeader("Host");
    List<String> allowed = options.allowedHosts();
    if (allowed.isEmpty()) {
      return host;
    }
    String forwarded = req.getHeader("X-Forwarded-Host");
    String candidate = forwarded != null && !forwarded.isEmpty() ? forwarded : host;
    if (allowed.contains("*")) {
      return host; // anyone may pass, so a forwarded host proves nothing
    }
    if (candidate == null) {
      return null;
    }
    if (allowed.contains(candidate)) {
      return candidate;
    }
    int colon = candidate.lastIndexOf(':');
    if (colon > 0 && !candidate.endsWith("]") && allowed.contains(candidate.substring(0, colon))) {
      return candidate;
    }
    return null;
  }

  /** Upstream's document: the configured issuer, else the URL the request came to; the JWKS beside it unless configured. */
  private Map<String, Object> document(String host, JwtSigningKey k) {
    String base = (tls ? "https" : "http") + "://" + host;
    String iss = issuer != null ? issuer : base;
    String jwksUri = options.jwksUri();
    if (jwksUri == null) {
      URI root;
      try {
        root = URI.create(iss);
      } catch (IllegalArgumentException e) {
        root = URI.create(base);
      }
      jwksUri = (root.isAbsolute() ? root : URI.create(base)).resolve(options.jwksPath()).toString();
    }
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("issuer", iss);
    d.put("jwks_uri", jwksUri);
    d.put("response_types_supported", List.of("id_token"));
    d.put("subject_types_supported", List.of("public"));
    d.put("id_token_signing_alg_values_supported", List.of(k.algorithm().getName()));
    d.put("scopes_supported", List.of("openid"));
    d.put("claims_supported", List.of("sub", "iss", "aud", "exp", "iat", "nbf", "use"));
    return d;
  }

  private static void text(HttpServletResponse resp, int status, String text) throws IOException {
    resp.setStatus(status);
    resp.setContentType("text/plain; charset=utf-8");
    resp.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static String clip(String s) {
    return s == null ? "(none)" : s.length() > 100 ? s.substring(0, 100) + "…" : s;
  }
}
