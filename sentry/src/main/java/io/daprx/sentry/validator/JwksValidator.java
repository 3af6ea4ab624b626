package io.daprx.sentry.validator;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The JWKS validator (Dapr's {@code validator/jwks}): the token is a JWT signed by a key of the configured
 * JWKS, with {@code aud} = sentry's SPIFFE ID and {@code sub} = the SPIFFE ID requested.
 */
public final class JwksValidator implements Validator {

  /** Leeway on exp/nbf for clocks that disagree (Dapr's value). */
  public static final int MAX_CLOCK_SKEW_SECONDS = 300;

  private static final Set<JWSAlgorithm> JCA_ALGORITHMS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.ES256, JWSAlgorithm.ES384);
  private static final Set<JWSAlgorithm> ED_ALGORITHMS = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  public JwksValidator(String source, SpiffeId sentryId, Clock clock) {
    JWKSource<SecurityContext> keys = keySource(source);
    processor.setJWSKeySelector(new KeySelector(keys, new JWSVerificationKeySelector<>(JCA_ALGORITHMS, keys)));
    processor.setJWSVerifierFactory(new VerifierFactory());
    // Dapr's validator does not look at "typ"; issuers set it to JWT, at+jwt or nothing.
    processor.setJWSTypeVerifier((type, context) -> { });
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        Set.of(sentryId.toString()), null, Set.of("aud", "sub", "exp"), null) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    claims.setMaxClockSkew(MAX_CLOCK_SKEW_SECONDS);
    processor.setJWTClaimsSetVerifier(claims);
  }

  @Override
  public SpiffeId validate(SignCertificateRequest request) throws ValidationException {
    if (request.getToken().isEmpty()) {
      throw new ValidationException("token is required");
    }
    String td = request.getTrustDomain().isEmpty() ? InsecureValidator.DEFAULT_APP_TRUST_DOMAIN : request.getTrustDomain();
    SpiffeId expected;
    try {
      expected = SpiffeId.of(td, request.getNamespace(), request.getId());
    } catch (IllegalArgumentException e) {
      throw new ValidationException("invalid identity: " + e.getMessage());
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(request.getToken(), null);
    } catch (KeySourceException e) {
      throw new ValidationException("could not fetch the keys to verify the token", "JWKS: " + e.getMessage());
    } catch (ParseException | BadJOSEException | JOSEException e) {
      // A parse error may quote what it could not parse; keep the token itself out of the logs.
      throw new ValidationException("token is not valid", String.valueOf(e.getMessage()).replace(request.getToken(), "<token>"));
    }
    if (!expected.toString().equals(claims.getSubject())) {
      throw new ValidationException("token subject does not match the requested identity",
          "sub " + claims.getSubject() + ", asked for " + expected);
    }
    return expected;
  }

  private static JWKSource<SecurityContext> keySource(String source) {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("the JWKS validator needs a JWKS file path or http(s) URL");
    }
    if (source.startsWith("http://") || source.startsWith("https://")) {
      try {
        // Cached, refreshed when a token names an unknown key (rate limited), retried once on a network error.
        // No refresh-ahead: it runs on an executor thread that nothing here would ever shut down.
        return JWKSourceBuilder.<SecurityContext>create(URI.create(source).toURL()).refreshAheadCache(false).retrying(true).build();
      } catch (IllegalArgumentException | MalformedURLException e) {
        throw new IllegalArgumentException("invalid JWKS URL " + source + ": " + e.getMessage(), e);
      }
    }
    Path file = Path.of(source);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("JWKS file " + file.toAbsolutePath() + " does not exist");
    }
    try {
      JWKSet set = JWKSet.load(file.toFile());
      if (set.getKeys().isEmpty()) {
        throw new IllegalArgumentException("JWKS file " + file.toAbsolutePath() + " has no keys");
      }
      return new ImmutableJWKSet<>(set);
    } catch (IOException | ParseException e) {
      throw new IllegalArgumentException("JWKS file " + file.toAbsolutePath() + " is not a JSON Web Key Set: " + e.getMessage(), e);
    }
  }

  /**
   * nimbus verifies Ed25519 only through Google Tink, which is not on our classpath, and cannot turn an OKP
   * JWK into a {@link PublicKey}; the JDK (15+) verifies Ed25519 itself, so EdDSA keys take this path.
   */
  private record KeySelector(JWKSource<SecurityContext> keys, JWSKeySelector<SecurityContext> jca) implements JWSKeySelector<SecurityContext> {

    // DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410), followed by the 32 raw key bytes.
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    @Override
    public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
      if (!ED_ALGORITHMS.contains(header.getAlgorithm())) {
        return jca.selectJWSKeys(header, context);
      }
      List<Key> out = new ArrayList<>();
      for (JWK jwk : keys.get(new JWKSelector(JWKMatcher.forJWSHeader(header)), context)) {
        if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve()) && okp.getX() != null) {
          out.add(ed25519(okp.getX().decode()));
        }
      }
      return out;
    }

    private static PublicKey ed25519(byte[] raw) throws KeySourceException {
      byte[] der = new byte[ED25519_SPKI_PREFIX.length + raw.length];
      System.arraycopy(ED25519_SPKI_PREFIX, 0, der, 0, ED25519_SPKI_PREFIX.length);
      System.arraycopy(raw, 0, der, ED25519_SPKI_PREFIX.length, raw.length);
      try {
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        throw new KeySourceException("invalid Ed25519 key in the JWKS: " + e.getMessage(), e);
      }
    }
  }

  /** nimbus's verifiers for RSA and EC, the JDK's for Ed25519. */
  private static final class VerifierFactory implements JWSVerifierFactory {

    private final DefaultJWSVerifierFactory jca = new DefaultJWSVerifierFactory();

    @Override
    public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
      if (ED_ALGORITHMS.contains(header.getAlgorithm()) && key instanceof PublicKey publicKey) {
        return new Ed25519Verifier(publicKey, jca.getJCAContext());
      }
      return jca.createJWSVerifier(header, key);
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      Set<JWSAlgorithm> all = new HashSet<>(jca.supportedJWSAlgorithms());
      all.addAll(ED_ALGORITHMS);
      return all;
    }

    @Override
    public JCAContext getJCAContext() {
      return jca.getJCAContext();
    }
  }

  private record Ed25519Verifier(PublicKey key, JCAContext jcaContext) implements JWSVerifier {

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
      // No critical header parameter is understood here, so any makes the token unacceptable (RFC 7515 4.1.11).
      if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
        return false;
      }
      try {
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(key);
        verifier.update(signingInput);
        return verifier.verify(signature.decode());
      } catch (GeneralSecurityException e) {
        throw new JOSEException("Ed25519 verification failed: " + e.getMessage(), e);
      }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return ED_ALGORITHMS;
    }

    @Override
    public JCAContext getJCAContext() {
      return jcaContext;
    }
  }
}
