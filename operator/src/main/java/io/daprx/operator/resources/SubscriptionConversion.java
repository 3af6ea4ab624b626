package io.daprx.operator.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Subscription {@code v1alpha1} → {@code v2alpha1}, the only version the operator sends (upstream lists the storage
 * version). The shapes differ in one place: v1alpha1 {@code spec.route} is v2alpha1 {@code spec.routes.default}.
 */
public final class SubscriptionConversion {

  private SubscriptionConversion() {}

  /** A v2alpha1 copy of a v1alpha1 Subscription; other versions are returned unchanged. */
  public static ObjectNode toV2alpha1(ObjectNode subscription) {
    if (!"dapr.io/v1alpha1".equals(subscription.path("apiVersion").asText())) {
      return subscription;
    }
    ObjectNode v2 = subscription.deepCopy();
    v2.put("apiVersion", "dapr.io/v2alpha1");
    JsonNode spec = v2.path("spec");
    if (spec instanceof ObjectNode s && s.has("route")) {
      JsonNode route = s.remove("route");
      ObjectNode routes = s.putObject("routes");
      routes.set("default", route);
    }
    return v2;
  }
}
