package io.daprx.common.svid;

import com.google.protobuf.ByteString;
import io.daprx.common.pki.Certs;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.Svid;
import io.daprx.common.tls.SvidSource;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.proto.sentry.v1.CAGrpc;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.daprx.proto.sentry.v1.SignCertificateResponse;
import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets an SVID from sentry with a fresh key and a CSR, then keeps it current: renews at half its
 * validity, retries failures with back-off, and hands every new SVID to the TLS endpoints through
 * {@link #current()}. The trust anchors of each response replace the bootstrap anchors, so a CA
 * rotation reaches the holder at its next renewal.
 */
public final class SvidClient implements SvidSource, AutoCloseable {

  /** What to ask sentry for, and how to prove it. */
  public record Options(
      String sentryAddress,
      SpiffeId sentryId,
      String appId,
      String namespace,
      String trustDomain,
      SignCertificateRequest.TokenValidator tokenValidator,
      Supplier<String> token,
      KeyAlgorithm keyAlgorithm,
      Duration perTryTimeout,
      int initialTries) {

    public Options {
      Objects.requireNonNull(sentryId, "sentryId");
      SpiffeId.requireValidAppId(appId);
      SpiffeId.requireValidNamespace(namespace);
      trustDomain = trustDomain == null ? "" : trustDomain;
      token = token == null ? () -> "" : token;
      keyAlgorithm = keyAlgorithm == null ? KeyAlgorithm.EC_P256 : keyAlgorithm;
      perTryTimeout = perTryTimeout == null ? Duration.ofSeconds(3) : perTryTimeout;
      // 8 tries (0.5 s to 10 s apart, about a minute in all): an install starts every component at once once sentry
      // is ready, and on a small machine a dozen JVMs starting together can keep sentry from answering within the
      // first 20 s; a component that gives up exits and counts towards a crash loop
      initialTries = initialTries <= 0 ? 8 : initialTries;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(SvidClient.class);

  private final Options options;
  private final Clock clock;
  private final CAGrpc.CABlockingStub stub;
  private final ManagedChannel ownedChannel;
  private final ScheduledExecutorService scheduler;
  private final List<Consumer<Svid>> listeners = new CopyOnWriteArrayList<>();
  private volatile List<X509Certificate> anchors;
  private volatile Svid current;
  private volatile boolean closed;

  /** Uses the given channel (tests pass an in-process one); the caller owns it. */
  public SvidClient(Options options, Channel channel, List<X509Certificate> bootstrapAnchors, Clock clock) {
    this(options, channel, null, bootstrapAnchors, clock);
  }

  private SvidClient(Options options, Channel channel, ManagedChannel owned, List<X509Certificate> bootstrapAnchors, Clock clock) {
    this.options = options;
    this.clock = clock;
    this.stub = CAGrpc.newBlockingStub(channel);
    this.ownedChannel = owned;
    this.anchors = List.copyOf(bootstrapAnchors);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "svid-renewal-" + options.appId());
      t.setDaemon(true);
      return t;
    });
  }

  /** Dials sentry over TLS, accepting only {@code options.sentryId()} verified against the current anchors. */
  public static SvidClient connect(Options options, List<X509Certificate> bootstrapAnchors, Clock clock) {
    AnchorsRef ref = new AnchorsRef(bootstrapAnchors);
    ManagedChannel ch = Grpc.newChannelBuilder(options.sentryAddress(),
            TlsCredentials.client(ref::get, options.sentryId(), clock))
        .build();
    SvidClient c = new SvidClient(options, ch, ch, bootstrapAnchors, clock);
    ref.owner = c;
    return c;
  }

  // The channel's trust manager must read the anchors of the client created after it.
  private static final class AnchorsRef {
    private final List<X509Certificate> bootstrap;
    private volatile SvidClient owner;

    AnchorsRef(List<X509Certificate> bootstrap) {
      this.bootstrap = List.copyOf(bootstrap);
    }

    List<X509Certificate> get() {
      SvidClient o = owner;
      return o == null ? bootstrap : o.anchors;
    }
  }

  /** Fetches the first SVID (with up to {@code initialTries} attempts) and schedules renewals. */
  public SvidClient start() {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= options.initialTries(); attempt++) {
      try {
        install(fetch());
        scheduleRenewal();
        return this;
      } catch (RuntimeException e) {
        last = e;
        LOG.warn("getting an SVID for {} from sentry {} failed (try {}/{}): {}", options.appId(),
            options.sentryAddress(), attempt, options.initialTries(), describe(e));
        if (attempt < options.initialTries()) {
          sleep(RenewalPolicy.retryDelay(attempt));
        }
      }
    }
    throw new IllegalStateException("could not get an SVID from sentry at " + options.sentryAddress() + ": " + describe(last), last);
  }

  public void onRotate(Consumer<Svid> listener) {
    listeners.add(listener);
  }

  @Override
  public Svid current() {
    Svid s = current;
    if (s == null) {
      throw new IllegalStateException("no SVID yet: call start() first");
    }
    return s;
  }

  public List<X509Certificate> trustAnchors() {
    return anchors;
  }

  /** One signing round trip with a fresh key. */
  Svid fetch() {
    KeyPair keys = options.keyAlgorithm().generate();
    SignCertificateRequest req = SignCertificateRequest.newBuilder()
        .setId(options.appId())
        .setNamespace(options.namespace())
        .setTrustDomain(options.trustDomain())
        .setToken(options.token().get())
        .setTokenValidator(options.tokenValidator())
        .setCertificateSigningRequest(ByteString.copyFromUtf8(Pem.encodeCsr(Certs.csr(keys, options.keyAlgorithm()))))
        .build();
    SignCertificateResponse resp = stub.withDeadlineAfter(options.perTryTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .signCertificate(req);
    List<X509Certificate> chain = Pem.parseCertificates(resp.getWorkloadCertificate().toByteArray());
    List<X509Certificate> newAnchors = resp.getTrustChainCertificatesList().stream()
        .flatMap(b -> Pem.parseCertificates(b.toByteArray()).stream())
        .toList();
    if (!chain.get(0).getPublicKey().equals(keys.getPublic())) {
      throw new IllegalStateException("sentry returned a certificate for another key");
    }
    return new Svid(keys.getPrivate(), chain, newAnchors.isEmpty() ? anchors : newAnchors);
  }

  private void install(Svid svid) {
    current = svid;
    anchors = svid.trustAnchors();
    LOG.info("SVID {} valid until {}", svid.id(), svid.notAfter());
    for (Consumer<Svid> l : listeners) {
      l.accept(svid);
    }
  }

  private void scheduleRenewal() {
    Svid s = current;
    Duration wait = RenewalPolicy.delayUntil(clock.instant(), RenewalPolicy.renewAt(s.notBefore(), s.notAfter()));
    schedule(wait, 0);
  }

  private void schedule(Duration wait, int failures) {
    if (closed) {
      return;
    }
    scheduler.schedule(() -> renew(failures), wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void renew(int failures) {
    try {
      install(fetch());
      scheduleRenewal();
    } catch (RuntimeException e) {
      int attempt = failures + 1;
      Instant expiry = current.notAfter();
      if (clock.instant().isAfter(expiry)) {
        LOG.error("SVID for {} expired at {} and renewal keeps failing: {}", options.appId(), expiry, describe(e));
      } else {
        LOG.warn("renewing SVID for {} failed (attempt {}), retrying: {}", options.appId(), attempt, describe(e));
      }
      schedule(RenewalPolicy.retryDelay(attempt), attempt);
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof StatusRuntimeException sre) {
      return sre.getStatus().getCode() + ": " + sre.getStatus().getDescription();
    }
    return String.valueOf(e == null ? null : e.getMessage());
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    if (ownedChannel != null) {
      ownedChannel.shutdownNow();
    }
  }
}
