package io.daprx.sentry.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.daprx.common.spiffe.SpiffeId;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * Signs JWT SVIDs with upstream's claims: {@code sub} the SPIFFE ID, {@code aud}, {@code iat} now, {@code nbf} now minus the
 * allowed clock skew, {@code exp} now plus the TTL, a random {@code jti}, {@code use: sig} (Azure asks for it) and {@code iss}
 * only when one is configured; header {@code alg}, {@code kid}, {@code typ: JWT}. Unlike upstream, {@code exp} never passes
 * the certificate issued with the token: the identity a token asserts lasts no longer than the certificate that proves it.
 */
public final class JwtIssuer {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Supplier<JwtSigningKey> key;
  private final String issuer;
  private final Duration ttl;
  private final Clock clock;

  public JwtIssuer(Supplier<JwtSigningKey> key, JwtOptions options, Clock clock) {
    this.key = key;
    this.issuer = options.issuer();
    this.ttl = options.ttl();
    this.clock = clock;
  }

  /**
   * @param notAfter the certificate's expiry: the token's is capped at it
   * @param clockSkew how far {@code nbf} is back-dated (the certificate's own skew)
   */
  public String issue(SpiffeId subject, List<String> audiences, Instant notAfter, Duration clockSkew) {
    JwtSigningKey k = key.get();
    Instant now = clock.instant();
    Instant exp = now.plus(ttl);
    if (exp.isAfter(notAfter)) {
      exp = notAfter;
    }
    byte[] jti = new byte[16];
    RANDOM.nextBytes(jti);
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .jwtID(HexFormat.of().formatHex(jti))
        .subject(subject.toString())
        .issueTime(Date.from(now))
        .audience(audiences)
        .notBeforeTime(Date.from(now.minus(clockSkew)))
        .claim("use", "sig")
        .expirationTime(Date.from(exp));
    if (issuer != null) {
      claims.issuer(issuer);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(k.algorithm()).keyID(k.keyId()).type(JOSEObjectType.JWT).build(), claims.build());
    try {
      jwt.sign(k.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a JWT for " + subject + " with kid " + k.keyId() + ": " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /** The algorithm tokens are signed with now (the discovery document announces it). */
  public String algorithm() {
    return key.get().algorithm().getName();
  }
}
