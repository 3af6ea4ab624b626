package io.daprx.sentry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.common.tls.Svid;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundleException;
import io.daprx.common.trust.CaBundles;
import io.daprx.common.trust.FileBundleStore;
import io.daprx.common.trust.RawBundle;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sentry on real loopback ports with real TLS, used the way daprd uses it: an Ed25519 key, an empty
 * trust domain, the INSECURE validator, and the server checked by its SPIFFE ID against the anchors.
 */
class SentryTlsTest {

  private static final SpiffeId SENTRY_ID = SpiffeId.of("cluster.local", "dapr-system", "dapr-sentry");

  @TempDir
  Path creds;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private Sentry start(SentryOptions options) {
    Sentry s = new Sentry(options, Clock.systemUTC()).start();
    toClose.add(s);
    return s;
  }

  private SentryOptions options() {
    SentryOptions d = SentryOptions.defaults(creds).withPorts(0, 0, 0).withListenAddress("127.0.0.1");
    return new SentryOptions(d.listenAddress(), d.port(), d.healthzPort(), d.metricsPort(), d.issuerCredentials(), d.trustDomain(),
        d.namespace(), d.mode(), d.workloadCertTtl(), d.allowedClockSkew(), d.configName(), d.tokenValidators(), d.jwksSource(),
        Duration.ofMillis(200), d.expiryWarning(), d.cryptoProvider(), null);
  }

  private List<X509Certificate> anchors() throws Exception {
    return Pem.parseCertificates(Files.readString(creds.resolve("ca.crt")));
  }

  private SvidClient daprd(Sentry sentry, String appId, Duration ttlHint) throws Exception {
    SvidClient c = SvidClient.connect(new SvidClient.Options("127.0.0.1:" + sentry.port(), SENTRY_ID, appId, "default", "",
        TokenValidator.INSECURE, () -> "", KeyAlgorithm.ED25519, Duration.ofSeconds(3), 5), anchors(), Clock.systemUTC());
    toClose.add(c);
    return c.start();
  }

  @Test
  void daprdStyleClientGetsItsSvidOverTlsAndSeesSentrysIdentity() throws Exception {
    Sentry sentry = start(options());
    SvidClient client = daprd(sentry, "myapp", null);
    Svid svid = client.current();
    assertThat(svid.id()).isEqualTo(SpiffeId.of("public", "default", "myapp"));
    assertThat(svid.chain()).hasSize(2);
    assertThat(svid.trustAnchors()).isEqualTo(anchors());
    assertThat(svid.privateKey().getAlgorithm()).isIn("Ed25519", "EdDSA");
    assertThat(sentry.registry().scrape()).contains("dapr_sentry_cert_sign_success_total 1.0");
  }

  @Test
  void clientRefusesASentryWithAnotherIdentity() throws Exception {
    Sentry sentry = start(options());
    SpiffeId wrong = SpiffeId.of("cluster.local", "other-ns", "dapr-sentry");
    SvidClient c = SvidClient.connect(new SvidClient.Options("127.0.0.1:" + sentry.port(), wrong, "myapp", "default", "",
        TokenValidator.INSECURE, null, KeyAlgorithm.ED25519, Duration.ofSeconds(2), 1), anchors(), Clock.systemUTC());
    toClose.add(c);
    assertThatThrownBy(c::start).hasMessageContaining("could not get an SVID").hasMessageContaining("UNAVAILABLE");
  }

