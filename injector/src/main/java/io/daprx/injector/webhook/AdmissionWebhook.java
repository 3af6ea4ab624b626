package io.daprx.injector.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.injector.patch.PodPatch;
import io.daprx.injector.patch.PodPatch.Outcome;
import io.daprx.injector.patch.SidecarSettings;
import io.daprx.injector.webhook.InjectorMetrics.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AdmissionReview ({@code admission.k8s.io/v1}) in, one out: the checks of who asks and for what, then
 * {@link PodPatch} for the pod. No I/O here beyond logging, so tests drive it with bytes.
 */
public final class AdmissionWebhook {

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionWebhook.class);
  public static final String API_VERSION = "admission.k8s.io/v1";
  public static final String KIND = "AdmissionReview";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<SidecarSettings> settings;
  private final Requesters requesters;
  private final InjectorMetrics metrics;

  /** What to send back: HTTP status, body and the result it counts as. */
  public record Answer(int status, String contentType, byte[] body, Result result) {}

  /** @param settings read per request, so new trust anchors reach the next pod */
  public AdmissionWebhook(Supplier<SidecarSettings> settings, Requesters requesters, InjectorMetrics metrics) {
    this.settings = settings;
    this.requesters = requesters;
    this.metrics = metrics;
  }

  /** Answers one request body; never throws. */
  public Answer handle(byte[] body) {
    long start = System.nanoTime();
    Answer a;
    try {
      a = review(body);
    } catch (BadReview e) {
      a = badRequest(e.getMessage());
    } catch (RuntimeException e) {
      // a review shaped in a way no check foresaw: logged whole here, a short answer to the client, never a stack trace
      LOG.warn("cannot answer an AdmissionReview", e);
      a = badRequest("the AdmissionReview could not be read: " + e.getClass().getSimpleName());
    }
    metrics.record(a.result(), System.nanoTime() - start);
    return a;
  }

  /** A body the server refused before reading it whole (too large): answered 400 and counted like any bad request. */
  public Answer refuse(String message) {
    Answer a = badRequest(message);
    metrics.record(a.result(), 0);
    return a;
  }

  /** A 400 answer with a one-line text message. */
  public static Answer badRequest(String message) {
    return new Answer(400, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8), Result.BAD_REQUEST);
  }

  private Answer review(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new BadReview("the body is not JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new BadReview("the body is not a JSON object; expected an AdmissionReview (" + API_VERSION + ")");
    }
    String apiVersion = root.path("apiVersion").asText("");
    String kind = root.path("kind").asText("");
    if (!KIND.equals(kind) || !API_VERSION.equals(apiVersion)) {
      throw new BadReview("expected kind AdmissionReview, apiVersion " + API_VERSION + "; got kind " + quote(kind)
          + ", apiVersion " + quote(apiVersion));
    }
    JsonNode req = root.get("request");
    if (req == null || !req.isObject()) {
      throw new BadReview("the AdmissionReview has no request");
    }
    String uid = req.path("uid").asText("");
    if (uid.isEmpty()) {
      throw new BadReview("the AdmissionReview request has no uid");
    }
    JsonNode kindNode = req.path("kind");
    if (!"Pod".equals(kindNode.path("kind").asText()) || !kindNode.path("group").asText("").isEmpty()) {
      return allowed(uid, null, Result.SKIPPED);
    }
    JsonNode pod = req.get("object");
    if (pod == null || !pod.isObject()) {
      throw new BadReview("the AdmissionReview request for a Pod has no object");
    }
    String namespace = req.path("namespace").asText("");
    if (namespace.isEmpty()) {
      namespace = pod.path("metadata").path("namespace").asText("default");
    }
    if (!PodPatch.enabled(pod)) {
      return allowed(uid, null, Result.SKIPPED);
    }
    JsonNode user = req.path("userInfo");
    String username = user.path("username").asText("");
    List<String> groups = new ArrayList<>();
    user.path("groups").forEach(g -> groups.add(g.asText()));
    if (!requesters.allowed(username, groups)) {
      LOG.debug("Pod({}/{}) not injected: requester {} is not allowed", namespace, podName(pod), username);
      return allowed(uid, null, Result.SKIPPED);
    }
    Outcome outcome = PodPatch.compute(pod, namespace, settings.get());
    if (outcome instanceof Outcome.Patched p) {
      LOG.info("Pod({}/{}) injected with daprd as app id {}", namespace, podName(pod), p.appId());
      return allowed(uid, p, Result.PATCHED);
    }
    if (outcome instanceof Outcome.Rejected r) {
      LOG.warn("Pod({}/{}) denied: {}", namespace, podName(pod), r.message());
      return denied(uid, r.message());
    }
    LOG.debug("Pod({}/{}) not injected: {}", namespace, podName(pod), ((Outcome.Skipped) outcome).reason());
    return allowed(uid, null, Result.SKIPPED);
  }

  private static String podName(JsonNode pod) {
    JsonNode m = pod.path("metadata");
    String name = m.path("name").asText("");
    return name.isEmpty() ? m.path("generateName").asText("") + "*" : name;
  }

  private static Answer allowed(String uid, Outcome.Patched patch, Result result) {
    ObjectNode resp = response(uid);
    resp.put("allowed", true);
    if (patch != null) {
      resp.put("patchType", "JSONPatch");
      resp.put("patch", Base64.getEncoder().encodeToString(bytes(patch.operations())));
    }
    return json(resp, result);
  }

  private static Answer denied(String uid, String message) {
    ObjectNode resp = response(uid);
    resp.put("allowed", false);
    ObjectNode status = resp.putObject("status");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", "BadRequest");
    status.put("code", 400);
    return json(resp, Result.DENIED);
  }

  /** The response member; {@link #json} wraps it in its AdmissionReview. */
  private static ObjectNode response(String uid) {
    ObjectNode resp = JSON.createObjectNode();
    resp.put("uid", uid);
    return resp;
  }

  private static Answer json(ObjectNode resp, Result result) {
    return new Answer(200, "application/json", bytes(reviewOf(resp)), result);
  }

  private static ObjectNode reviewOf(ObjectNode resp) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", API_VERSION);
    review.put("kind", KIND);
    review.set("response", resp);
    return review;
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise JSON", e);
    }
  }

  /** The caller's text as a 400 shows it: quoted, on one line and short (it is also logged). */
  private static String quote(String s) {
    String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The request is not an AdmissionReview this webhook can answer: HTTP 400. */
  private static final class BadReview extends RuntimeException {
    BadReview(String message) {
      super(message, null, false, false);
    }
  }
}
