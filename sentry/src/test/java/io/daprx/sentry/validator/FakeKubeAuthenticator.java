package io.daprx.sentry.validator;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.utils.ResponseProvider;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The API server's service-account token authenticator, for the fabric8 mock server (whose CRUD mode does
 * not serve TokenReview): it mints projected tokens signed by a "cluster" key and answers TokenReviews by
 * really verifying them (signature, issuer, expiry, audiences), the way kube-apiserver does.
 */
public final class FakeKubeAuthenticator {

  static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
  /** The audience the injector puts on the sidecar's projected token (WIRE.md). */
  static final String SENTRY_AUDIENCE = "spiffe://cluster.local/ns/dapr-system/dapr-sentry";
  static final String PATH = "/apis/authentication.k8s.io/v1/tokenreviews";

  private final ECKey clusterKey = generateKey();
  private final Clock clock;
  private final KubernetesSerialization json = new KubernetesSerialization();
  private final AtomicBoolean down = new AtomicBoolean();

  public FakeKubeAuthenticator(Clock clock) {
    this.clock = clock;
  }

  static ECKey generateKey() {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Answers every TokenReview POST of {@code server} from now on. */
  public void install(KubernetesMockServer server) {
    server.expect().post().withPath(PATH).andReply(new Reviewer()).always();
  }

  /** Makes the API server answer 503 (an outage), or serve again. */
  void setDown(boolean value) {
    down.set(value);
  }

  /** A projected service-account token as the kubelet gets it for the injected sidecar, bound to a pod. */
  public Token token(String namespace, String serviceAccount, String pod) {
    return new Token(namespace, serviceAccount, pod, null, List.of(SENTRY_AUDIENCE),
        clock.instant().plusSeconds(3600), clusterKey);
  }

  /** Builder-ish record so tests change one thing at a time. */
  public record Token(String namespace, String serviceAccount, String pod, String podUid, List<String> audiences, Instant expiresAt, ECKey signer) {

    public Token withPodUid(String uid) {
      return new Token(namespace, serviceAccount, pod, uid, audiences, expiresAt, signer);
    }

    Token withAudiences(String... aud) {
      return new Token(namespace, serviceAccount, pod, podUid, List.of(aud), expiresAt, signer);
    }

    Token expiringAt(Instant at) {
      return new Token(namespace, serviceAccount, pod, podUid, audiences, at, signer);
    }

    Token signedBy(ECKey key) {
      return new Token(namespace, serviceAccount, pod, podUid, audiences, expiresAt, key);
    }

    public String jwt() {
      Map<String, Object> podClaim = new LinkedHashMap<>();
      if (pod != null) {
        podClaim.put("name", pod);
        if (podUid != null) {
          podClaim.put("uid", podUid);
        }
      }
      Map<String, Object> k8s = new LinkedHashMap<>();
      k8s.put("namespace", namespace);
      if (!podClaim.isEmpty()) {
        k8s.put("pod", podClaim);
      }
      k8s.put("serviceaccount", Map.of("name", serviceAccount, "uid", UUID.randomUUID().toString()));
      Instant iat = expiresAt.minusSeconds(3600);
      JWTClaimsSet claims = new JWTClaimsSet.Builder()
          .issuer(ISSUER)
          .subject("system:serviceaccount:" + namespace + ":" + serviceAccount)
          .audience(audiences)
          .issueTime(Date.from(iat))
          .notBeforeTime(Date.from(iat))
          .expirationTime(Date.from(expiresAt))
          .claim("kubernetes.io", k8s)
          .build();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(signer.getKeyID()).build(), claims);
      try {
        jwt.sign(new ECDSASigner(signer));
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
      return jwt.serialize();
    }
  }

  private TokenReview review(TokenReview request) {
    String token = request.getSpec() == null ? null : request.getSpec().getToken();
    List<String> wanted = request.getSpec() == null || request.getSpec().getAudiences() == null || request.getSpec().getAudiences().isEmpty()
        ? List.of(ISSUER) : request.getSpec().getAudiences();
    TokenReviewStatus status;
    try {
      status = authenticate(token, wanted);
    } catch (ParseException | JOSEException | RuntimeException e) {
      status = refused("invalid bearer token, " + e.getClass().getSimpleName());
    }
    return new TokenReviewBuilder(request).withStatus(status).build();
  }

  private TokenReviewStatus authenticate(String token, List<String> wanted) throws ParseException, JOSEException {
    SignedJWT jwt = SignedJWT.parse(token);
    if (!jwt.verify(new ECDSAVerifier(clusterKey.toPublicJWK()))) {
      return refused("invalid bearer token, square/go-jose: error in cryptographic primitive");
    }
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    if (!ISSUER.equals(claims.getIssuer())) {
      return refused("invalid bearer token, token issuer does not match");
    }
    if (claims.getExpirationTime() == null || !claims.getExpirationTime().toInstant().isAfter(clock.instant())) {
      return refused("invalid bearer token, service account token has expired");
    }
    List<String> granted = new ArrayList<>(claims.getAudience());
    granted.retainAll(wanted);
    if (granted.isEmpty()) {
      return refused("invalid bearer token, token audiences " + claims.getAudience() + " is invalid for the target audiences " + wanted);
    }
    Map<String, Object> k8s = claims.getJSONObjectClaim("kubernetes.io");
    String ns = (String) k8s.get("namespace");
    @SuppressWarnings("unchecked")
    String sa = (String) ((Map<String, Object>) k8s.get("serviceaccount")).get("name");
    TokenReviewStatusBuilder status = new TokenReviewStatusBuilder()
        .withAuthenticated(true)
        .withAudiences(granted)
        .withNewUser()
        .withUsername("system:serviceaccount:" + ns + ":" + sa)
        .withGroups("system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated")
        .endUser();
    if (k8s.get("pod") instanceof Map<?, ?> pod) {
      status.editUser()
          .addToExtra("authentication.kubernetes.io/pod-name", List.of(String.valueOf(pod.get("name"))))
          .endUser();
      if (pod.get("uid") != null) {
        status.editUser().addToExtra("authentication.kubernetes.io/pod-uid", List.of(String.valueOf(pod.get("uid")))).endUser();
      }
    }
    return status.build();
  }

  private static TokenReviewStatus refused(String error) {
    return new TokenReviewStatusBuilder().withAuthenticated(false).withNewUser().endUser().withError("[" + error + "]").build();
  }

  /** Computes each reply from the request, as a real authenticator would. */
  private final class Reviewer implements ResponseProvider<Object> {

    private Headers headers = Headers.builder().build();

    @Override
    public int getStatusCode(RecordedRequest request) {
      return down.get() ? 503 : 201;
    }

    @Override
    public Object getBody(RecordedRequest request) {
      if (down.get()) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"ServiceUnavailable\",\"code\":503}";
      }
      return json.asJson(review(json.unmarshal(request.getUtf8Body(), TokenReview.class)));
    }

    @Override
    public Headers getHeaders() {
      return headers;
    }

    @Override
    public void setHeaders(Headers headers) {
      this.headers = headers;
    }
  }
}
