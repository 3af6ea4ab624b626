package io.daprx.sentry.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import io.daprx.common.pki.Pem;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;

/**
 * The JWT signing key's life as plain functions: made ({@link #generate}), checked against its JWKS ({@link #open}) and
 * replaced ({@link #rotate}). The key is RSA 2048 for RS/PS algorithms (upstream generates RSA 2048 for its RS256 default),
 * the algorithm's curve for ES ones; its {@code kid} is, as upstream's, the standard-base64 SHA-256 JWK thumbprint.
 */
public final class JwtKeys {

  private static final int RSA_BITS = 2048;

  private JwtKeys() {}

  /** A new key and the JWKS that publishes it. */
  public static JwtKeyMaterial generate(JWSAlgorithm alg, String keyIdOverride) {
    JWK key = newKey(alg, keyIdOverride);
    return new JwtKeyMaterial(pem(key), new JWKSet(key.toPublicJWK()).toString(true));
  }

  /**
   * A new key of the same kind and algorithm as the stored one; the JWKS publishes the new key first and keeps the previous
   * key, so tokens signed before the rotation verify until they expire (and until the next rotation).
   */
  public static JwtKeyMaterial rotate(JwtKeyMaterial current, String where) {
    PrivateKey oldKey = privateKey(current, where);
    JWK oldPublic = publicJwk(oldKey, null, null);
    JWK previous = null;
    for (JWK k : jwks(current, where).getKeys()) {
      if (sameKey(k, oldPublic)) {
        previous = k.toPublicJWK();
        break;
      }
    }
    if (previous == null) {
      throw new IllegalArgumentException(current.jwksJson() == null ? "no JWKS in " + where
          : "the JWKS in " + where + " does not publish the signing key's public key; fix or remove both before rotating");
    }
    // a parsed JWK's alg is a plain Algorithm: compare by name
    JWSAlgorithm named = previous.getAlgorithm() == null ? null : JWSAlgorithm.parse(previous.getAlgorithm().getName());
    JWSAlgorithm alg = named != null && JwtOptions.ALGORITHMS.contains(named) ? named : defaultAlgorithm(oldKey);
    JWK next = newKey(alg, null);
    return new JwtKeyMaterial(pem(next), new JWKSet(List.of(next.toPublicJWK(), previous)).toString(true));
  }

  /**
   * A key brought without its JWKS (a user's own {@code jwt.key}) with the JWKS that publishes it, under the {@code kid} sentry
   * signs with: what relying parties need, derived rather than asked for.
   */
  public static JwtKeyMaterial withJwks(JwtKeyMaterial keyOnly, JWSAlgorithm alg, String keyIdOverride, String where) {
    JWK pub = publicJwk(privateKey(keyOnly, where), alg, keyIdOverride);
    return new JwtKeyMaterial(keyOnly.signingKeyPem(), new JWKSet(pub).toString(true));
  }

  /**
   * The stored key, checked as upstream checks it: readable, fit for {@code alg}, and published in the JWKS under its
   * {@code kid} ({@code keyIdOverride}, else the thumbprint). Every failure says which file and what to do.
   */
  public static JwtSigningKey open(JwtKeyMaterial m, JWSAlgorithm alg, String keyIdOverride, String where) {
    PrivateKey key = privateKey(m, where);
    JWK jwk = publicJwk(key, alg, keyIdOverride);
    JWKSet set = jwks(m, where);
    JWK published = set.getKeyByKeyId(jwk.getKeyID());
    if (published == null || !sameKey(published, jwk)) {
      throw new IllegalArgumentException("the JWKS in " + where + " has no key with kid '" + jwk.getKeyID() + "' matching the JWT signing"
          + " key" + (published == null ? "" : " (that kid names another key)") + ": relying parties could not verify its tokens. Restore"
          + " both files from a backup, or remove both to let sentry generate a new pair");
    }
    JWKSet publicSet = set.toPublicJWKSet();
    return new JwtSigningKey(signer(key, alg), alg, jwk.getKeyID(), publicSet, publicSet.toString(true));
  }

