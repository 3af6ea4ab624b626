package io.daprx.manager.api;

import io.daprx.common.io.AtomicFiles;
import io.daprx.common.pki.Certs;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The management server's TLS, on the same port as its plain HTTP: kubectl sends a bearer token only over TLS, so the
 * Kubernetes API a kubeconfig points at must be https. A CA of the server's own (kept in its home, owner-only, ten
 * years) signs a serving certificate for the loopback names (a year, made afresh at start once two thirds of it passed);
 * a kubeconfig carries the CA, so a renewed serving certificate needs no new kubeconfig.
 */
public final class ApiTls {

  static final Duration CA_LIFE = Duration.ofDays(3650);
  static final Duration SERVING_LIFE = Duration.ofDays(365);
  private static final Duration SKEW = Duration.ofMinutes(5);

  private final X509Certificate ca;
  private final X509Certificate serving;
  private final PrivateKey servingKey;

  private ApiTls(X509Certificate ca, X509Certificate serving, PrivateKey servingKey) {
    this.ca = ca;
    this.serving = serving;
    this.servingKey = servingKey;
  }

  /** The CA and serving certificate in {@code dir}, made there when missing and the latter renewed when due. */
  public static ApiTls loadOrCreate(Path dir, Clock clock) {
    Path caCrt = dir.resolve("ca.crt");
    Path caKey = dir.resolve("ca.key");
    Path crt = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    Instant now = clock.instant();
    try {
      Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
      X509Certificate ca;
      PrivateKey caPrivate;
      if (Files.exists(caCrt) && Files.exists(caKey)) {
        ca = Pem.parseCertificates(Files.readString(caCrt)).get(0);
        caPrivate = Pem.parsePrivateKey(Files.readString(caKey));
      } else {
        KeyPair keys = KeyAlgorithm.EC_P256.generate();
        ca = sign(keys, keys.getPrivate(), new X500Name("CN=daprx management server CA"), new X500Name("CN=daprx management server CA"),
            now, CA_LIFE, true);
        caPrivate = keys.getPrivate();
        AtomicFiles.replace(caKey, Pem.encodePrivateKey(caPrivate).getBytes(StandardCharsets.US_ASCII));
        AtomicFiles.replace(caCrt, Pem.encodeCertificate(ca).getBytes(StandardCharsets.US_ASCII));
        Files.deleteIfExists(crt); // a serving certificate of another CA is of no use
      }
      if (Files.exists(crt) && Files.exists(key)) {
        X509Certificate serving = Pem.parseCertificates(Files.readString(crt)).get(0);
        if (!due(serving, now) && serving.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
          return new ApiTls(ca, serving, Pem.parsePrivateKey(Files.readString(key)));
        }
      }
      KeyPair keys = KeyAlgorithm.EC_P256.generate();
      X509Certificate serving = sign(keys, caPrivate, X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
          new X500Name("CN=daprx management server"), now, SERVING_LIFE, false);
      AtomicFiles.replace(key, Pem.encodePrivateKey(keys.getPrivate()).getBytes(StandardCharsets.US_ASCII));
      AtomicFiles.replace(crt, Pem.encodeCertificate(serving).getBytes(StandardCharsets.US_ASCII));
      return new ApiTls(ca, serving, keys.getPrivate());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the management server's TLS files in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Renewed once two thirds of its life passed: a long-running server is restarted well before it expires. */
  static boolean due(X509Certificate c, Instant now) {
    Instant from = Certs.notBefore(c);
    Instant to = Certs.notAfter(c);
    return !now.isBefore(from.plus(Duration.between(from, to).multipliedBy(2).dividedBy(3)));
  }

  /** The CA a client trusts the server with, PEM. */
  public String caPem() {
    return Pem.encodeCertificate(ca);
  }

  /**
   * One connector that speaks TLS to a client that starts a TLS handshake and plain HTTP to one that does not, so the
   * CLI's address stays what it was and kubectl gets https on the same port.
   */
  public ServerConnector connector(Server server, HttpConfiguration http, String host, int port) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(keyStore());
    ssl.setKeyStorePassword("");
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    HttpConnectionFactory plain = new HttpConnectionFactory(http);
    SslConnectionFactory tls = new SslConnectionFactory(ssl, plain.getProtocol());
    ServerConnector c = new ServerConnector(server, new DetectorConnectionFactory(tls), plain);
    c.setHost(host);
    c.setPort(port);
    return c;
  }

  private KeyStore keyStore() {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("serving", servingKey, new char[0], new Certificate[] {serving, ca});
      return ks;
    } catch (Exception e) {
      throw new IllegalStateException("cannot hold the serving key in a key store: " + e.getMessage(), e);
    }
  }

  private static X509Certificate sign(KeyPair subjectKeys, PrivateKey issuerKey, X500Name issuer, X500Name subject, Instant now,
      Duration life, boolean isCa) {
    try {
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, Certs.serial(),
          Date.from(now.minus(SKEW)), Date.from(now.plus(life)), subject, subjectKeys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      if (isCa) {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.iPAddress, "::1"),
            new GeneralName(GeneralName.dNSName, "localhost")}));
      }
      return new JcaX509CertificateConverter().getCertificate(b.build(Certs.signer(issuerKey, KeyAlgorithm.EC_P256)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot make the management server's certificate: " + e.getMessage(), e);
    }
  }
}
