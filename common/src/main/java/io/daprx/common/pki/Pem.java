package io.daprx.common.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM in and out, for certificates, private keys and CSRs; every parse error says what was expected. */
public final class Pem {

  private Pem() {}

  /** Every {@code CERTIFICATE} block of the text, in order; an error if there is none. */
  public static List<X509Certificate> parseCertificates(String pem) {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof X509CertificateHolder holder) {
          out.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      throw new IllegalArgumentException("not valid PEM certificates: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no CERTIFICATE block found");
    }
    return out;
  }

  /** The certificates of a PEM file named by a flag; an unreadable file is an error naming the flag and the file. */
  public static List<X509Certificate> readCertificates(java.nio.file.Path file, String flag) {
    try {
      return parseCertificates(java.nio.file.Files.readString(file));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + flag + " " + file + ": " + e.getMessage(), e);
    }
  }

  public static List<X509Certificate> parseCertificates(byte[] pem) {
    return parseCertificates(new String(pem, StandardCharsets.UTF_8));
  }

  /** The private key of a PEM {@code PRIVATE KEY} (PKCS#8), {@code EC PRIVATE KEY} or {@code RSA PRIVATE KEY} block. */
  public static PrivateKey parsePrivateKey(String pem) {
    CryptoProviders.ensureInitialised();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      while ((o = parser.readObject()) != null) {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a valid PEM private key: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("no PRIVATE KEY block found");
  }

  /**
   * The first {@code CERTIFICATE REQUEST} block (or, as daprd may send, a block typed {@code CERTIFICATE}
   * holding a PKCS#10 request). Fast path: a single PEM block is decoded without a full parser.
   */
  public static PKCS10CertificationRequest parseCsr(byte[] pem) {
    try (PemReader reader = new PemReader(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
      PemObject obj;
      while ((obj = reader.readPemObject()) != null) {
        String type = obj.getType();
        if (type.equals("CERTIFICATE REQUEST") || type.equals("NEW CERTIFICATE REQUEST") || type.equals("CERTIFICATE")) {
          return new PKCS10CertificationRequest(obj.getContent());
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("the CSR is not a valid PEM PKCS#10 request: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("no CERTIFICATE REQUEST PEM block found");
  }

  public static String encode(String type, byte[] der) {
    StringWriter sw = new StringWriter(der.length * 4 / 3 + 80);
    try (PemWriter w = new PemWriter(sw)) {
      w.writeObject(new PemObject(type, der));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sw.toString();
  }

  public static String encodeCertificate(X509Certificate cert) {
    try {
      return encode("CERTIFICATE", cert.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String encodeCertificates(List<X509Certificate> certs) {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate c : certs) {
      sb.append(encodeCertificate(c));
    }
    return sb.toString();
  }

  /** PKCS#8 {@code PRIVATE KEY}, the form Dapr writes for every key type. */
  public static String encodePrivateKey(PrivateKey key) {
    return encode("PRIVATE KEY", key.getEncoded());
  }

  public static String encodeCsr(PKCS10CertificationRequest csr) {
    try {
      return encode("CERTIFICATE REQUEST", csr.getEncoded());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
