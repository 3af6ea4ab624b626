package io.daprx.bench;

import io.daprx.common.pki.Certs;
import io.daprx.common.pki.CryptoProviders;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundles;
import io.daprx.sentry.ca.IssuancePolicy;
import io.daprx.sentry.ca.Signer;
import io.daprx.sentry.server.CaService;
import io.daprx.sentry.server.SentryMetrics;
import io.daprx.sentry.validator.InsecureValidator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Single-threaded CPU cost of each step on sentry's signing path, in-process (no gRPC, no TLS), beside the
 * same step done another way. Tells which part of {@code CaService.sign} costs what; the gRPC benchmark
 * tells what the whole costs.
 *
 * <p>Usage: {@code java -cp daprx-bench.jar io.daprx.bench.SignPathTiming [seconds-per-step] [accp|jdk]}
 */
public final class SignPathTiming {

  private SignPathTiming() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
    io.daprx.common.runtime.Logging.configure("warn", false);
    String provider = CryptoProviders.init(args.length > 1 && args[1].equals("jdk")
        ? CryptoProviders.Preference.JDK : CryptoProviders.Preference.AUTO);
    System.out.printf("JDK %s, crypto %s, %.1f s per step, one thread%n", Runtime.version(), provider, seconds);

    Clock clock = Clock.systemUTC();
    CaBundle ca = CaBundles.generate("cluster.local", "dapr-system", CaBundles.DEFAULT_CA_TTL, clock);
    // the issuer key as sentry holds it after reading issuer.key from disk
    PrivateKey issuerKey = Pem.parsePrivateKey(Pem.encodePrivateKey(ca.issuerKey()));
    Signer signer = new Signer(() -> ca, clock);
    IssuancePolicy policy = new IssuancePolicy(Duration.ofHours(24), Duration.ofMinutes(15));
    CaService service = new CaService(signer, Map.of(TokenValidator.INSECURE, new InsecureValidator()), TokenValidator.INSECURE,
        () -> policy, "dapr-system", "cluster.local", new SentryMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> ca, provider));
    SpiffeId id = SpiffeId.of("public", "default", "bench-app");

    Map<KeyType, SignCertificateRequest[]> pools = new java.util.EnumMap<>(KeyType.class);
    for (KeyType type : KeyType.values()) {
      SignCertificateRequest[] reqs = new SignCertificateRequest[64];
      for (int i = 0; i < reqs.length; i++) {
        reqs[i] = CsrPool.request(type);
      }
      pools.put(type, reqs);
    }
    // the JIT compiles the shared path once for both key types before anything is timed
    long warm = System.nanoTime() + (long) (Math.max(seconds, 2) * 2e9);
    for (int i = 0; System.nanoTime() < warm; i++) {
      sink = service.sign(pools.get(KeyType.values()[i & 1])[i & 63]);
    }
    for (KeyType type : KeyType.values()) {
      SignCertificateRequest[] reqs = pools.get(type);
      PKCS10CertificationRequest csr = Pem.parseCsr(reqs[0].getCertificateSigningRequest().toByteArray());
      SubjectPublicKeyInfo spki = csr.getSubjectPublicKeyInfo();
      System.out.printf("%n-- %s CSR%n", type.display);
      int[] n = {0};
      time("CaService.sign (whole request, no transport)", seconds, () -> service.sign(reqs[n[0]++ & 63]));
      time("  Pem.parseCsr", seconds, () -> Pem.parseCsr(reqs[n[0]++ & 63].getCertificateSigningRequest().toByteArray()));
      time("  CSR check: JcaContentVerifierProviderBuilder.build + isSignatureValid", seconds,
          () -> csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(spki)));
      time("    JcaContentVerifierProviderBuilder.build(spki) alone", seconds, () -> new JcaContentVerifierProviderBuilder().build(spki));
      org.bouncycastle.operator.ContentVerifierProvider vp = new JcaContentVerifierProviderBuilder().build(spki);
      time("    isSignatureValid with that verifier provider reused", seconds, () -> csr.isSignatureValid(vp));
      java.security.PublicKey pub = KeyFactory.getInstance(type == KeyType.P256 ? "EC" : "Ed25519").generatePublic(
          new java.security.spec.X509EncodedKeySpec(spki.getEncoded()));
      Signature v = Signature.getInstance(type.algorithm.signatureAlgorithm());
      byte[] info = csr.toASN1Structure().getCertificationRequestInfo().getEncoded();
      byte[] sigBytes = csr.getSignature();
      // BC's builder makes the public key with KeyFactory.getInstance(<key algorithm OID>)
      System.out.printf("      (KeyFactory \"%s\", as BC asks for it, comes from %s; KeyFactory by name from %s)%n",
          spki.getAlgorithm().getAlgorithm().getId(), keyFactoryProvider(spki.getAlgorithm().getAlgorithm().getId()),
          pub.getClass().getName());
      time("    isSignatureValid, verifier built from a key the provider made (KeyFactory by name)", seconds,
          () -> csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(pub)));
      time("    JCA verify of the CSR, Signature.getInstance per call", seconds, () -> {
        Signature fresh = Signature.getInstance(type.algorithm.signatureAlgorithm());
        fresh.initVerify(pub);
        fresh.update(info);
        return fresh.verify(sigBytes);
      });
      time("    raw JCA verify of the CSR (" + v.getProvider().getName() + ")", seconds, () -> {
        v.initVerify(pub);
        v.update(info);
        return v.verify(sigBytes);
      });
      time("  Signer.sign (build + sign + convert + PEM)", seconds, () -> signer.sign(spki, id, List.of(), policy));
    }

    System.out.printf("%n-- parts of Signer.sign (the issuer signs with ECDSA P-256)%n");
    time("CryptoProviders.signatureProvider(\"SHA256withECDSA\") (Security.getProviders filter)", seconds,
        () -> CryptoProviders.signatureProvider("SHA256withECDSA"));
    time("Certs.signer(issuerKey) — what Signer.sign calls per certificate", seconds,
        () -> Certs.signer(issuerKey, KeyAlgorithm.EC_P256));
    Provider p = CryptoProviders.signatureProvider("SHA256withECDSA");
    time("JcaContentSignerBuilder.setProvider(cached Provider).build(issuerKey)", seconds,
        () -> new JcaContentSignerBuilder("SHA256withECDSA").setProvider(p).build(issuerKey));
    PrivateKey providerKey = KeyFactory.getInstance("EC", p).generatePrivate(new PKCS8EncodedKeySpec(issuerKey.getEncoded()));
    System.out.printf("   (issuer key class as parsed: %s; translated once: %s)%n", issuerKey.getClass().getName(), providerKey.getClass().getName());
    time("JcaContentSignerBuilder.setProvider(cached Provider).build(key translated once)", seconds,
        () -> new JcaContentSignerBuilder("SHA256withECDSA").setProvider(p).build(providerKey));
    byte[] tbs = new byte[400];
    Signature sig = Signature.getInstance("SHA256withECDSA", p);
    time("raw ECDSA P-256 sign of 400 bytes (Signature reused, translated key)", seconds, () -> {
      sig.initSign(providerKey);
      sig.update(tbs);
      return sig.sign();
    });
    ContentSigner cs = Certs.signer(issuerKey, KeyAlgorithm.EC_P256);
    X509CertificateHolder holder = new org.bouncycastle.cert.X509v3CertificateBuilder(
        org.bouncycastle.asn1.x500.X500Name.getInstance(ca.issuer().getSubjectX500Principal().getEncoded()),
        java.math.BigInteger.TEN, new java.util.Date(), new java.util.Date(System.currentTimeMillis() + 86_400_000L),
        new org.bouncycastle.asn1.x500.X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
        SubjectPublicKeyInfo.getInstance(KeyAlgorithm.ED25519.generate().getPublic().getEncoded())).build(cs);
    time("JcaX509CertificateConverter.getCertificate (leaf to java.security.cert)", seconds,
        () -> new JcaX509CertificateConverter().getCertificate(holder));
    time("Pem.encode(leaf DER)", seconds, () -> Pem.encode("CERTIFICATE", holder.getEncoded()));
    System.out.printf("%nproviders installed: %d, %s has %d property entries%n", Security.getProviders().length,
        Security.getProviders()[Security.getProviders().length - 1].getName(),
        Security.getProviders()[Security.getProviders().length - 1].size());
  }

  private static String keyFactoryProvider(String oid) {
    try {
      KeyFactory kf = KeyFactory.getInstance(oid);
      return kf.getProvider().getName();
    } catch (Exception e) {
      return "none (" + e.getMessage() + ")";
    }
  }

  interface Step {
    Object run() throws Exception;
  }

  private static Object sink;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

  /**
   * Warm-up for half the time, then the mean of a timed run: wall time, this thread's CPU time (what other load on
   * the machine skews least) and bytes allocated per call (what sizes sentry's young generation); results kept in a
   * field so the JIT cannot drop them.
   */
  private static void time(String what, double seconds, Step step) throws Exception {
    long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
    while (System.nanoTime() < warmEnd) {
      sink = step.run();
    }
    long self = Thread.currentThread().getId();
    long ops = 0;
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    long bytes0 = THREADS.getThreadAllocatedBytes(self);
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long now;
    do {
      for (int i = 0; i < 16; i++) {
        sink = step.run();
      }
      ops += 16;
    } while ((now = System.nanoTime()) < end);
    double cpuMicros = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e3 / ops;
    long bytes = (THREADS.getThreadAllocatedBytes(self) - bytes0) / ops;
    double micros = (now - start) / 1e3 / ops;
    System.out.printf(Locale.ROOT, "%10.1f us %8.1f us cpu %8d B  %9.0f/s  %s%n", micros, cpuMicros, bytes, 1e6 / micros, what);
  }
}
