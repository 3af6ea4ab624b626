package io.daprx.injector.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.injector.patch.Pods;

/** AdmissionReview requests as the API server sends them. */
public final class Reviews {

  public static final String DEPLOYMENT_CONTROLLER = "system:serviceaccount:kube-system:replicaset-controller";

  private Reviews() {}

  public static ObjectNode review(String uid, JsonNode pod, String namespace, String username, String... groups) {
    ObjectNode review = Pods.JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    ObjectNode req = review.putObject("request");
    req.put("uid", uid);
    ObjectNode kind = req.putObject("kind");
    kind.put("group", "");
    kind.put("version", "v1");
    kind.put("kind", "Pod");
    ObjectNode resource = req.putObject("resource");
    resource.put("group", "");
    resource.put("version", "v1");
    resource.put("resource", "pods");
    req.put("namespace", namespace);
    req.put("operation", "CREATE");
    ObjectNode user = req.putObject("userInfo");
    user.put("username", username);
    var g = user.putArray("groups");
    g.add("system:serviceaccounts");
    for (String x : groups) {
      g.add(x);
    }
    req.set("object", pod);
    req.put("dryRun", false);
    return review;
  }

  public static byte[] bytes(JsonNode n) {
    try {
      return Pods.JSON.writeValueAsBytes(n);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