  private static JWK newKey(JWSAlgorithm alg, String keyIdOverride) {
    try {
      KeyPairGenerator g;
      if (JWSAlgorithm.Family.EC.contains(alg)) {
        g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(Curve.forJWSAlgorithm(alg).iterator().next().getStdName()));
      } else {
        g = KeyPairGenerator.getInstance("RSA");
        g.initialize(RSA_BITS);
      }
      KeyPair kp = g.generateKeyPair();
      JWK pub = publicJwk(kp.getPrivate(), alg, keyIdOverride);
      return pub instanceof RSAKey r ? new RSAKey.Builder(r).privateKey(kp.getPrivate()).build()
          : new ECKey.Builder((ECKey) pub).privateKey(kp.getPrivate()).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a JWT signing key for " + alg + ": " + e.getMessage(), e);
    }
  }

  /** The public JWK of a private key, with {@code alg} (when given), {@code use: sig} and the {@code kid}. */
  private static JWK publicJwk(PrivateKey key, JWSAlgorithm alg, String keyIdOverride) {
    try {
      JWK pub;
      if (key instanceof RSAPrivateCrtKey rsa) {
        if (alg != null && !JWSAlgorithm.Family.RSA.contains(alg)) {
          throw new IllegalArgumentException("the JWT signing key is an RSA key, which cannot sign " + alg + ": use RS256, RS384, RS512,"
              + " PS256, PS384 or PS512 (--jwt-signing-algorithm), or an EC key");
        }
        RSAPublicKey p = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        pub = new RSAKey.Builder(p).build();
      } else if (key instanceof ECPrivateKey ec) {
        Curve curve = Curve.forECParameterSpec(ec.getParams());
        if (alg != null && (curve == null || !Curve.forJWSAlgorithm(alg).contains(curve))) {
          throw new IllegalArgumentException("the JWT signing key is an EC key on " + (curve == null ? "an unsupported curve" : curve)
              + ", which cannot sign " + alg + (curve == null ? "" : ": use " + ecAlgorithm(curve) + " (--jwt-signing-algorithm)"));
        }
        // the public point from the private scalar: Q = d·G
        var bcSpec = EC5Util.convertSpec(ec.getParams());
        var q = bcSpec.getG().multiply(ec.getS()).normalize();
        ECPublicKey p = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(EC5Util.convertPoint(q), ec.getParams()));
        pub = new ECKey.Builder(curve, p).build();
      } else {
        throw new IllegalArgumentException("the JWT signing key is a " + key.getAlgorithm() + " key: sentry signs JWTs with RSA or EC (P-256,"
            + " P-384, P-521) keys");
      }
      String kid = keyIdOverride != null ? keyIdOverride : Base64.getEncoder().encodeToString(pub.computeThumbprint("SHA-256").decode());
      return pub instanceof RSAKey r
          ? new RSAKey.Builder(r).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(alg != null ? alg : defaultAlgorithm(key)).build()
          : new ECKey.Builder((ECKey) pub).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(alg != null ? alg : defaultAlgorithm(key)).build();
    } catch (GeneralSecurityException | JOSEException e) {
      throw new IllegalStateException("cannot derive the JWT signing key's public key: " + e.getMessage(), e);
    }
  }

  private static JWSAlgorithm defaultAlgorithm(PrivateKey key) {
    return key instanceof ECPrivateKey ec ? ecAlgorithm(Curve.forECParameterSpec(ec.getParams())) : JWSAlgorithm.RS256;
  }

  private static JWSAlgorithm ecAlgorithm(Curve curve) {
    if (Curve.P_384.equals(curve)) {
      return JWSAlgorithm.ES384;
    }
    return Curve.P_521.equals(curve) ? JWSAlgorithm.ES512 : JWSAlgorithm.ES256;
  }

  private static boolean sameKey(JWK a, JWK b) {
    try {
      return a.getKeyType().equals(b.getKeyType()) && a.computeThumbprint().equals(b.computeThumbprint());
    } catch (JOSEException e) {
      return false;
    }
  }

  private static JWSSigner signer(PrivateKey key, JWSAlgorithm alg) {
    try {
      return key instanceof ECPrivateKey ec ? new ECDSASigner(ec) : new RSASSASigner(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("the JWT signing key cannot sign " + alg + ": " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(JwtKeyMaterial m, String where) {
    if (m.signingKeyPem() == null) {
      throw new IllegalArgumentException("no JWT signing key in " + where);
    }
    try {
      return Pem.parsePrivateKey(m.signingKeyPem());
    } catch (IllegalArgumentException e) {
      // the parser's message names the PEM problem, never the key's bytes
      throw new IllegalArgumentException("the JWT signing key in " + where + " is not a PEM private key (" + e.getMessage()
          + "): restore it from a backup, or remove it and its JWKS to let sentry generate a new pair");
    }
  }

  private static JWKSet jwks(JwtKeyMaterial m, String where) {
    if (m.jwksJson() == null) {
      throw new IllegalArgumentException("the JWT signing key in " + where + " has no JWKS beside it: relying parties could not verify its"
          + " tokens. Restore the JWKS from a backup, or remove the key too to let sentry generate a new pair");
    }
    try {
      return JWKSet.parse(m.jwksJson());
    } catch (ParseException e) {
      throw new IllegalArgumentException("the JWKS in " + where + " is not a JSON Web Key Set: " + e.getMessage());
    }
  }

  private static String pem(JWK key) {
    try {
      PrivateKey pk = key instanceof RSAKey r ? r.toPrivateKey() : ((ECKey) key).toPrivateKey();
      return Pem.encodePrivateKey(pk);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public keys of a JWKS (used to publish it where everyone reads, whatever the stored file holds). */
  public static String publicOnly(String jwksJson) {
    try {
      return JWKSet.parse(jwksJson).toPublicJWKSet().toString(true);
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a JSON Web Key Set: " + e.getMessage());
    }
  }
}
