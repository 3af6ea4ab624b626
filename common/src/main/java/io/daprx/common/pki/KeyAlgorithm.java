package io.daprx.common.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;

/** The key types the control plane handles, with the signature algorithm each signs with. */
public enum KeyAlgorithm {
  /** ECDSA on P-256: the CA's own keys and daprd's keys up to 1.17. */
  EC_P256("SHA256withECDSA"),
  /** Ed25519: daprd 1.18's default workload key. */
  ED25519("Ed25519"),
  /** RSA 2048: webhook serving certificates. */
  RSA("SHA256withRSA");

  private final String signatureAlgorithm;

  KeyAlgorithm(String signatureAlgorithm) {
    this.signatureAlgorithm = signatureAlgorithm;
  }

  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  public KeyPair generate() {
    CryptoProviders.ensureInitialised();
    try {
      switch (this) {
        case EC_P256: {
          KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
          g.initialize(new ECGenParameterSpec("secp256r1"));
          return g.generateKeyPair();
        }
        case ED25519:
          return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        case RSA: {
          KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
          g.initialize(2048);
          return g.generateKeyPair();
        }
        default:
          throw new AssertionError(this);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + this + " key: " + e.getMessage(), e);
    }
  }

  /** The algorithm of a public key; throws for key types the control plane does not accept. */
  public static KeyAlgorithm of(PublicKey key) {
    if (key instanceof ECKey ec) {
      if (ec.getParams().getCurve().getField().getFieldSize() != 256) {
        throw new IllegalArgumentException("unsupported EC curve: only P-256 is accepted");
      }
      return EC_P256;
    }
    if (key instanceof RSAKey rsa) {
      if (rsa.getModulus().bitLength() < 2048) {
        throw new IllegalArgumentException("RSA key of " + rsa.getModulus().bitLength() + " bits is too small; at least 2048 are required");
      }
      return RSA;
    }
    String alg = key.getAlgorithm();
    if ("Ed25519".equalsIgnoreCase(alg) || "EdDSA".equalsIgnoreCase(alg)) {
      return ED25519;
    }
    throw new IllegalArgumentException("unsupported key type " + alg + ": use ECDSA P-256, Ed25519 or RSA");
  }
}
