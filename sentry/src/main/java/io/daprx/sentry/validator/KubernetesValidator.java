package io.daprx.sentry.validator;

import com.nimbusds.jwt.JWTParser;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.sentry.v1.SignCertificateRequest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.text.ParseException;
import java.util.List;
import java.util.Map;

/**
 * The KUBERNETES validator (Dapr's {@code validator/kubernetes}): the API server vouches for the projected
 * service-account token through a TokenReview, and the pod the token is bound to must carry the requested
 * app id (or be a control-plane pod asking for {@code dapr-<x>} in the control-plane namespace).
 */
public final class KubernetesValidator implements Validator {

  static final String SENTRY_AUDIENCE = "dapr.io/sentry";
  static final String APP_ID_ANNOTATION = "dapr.io/app-id";
  static final String CONFIG_ANNOTATION = "dapr.io/config";
  static final String CONTROL_PLANE_ANNOTATION = "dapr.io/control-plane";
  static final String POD_NAME_EXTRA = "authentication.kubernetes.io/pod-name";
  static final String CONTROL_PLANE_PREFIX = "dapr-";

  private static final String API_ERROR = "could not verify the token with the Kubernetes API";
  private static final String ID_MISMATCH = "pod identity does not match the requested id";
  // Named explicitly so no discovery call (and no discovery RBAC) is needed.
  private static final ResourceDefinitionContext CONFIGURATIONS = new ResourceDefinitionContext.Builder()
      .withGroup("dapr.io").withVersion("v1alpha1").withKind("Configuration").withPlural("configurations").withNamespaced(true)
      .build();

  private final KubernetesClient client;
  private final List<String> audiences;
  private final String controlPlaneNamespace;
  private final String controlPlaneTrustDomain;

  public KubernetesValidator(KubernetesClient client, SpiffeId sentryId, String controlPlaneNamespace, String controlPlaneTrustDomain) {
    this.client = client;
    this.audiences = List.of(SENTRY_AUDIENCE, sentryId.toString());
    this.controlPlaneNamespace = controlPlaneNamespace;
    this.controlPlaneTrustDomain = controlPlaneTrustDomain;
  }

  @Override
  public SpiffeId validate(SignCertificateRequest request) throws ValidationException {
    if (request.getToken().isEmpty()) {
      throw new ValidationException("token is required");
    }
    String ns = request.getNamespace();
    String id = request.getId();
    Caller caller = review(request.getToken());
    if (!caller.namespace().equals(ns)) {
      throw new ValidationException("token namespace does not match the requested namespace",
          "service account " + caller.namespace() + "/" + caller.serviceAccount() + " asked for namespace " + ns);
    }
    Pod pod = pod(ns, caller.podName());
    String podSa = pod.getSpec() == null ? null : pod.getSpec().getServiceAccountName();
    if (!caller.serviceAccount().equals(podSa)) {
      throw new ValidationException(ID_MISMATCH, "token of service account " + caller.serviceAccount() + " but pod "
          + ns + "/" + caller.podName() + " runs as " + podSa);
    }
    if (caller.podUid() != null && pod.getMetadata().getUid() != null && !caller.podUid().equals(pod.getMetadata().getUid())) {
      throw new ValidationException(ID_MISMATCH, "token bound to an earlier pod named " + ns + "/" + caller.podName());
    }
    Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
    String controlPlane = annotations.get(CONTROL_PLANE_ANNOTATION);
    boolean inControlPlaneNamespace = ns.equals(controlPlaneNamespace);
    if (inControlPlaneNamespace && controlPlane != null && !controlPlane.isEmpty() && id.equals(CONTROL_PLANE_PREFIX + controlPlane)) {
      String td = request.getTrustDomain().isEmpty() ? controlPlaneTrustDomain : request.getTrustDomain();
      return spiffeId(td, ns, id);
    }
    // Without this an app pod in the control-plane namespace could name itself dapr-sentry and get that identity.
    if (inControlPlaneNamespace && id.startsWith(CONTROL_PLANE_PREFIX)) {
      throw new ValidationException("control-plane identities are reserved to control-plane pods",
          "pod " + ns + "/" + pod.getMetadata().getName() + " (" + CONTROL_PLANE_ANNOTATION + "=" + controlPlane + ") asked for " + id);
    }
    String appId = annotations.getOrDefault(APP_ID_ANNOTATION, pod.getMetadata().getName());
    if (!id.equals(appId)) {
      throw new ValidationException(ID_MISMATCH, "pod " + ns + "/" + pod.getMetadata().getName() + " has app id " + appId + ", asked for " + id);
    }
    return spiffeId(appTrustDomain(ns, annotations.get(CONFIG_ANNOTATION)), ns, id);
  }

