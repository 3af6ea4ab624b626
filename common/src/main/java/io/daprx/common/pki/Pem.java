package io.daprx.common.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
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
    byte[] der = singleCsrBlock(pem);
    if (der != null) {
      try {
        return new PKCS10CertificationRequest(der);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("the CSR is not a valid PEM PKCS#10 request: " + e.getMessage(), e);
      }
    }
    try (PemReader reader = new PemReader(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
      PemObject obj;
      while ((obj = reader.readPemObject()) != null) {
        if (CSR_TYPES.contains(obj.getType())) {
          return new PKCS10CertificationRequest(obj.getContent());
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("the CSR is not a valid PEM PKCS#10 request: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("no CERTIFICATE REQUEST PEM block found");
  }

  private static final List<String> CSR_TYPES = List.of("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST", "CERTIFICATE");
  private static final byte[] BEGIN = "-----BEGIN ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "-----END ".getBytes(StandardCharsets.US_ASCII);

  /**
   * The DER of a text that is one CSR block and nothing else but white space (what daprd sends), or null for
   * anything else (several blocks, headers, other types), which the full PEM reader then handles. Why: the
   * reader's buffers cost sentry 21 kB of garbage per request, a third of what a whole issuance allocates.
   */
  private static byte[] singleCsrBlock(byte[] pem) {
    int start = skipSpace(pem, 0);
    if (!regionMatches(pem, start, BEGIN)) {
      return null;
    }
    int typeStart = start + BEGIN.length;
    int typeEnd = indexOf(pem, (byte) '-', typeStart);
    if (typeEnd < 0 || !regionMatches(pem, typeEnd, "-----".getBytes(StandardCharsets.US_ASCII))) {
      return null;
    }
    String type = new String(pem, typeStart, typeEnd - typeStart, StandardCharsets.US_ASCII);
    if (!CSR_TYPES.contains(type)) {
      return null;
    }
    int bodyStart = typeEnd + 5;
    int bodyEnd = indexOf(pem, (byte) '-', bodyStart);
    if (bodyEnd < 0 || !regionMatches(pem, bodyEnd, END)) {
      return null;
    }
    byte[] endLine = ("-----END " + type + "-----").getBytes(StandardCharsets.US_ASCII);
    if (!regionMatches(pem, bodyEnd, endLine) || skipSpace(pem, bodyEnd + endLine.length) != pem.length) {
      return null;
    }
    for (int i = bodyStart; i < bodyEnd; i++) {
      byte b = pem[i];
      boolean base64 = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/' || b == '=';
      if (!base64 && b != '\n' && b != '\r' && b != ' ' && b != '\t') {
        return null; // headers (Proc-Type: ...) or stray text: the full reader says what is wrong
      }
    }
    try {
      return Base64.getMimeDecoder().decode(Arrays.copyOfRange(pem, bodyStart, bodyEnd));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static int skipSpace(byte[] b, int i) {
    while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
      i++;
    }
    return i;
  }

  private static int indexOf(byte[] b, byte c, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static boolean regionMatches(byte[] b, int at, byte[] what) {
    return at + what.length <= b.length && Arrays.equals(b, at, at + what.length, what, 0, what.length);
  }

  /**
   * One PEM block, lines of 64 characters ending in a line feed (what PemWriter wrote on Linux, and Go's
   * encoding/pem), built with the JDK's MIME encoder: PemWriter's buffers made 20 kB of garbage per leaf.
   */
  public static String encode(String type, byte[] der) {
    String body = PEM_BASE64.encodeToString(der);
    StringBuilder sb = new StringBuilder(body.length() + 2 * type.length() + 36);
    sb.append("-----BEGIN ").append(type).append("-----\n");
    if (!body.isEmpty()) {
      sb.append(body).append('\n');
    }
    return sb.append("-----END ").append(type).append("-----\n").toString();
  }

  private static final Base64.Encoder PEM_BASE64 = Base64.getMimeEncoder(64, new byte[] {'\n'});

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
