package io.daprx.sentry.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.StringValue;
import com.google.protobuf.Timestamp;
import io.daprx.common.pki.CryptoProviders;
import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.sentry.v1.CAGrpc;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.daprx.proto.sentry.v1.SignCertificateResponse;
import io.daprx.sentry.ca.IssuancePolicy;
import io.daprx.sentry.ca.IssuedCertificate;
import io.daprx.sentry.ca.Signer;
import io.daprx.sentry.jwt.JwtIssuer;
import io.daprx.sentry.validator.ValidationException;
import io.daprx.sentry.validator.Validator;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dapr.proto.sentry.v1.CA} service: checks the form of a request, lets the chosen validator
 * decide the identity, checks the CSR and signs. Failures map to a status code with a short description;
 * details go to debug logs only.
 */
public final class CaService extends CAGrpc.CAImplBase {

  /** Largest CSR accepted; a real one is well under 1 KiB. */
  public static final int MAX_CSR_BYTES = 16 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(CaService.class);

  private final Signer signer;
  private final Map<TokenValidator, Validator> validators;
  private final TokenValidator defaultValidator;
  private final Supplier<IssuancePolicy> policy;
  private final String controlPlaneNamespace;
  private final String clusterDomain;
  private final SentryMetrics metrics;
  private final JwtIssuer jwt;

  /** A CA service that issues certificates only (JWT SVIDs off). */
  public CaService(Signer signer, Map<TokenValidator, Validator> validators, TokenValidator defaultValidator,
      Supplier<IssuancePolicy> policy, String controlPlaneNamespace, String clusterDomain, SentryMetrics metrics) {
    this(signer, validators, defaultValidator, policy, controlPlaneNamespace, clusterDomain, metrics, null);
  }

  /**
   * @param policy the TTL and clock skew in force, read once per request
   * @param clusterDomain the domain of the scheduler replicas' DNS names ({@code <pod>.dapr-scheduler-server.<ns>.svc.<domain>})
   * @param jwt signs the JWT SVIDs answered with each certificate; null when JWT issuing is off
   */
  public CaService(Signer signer, Map<TokenValidator, Validator> validators, TokenValidator defaultValidator,
      Supplier<IssuancePolicy> policy, String controlPlaneNamespace, String clusterDomain, SentryMetrics metrics, JwtIssuer jwt) {
    this.jwt = jwt;
    this.signer = signer;
    this.validators = new EnumMap<>(validators);
    this.defaultValidator = defaultValidator;
    this.policy = policy;
    this.controlPlaneNamespace = controlPlaneNamespace;
    this.clusterDomain = clusterDomain;
    this.metrics = metrics;
  }

  @Override
  public void signCertificate(SignCertificateRequest request, StreamObserver<SignCertificateResponse> out) {
    metrics.received();
    try {
      SignCertificateResponse response = sign(request);
      metrics.issued(); // counted before the answer leaves, so a caller that reads the metric next sees it
      out.onNext(response);
      out.onCompleted();
    } catch (StatusException e) {
      out.onError(e);
    } catch (RuntimeException e) {
      LOG.error("signing a certificate for {}/{} failed", request.getNamespace(), request.getId(), e);
      metrics.failed("internal");
      out.onError(Status.INTERNAL.withDescription("failed to sign certificate").asException());
    }
  }