  /** Who the API server says the token belongs to. */
  private record Caller(String namespace, String serviceAccount, String podName, String podUid) {
  }

  private Caller review(String token) throws ValidationException {
    TokenReview reviewed;
    try {
      reviewed = client.authentication().v1().tokenReviews().create(new TokenReviewBuilder()
          .withNewSpec().withToken(token).withAudiences(audiences).endSpec()
          .build());
    } catch (KubernetesClientException e) {
      throw new ValidationException(API_ERROR, "TokenReview failed: HTTP " + e.getCode());
    }
    TokenReviewStatus status = reviewed == null ? null : reviewed.getStatus();
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated()) || (status.getError() != null && !status.getError().isEmpty())) {
      throw new ValidationException("token is not valid", "TokenReview refused the token: " + (status == null ? "no status" : status.getError()));
    }
    UserInfo user = status.getUser();
    String[] name = user == null || user.getUsername() == null ? new String[0] : user.getUsername().split(":", -1);
    if (name.length != 4 || !"system".equals(name[0]) || !"serviceaccount".equals(name[1]) || name[2].isEmpty() || name[3].isEmpty()) {
      throw new ValidationException("token is not a service account token", "TokenReview user " + (user == null ? null : user.getUsername()));
    }
    Map<String, Object> podClaim = podClaim(token);
    String podName = podClaim.get("name") instanceof String s ? s : podNameFromExtra(user);
    if (podName == null || podName.isEmpty()) {
      throw new ValidationException("token is not bound to a pod", "no kubernetes.io.pod.name claim and no " + POD_NAME_EXTRA);
    }
    return new Caller(name[2], name[3], podName, podClaim.get("uid") instanceof String s ? s : null);
  }

  /** The {@code kubernetes.io.pod} claim; read without verification because the TokenReview already vouched for the token. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> podClaim(String token) {
    try {
      Map<String, Object> k8s = JWTParser.parse(token).getJWTClaimsSet().getJSONObjectClaim("kubernetes.io");
      return k8s != null && k8s.get("pod") instanceof Map<?, ?> pod ? (Map<String, Object>) pod : Map.of();
    } catch (ParseException | ClassCastException e) {
      return Map.of();
    }
  }

  private static String podNameFromExtra(UserInfo user) {
    List<String> values = user.getExtra() == null ? null : user.getExtra().get(POD_NAME_EXTRA);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private Pod pod(String ns, String name) throws ValidationException {
    Pod pod;
    try {
      pod = client.pods().inNamespace(ns).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new ValidationException(API_ERROR, "reading pod " + ns + "/" + name + " failed: HTTP " + e.getCode());
    }
    if (pod == null || pod.getMetadata() == null) {
      throw new ValidationException("the token's pod does not exist", "pod " + ns + "/" + name + " not found");
    }
    return pod;
  }

  /** The trust domain of the app's Dapr Configuration; Dapr's default when there is none. */
  private String appTrustDomain(String ns, String configName) throws ValidationException {
    if (configName == null || configName.isEmpty()) {
      return InsecureValidator.DEFAULT_APP_TRUST_DOMAIN;
    }
    GenericKubernetesResource config;
    try {
      config = client.genericKubernetesResources(CONFIGURATIONS).inNamespace(ns).withName(configName).get();
    } catch (KubernetesClientException e) {
      throw new ValidationException(API_ERROR, "reading Configuration " + ns + "/" + configName + " failed: HTTP " + e.getCode());
    }
    Object td = config == null ? null : config.get("spec", "accessControl", "trustDomain");
    return td instanceof String s && !s.isEmpty() ? s : InsecureValidator.DEFAULT_APP_TRUST_DOMAIN;
  }

  private static SpiffeId spiffeId(String td, String ns, String id) throws ValidationException {
    try {
      return SpiffeId.of(td, ns, id);
    } catch (IllegalArgumentException e) {
      throw new ValidationException("invalid identity: " + e.getMessage());
    }
  }
}