  @Test
  void svidIsRenewedBeforeItExpires() throws Exception {
    Sentry sentry = start(options().withTtl(Duration.ofSeconds(4), Duration.ZERO));
    SvidClient client = daprd(sentry, "renewer", null);
    X509Certificate first = client.current().leaf();
    // renewal is due at half of the 4 s validity
    await().atMost(Duration.ofSeconds(10)).until(() -> !client.current().leaf().equals(first));
    assertThat(client.current().leaf().getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    assertThat(client.current().notAfter()).isAfter(first.getNotAfter().toInstant());
  }

  @Test
  void aSidecarStartedBeforeSentryRetriesUntilSentryIsUpAndRenewsThroughAnOutage() throws Exception {
    SentryOptions opts = options().withPorts(freePort(), 0, 0).withTtl(Duration.ofSeconds(6), Duration.ZERO);
    // sentry generates the CA at first start; make it now so the sidecar has anchors before sentry runs
    new FileBundleStore(creds).saveIfAbsent(CaBundles.generate("cluster.local", "dapr-system", CaBundles.DEFAULT_CA_TTL, Clock.systemUTC()).toRaw());
    SvidClient client = SvidClient.connect(new SvidClient.Options("127.0.0.1:" + opts.port(), SENTRY_ID, "early-bird", "default", "",
        TokenValidator.INSECURE, null, KeyAlgorithm.ED25519, Duration.ofSeconds(1), 8), anchors(), Clock.systemUTC());
    toClose.add(client);
    java.util.concurrent.CompletableFuture<SvidClient> started = java.util.concurrent.CompletableFuture.supplyAsync(client::start);
    await().atMost(Duration.ofSeconds(5)).until(() -> !started.isDone());
    Sentry sentry = new Sentry(opts, Clock.systemUTC()).start();
    X509Certificate first = started.get(30, java.util.concurrent.TimeUnit.SECONDS).current().leaf();

    sentry.close(); // outage across the renewal time (3 s into the 6 s validity)
    Sentry back = start(opts);
    await().atMost(Duration.ofSeconds(20)).until(() -> !client.current().leaf().equals(first));
    assertThat(back.registry().scrape()).contains("dapr_sentry_cert_sign_success_total");
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void healthzAndMetricsAreServed() throws Exception {
    Sentry sentry = start(options());
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sentry.healthzPort() + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(204);
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sentry.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("dapr_sentry_issuercert_expiry_timestamp").contains("dapr_sentry_rootcert_expiry_timestamp")
        .contains("daprx_crypto_provider{provider=");
  }

  @Test
  void aRotatedBundleIsPickedUpWhileWorkloadsKeepWorking() throws Exception {
    Sentry sentry = start(options());
    SvidClient before = daprd(sentry, "early", null);
    FileBundleStore store = new FileBundleStore(creds);
    CaBundle current = CaBundles.parse(store.load(), store.describe(), Clock.systemUTC());
    CaBundle rotated = CaBundles.renewRoot(current, null, "cluster.local", "dapr-system", Duration.ofDays(365), Clock.systemUTC());
    store.save(rotated.toRaw());
    await().atMost(Duration.ofSeconds(10)).until(() -> sentry.ca().get().issuer().equals(rotated.issuer()));
    // a client that only knew the old anchors still reaches sentry: sentry now serves a new-issuer SVID
    // chained to the new root, and this client renews into the new anchors
    SvidClient after = daprd(sentry, "late", null);
    assertThat(after.current().trustAnchors()).containsExactlyElementsOf(rotated.trustAnchors());
    assertThat(after.current().chain().get(1)).isEqualTo(rotated.issuer());
    // the old workload's certificate still verifies against the new anchors
    io.daprx.common.pki.Certs.verifyChain(before.current().chain(), rotated.trustAnchors(), java.time.Instant.now());
    assertThat(sentry.registry().scrape()).contains("dapr_sentry_issuercert_changed_total 1.0");
  }

  @Test
  void aBrokenBundleStopsStartUpWithAClearErrorAndIsLeftAsItWas() throws Exception {
    CaBundle good = CaBundles.generate("cluster.local", "dapr-system", CaBundles.DEFAULT_CA_TTL, Clock.systemUTC());
    CaBundle other = CaBundles.generate("cluster.local", "dapr-system", CaBundles.DEFAULT_CA_TTL, Clock.systemUTC());
    RawBundle mismatched = new RawBundle(good.toRaw().caCrt(), good.toRaw().issuerCrt(), other.toRaw().issuerKey());
    new FileBundleStore(creds).save(mismatched);
    assertThatThrownBy(() -> new Sentry(options(), Clock.systemUTC()).start())
        .isInstanceOf(CaBundleException.class)
        .hasMessageContaining("issuer.key").hasMessageContaining("does not belong");
    assertThat(new FileBundleStore(creds).load()).isEqualTo(mismatched);
  }

  @Test
  void aPartialBundleIsNeverSilentlyReplaced() throws Exception {
    Files.writeString(creds.resolve("ca.crt"), CaBundles.generate("cluster.local", "dapr-system", CaBundles.DEFAULT_CA_TTL, Clock.systemUTC()).trustAnchorsPem());
    assertThatThrownBy(() -> new Sentry(options(), Clock.systemUTC()).start())
        .isInstanceOf(CaBundleException.class).hasMessageContaining("incomplete").hasMessageContaining("issuer.crt, issuer.key missing");
    assertThat(Files.exists(creds.resolve("issuer.key"))).isFalse();
  }

  @Test
  void replicasSharingOneDirectoryShareOneCa() throws Exception {
    Sentry a = start(options());
    Sentry b = start(options());
    assertThat(b.ca().get().issuer()).isEqualTo(a.ca().get().issuer());
    SvidClient fromB = daprd(b, "app-b", null);
    io.daprx.common.pki.Certs.verifyChain(fromB.current().chain(), a.ca().get().trustAnchors(), java.time.Instant.now());
  }

  @Test
  void aPortInUseIsAClearError() throws Exception {
    Sentry a = start(options());
    SentryOptions clash = options().withPorts(a.port(), 0, 0);
    assertThatThrownBy(() -> new Sentry(clash, Clock.systemUTC()).start()).hasMessageContaining("cannot listen on 127.0.0.1:" + a.port());
  }
}