  /** The whole request, as a plain method so tests and benchmarks can call it without gRPC. */
  public SignCertificateResponse sign(SignCertificateRequest req) throws StatusException {
    try {
      SpiffeId.requireValidAppId(req.getId());
      SpiffeId.requireValidNamespace(req.getNamespace());
      if (!req.getTrustDomain().isEmpty()) {
        SpiffeId.requireValidTrustDomain(req.getTrustDomain());
      }
    } catch (IllegalArgumentException e) {
      throw fail("invalid_request", Status.INVALID_ARGUMENT, e.getMessage(), null);
    }
    if (req.getNamespace().equals(controlPlaneNamespace) && req.getId().equals(SpiffeId.MANAGER_APP_ID)) {
      // the scheduler's admin API trusts this identity; the manager mints it from the issuer, nobody asks sentry
      throw fail("validation", Status.PERMISSION_DENIED, "failed to validate request: " + controlPlaneNamespace + "/"
          + SpiffeId.MANAGER_APP_ID + " is reserved to the management server and is never signed by sentry", null);
    }
    PKCS10CertificationRequest csr = parseCsr(req);
    TokenValidator tv = req.getTokenValidator() == TokenValidator.UNKNOWN ? defaultValidator : req.getTokenValidator();
    Validator validator = tv == TokenValidator.UNRECOGNIZED ? null : validators.get(tv);
    if (validator == null) {
      throw fail("invalid_validator", Status.INVALID_ARGUMENT, "token validator " + req.getTokenValidatorValue() + " ("
          + tv + ") is not enabled on this sentry; enabled: " + validators.keySet().stream().map(Enum::name).collect(Collectors.joining(", ")), null);
    }
    SpiffeId id;
    try {
      id = validator.validate(req);
    } catch (ValidationException e) {
      throw fail("validation", Status.PERMISSION_DENIED, "failed to validate request: " + e.getMessage(),
          req.getNamespace() + "/" + req.getId() + ": " + e.detail());
    }
    List<String> audiences = jwt == null ? List.of() : audiences(id, req);
    if (jwt == null && req.getJwtAudiencesCount() > 0) {
      LOG.debug("{} asked for JWTs for {} audience(s) but JWT issuing is off on this sentry (--jwt-enabled): certificate only", id,
          req.getJwtAudiencesCount());
    }
    SubjectPublicKeyInfo key = checkCsr(csr);
    IssuancePolicy p = policy.get();
    IssuedCertificate cert = signer.sign(key, id, dnsNames(req), p);
    SignCertificateResponse.Builder out = SignCertificateResponse.newBuilder()
        .setWorkloadCertificate(ByteString.copyFromUtf8(cert.chainPem()))
        .addTrustChainCertificates(ByteString.copyFromUtf8(cert.trustAnchorsPem()))
        .setValidUntil(Timestamp.newBuilder().setSeconds(cert.notAfter().getEpochSecond()).setNanos(cert.notAfter().getNano()));
    if (jwt != null) {
      // as upstream: one token for all the audiences, and one per audience with exactly that aud (for relying parties
      // that insist on a single audience)
      out.setJwt(StringValue.of(jwt.issue(id, audiences, cert.notAfter(), p.allowedClockSkew())));
      for (String aud : audiences) {
        out.putPerAudienceJwts(aud, StringValue.of(jwt.issue(id, List.of(aud), cert.notAfter(), p.allowedClockSkew())));
      }
      LOG.debug("issued JWT SVIDs for {} with audiences {}", id, audiences); // never the tokens: they are bearer credentials
    }
    return out.build();
  }

  /** Most audiences a request may ask tokens for, and the longest one: daprd asks for a few, each a URI or a short name. */
  static final int MAX_JWT_AUDIENCES = 32;
  static final int MAX_JWT_AUDIENCE_LENGTH = 512;

  /** The identity's trust domain first (upstream's default audience), then the requested ones, without repeats. */
  private List<String> audiences(SpiffeId id, SignCertificateRequest req) throws StatusException {
    if (req.getJwtAudiencesCount() > MAX_JWT_AUDIENCES) {
      throw fail("invalid_request", Status.INVALID_ARGUMENT, "jwt_audiences has " + req.getJwtAudiencesCount() + " entries; at most "
          + MAX_JWT_AUDIENCES + " are accepted", null);
    }
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    out.add(id.trustDomain());
    for (int i = 0; i < req.getJwtAudiencesCount(); i++) {
      String a = req.getJwtAudiences(i);
      if (a.isBlank() || a.length() > MAX_JWT_AUDIENCE_LENGTH) {
        throw fail("invalid_request", Status.INVALID_ARGUMENT, "jwt_audiences[" + i + "] must be a non-empty audience of at most "
            + MAX_JWT_AUDIENCE_LENGTH + " characters", null);
      }
      out.add(a);
    }
    return List.copyOf(out);
  }

  private PKCS10CertificationRequest parseCsr(SignCertificateRequest req) throws StatusException {
    ByteString raw = req.getCertificateSigningRequest();
    if (raw.isEmpty()) {
      throw fail("invalid_csr", Status.INVALID_ARGUMENT, "certificate_signing_request is required", null);
    }
    if (raw.size() > MAX_CSR_BYTES) {
      throw fail("invalid_csr", Status.INVALID_ARGUMENT, "certificate_signing_request is " + raw.size() + " bytes; at most "
          + MAX_CSR_BYTES + " are accepted", null);
    }
    try {
      return io.daprx.common.pki.Pem.parseCsr(raw.toByteArray());
    } catch (IllegalArgumentException e) {
      throw fail("invalid_csr", Status.INVALID_ARGUMENT, "invalid certificate signing request: not a PEM PKCS#10 request", e.getMessage());
    }
  }

  /** The signature algorithms a CSR may be signed with, by key type (the ones Go's x509 and openssl use). */
  private static final Map<ASN1ObjectIdentifier, String> EC_SIGNATURES = Map.of(
      X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA",
      X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA",
      X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA");
  private static final Map<ASN1ObjectIdentifier, String> RSA_SIGNATURES = Map.of(
      PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA256withRSA",
      PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA384withRSA",
      PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA512withRSA");

  /**
   * Key type allowed and the CSR signed by its own key (proof of possession), checked with one plain JCA
   * verification on the signing provider (BouncyCastle's content verifier checks ECDSA twice).
   */
  private SubjectPublicKeyInfo checkCsr(PKCS10CertificationRequest csr) throws StatusException {
    SubjectPublicKeyInfo spki = csr.getSubjectPublicKeyInfo();
    ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
    ASN1ObjectIdentifier sigAlg = csr.getSignatureAlgorithm().getAlgorithm();
    KeyAlgorithm keyType;
    String jcaSignature;
    if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      if (!SECObjectIdentifiers.secp256r1.equals(spki.getAlgorithm().getParameters())) {
        throw fail("invalid_csr", Status.INVALID_ARGUMENT, "unsupported EC curve in CSR: only P-256 is accepted", null);
      }
      keyType = KeyAlgorithm.EC_P256;
      jcaSignature = EC_SIGNATURES.get(sigAlg);
    } else if (alg.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      try {
        int bits = ((RSAKeyParameters) PublicKeyFactory.createKey(spki)).getModulus().bitLength();
        if (bits < 2048) {
          throw fail("invalid_csr", Status.INVALID_ARGUMENT, "RSA key of " + bits + " bits in CSR is too small; at least 2048 are required", null);
        }
      } catch (java.io.IOException | RuntimeException e) {
        // the caller's DER, read by BouncyCastle, which says what it dislikes with assorted runtime exceptions
        // ("RSA modulus has a small prime factor", "non-octet aligned data from BIT STRING", ...): all a bad key
        throw fail("invalid_csr", Status.INVALID_ARGUMENT, "invalid RSA public key in CSR", e.getMessage());
      }
      keyType = KeyAlgorithm.RSA;
      jcaSignature = RSA_SIGNATURES.get(sigAlg);
    } else if (alg.equals(EdECObjectIdentifiers.id_Ed25519)) {
      keyType = KeyAlgorithm.ED25519;
      jcaSignature = sigAlg.equals(EdECObjectIdentifiers.id_Ed25519) ? "Ed25519" : null;
    } else {
      throw fail("invalid_csr", Status.INVALID_ARGUMENT, "unsupported key type in CSR (" + alg.getId() + "): use ECDSA P-256, Ed25519 or RSA", null);
    }
    if (jcaSignature == null) {
      throw fail("invalid_csr", Status.INVALID_ARGUMENT, "the CSR's signature algorithm (" + sigAlg.getId()
          + ") does not go with its " + keyType + " key", null);
    }
    boolean ok;
    try {
      PublicKey key = CryptoProviders.keyFactory(keyType).generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
      Signature verifier = Signature.getInstance(jcaSignature, CryptoProviders.signatureProvider(jcaSignature));
      verifier.initVerify(key);
      verifier.update(csr.toASN1Structure().getCertificationRequestInfo().getEncoded());
      ok = verifier.verify(csr.getSignature());
    } catch (Exception e) {
      throw fail("invalid_csr", Status.INVALID_ARGUMENT, "invalid certificate signing request: cannot check its signature", e.toString());
    }
    if (!ok) {
      throw fail("invalid_csr", Status.INVALID_ARGUMENT, "invalid certificate signing request: its signature does not match its public key", null);
    }
    return spki;
  }

  /** Control-plane serving certificates also carry the DNS names their Kubernetes Services or pods are reached by (as upstream). */
  private List<String> dnsNames(SignCertificateRequest req) {
    if (!req.getNamespace().equals(controlPlaneNamespace)) {
      return List.of();
    }
    return switch (req.getId()) {
      case "dapr-injector" -> List.of("dapr-sidecar-injector." + controlPlaneNamespace + ".svc");
      case "dapr-operator" -> List.of("dapr-webhook." + controlPlaneNamespace + ".svc");
      // the scheduler's embedded etcd checks its peers by these names, in every replica's certificate alike
      case "dapr-scheduler" -> List.of(0, 1, 2).stream()
          .map(i -> "dapr-scheduler-server-" + i + ".dapr-scheduler-server." + controlPlaneNamespace + ".svc." + clusterDomain).toList();
      default -> List.of();
    };
  }

  private StatusException fail(String reason, Status status, String description, String detail) {
    metrics.failed(reason);
    if (detail != null) {
      LOG.debug("sign request refused ({}): {} — {}", status.getCode(), description, detail);
    } else {
      LOG.debug("sign request refused ({}): {}", status.getCode(), description);
    }
    return status.withDescription(description).asException();
  }
}
