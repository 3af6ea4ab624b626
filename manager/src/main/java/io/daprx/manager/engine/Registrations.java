package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.model.ArmIds;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Feature flags and resource-provider registrations of the subscription. A registration goes
 * {@code NotRegistered → Registering → Registered} after a configurable delay, as ARM's do; the state is
 * computed from when it was asked for, so no timer has to survive a restart.
 */
public final class Registrations {

  /** The features users register for the Dapr extension, by provider namespace. */
  public static final Map<String, List<String>> FEATURES = Map.of(
      "Microsoft.ContainerService", List.of("AKS-ExtensionManager", "AKS-Dapr"));

  /** The resource providers this server serves. */
  public static final List<String> PROVIDERS = List.of(
      "Microsoft.ContainerService", "Microsoft.KubernetesConfiguration", "Microsoft.Kubernetes", "Microsoft.Features", "Microsoft.Resources");

  private static final String FEATURE_KIND = "feature";
  private static final String PROVIDER_KIND = "provider";

  private final Store store;
  private final Clock clock;
  private final Duration featureDelay;
  private final Duration providerDelay;
  private final String subscription;
  private final ObjectMapper json = new ObjectMapper();

  public Registrations(Store store, Clock clock, Duration featureDelay, Duration providerDelay, String subscription) {
    this.store = store;
    this.clock = clock;
    this.featureDelay = featureDelay;
    this.providerDelay = providerDelay;
    this.subscription = subscription;
  }

  // ---- features

  public ObjectNode feature(String ns, String name) {
    String[] canon = canonicalFeature(ns, name);
    String id = ArmIds.feature(subscription, canon[0], canon[1]);
    String state = store.get(id).map(d -> effective(d, featureDelay)).orElse("NotRegistered");
    return featureJson(id, canon[0], canon[1], state);
  }

  public ArrayNode features(String nsFilter) {
    ArrayNode out = json.createArrayNode();
    FEATURES.forEach((ns, names) -> {
      if (nsFilter == null || ns.equalsIgnoreCase(nsFilter)) {
        names.forEach(n -> out.add(feature(ns, n)));
      }
    });
    return out;
  }

  public ObjectNode registerFeature(String ns, String name, boolean register) {
    String[] canon = canonicalFeature(ns, name);
    String id = ArmIds.feature(subscription, canon[0], canon[1]);
    String current = store.get(id).map(d -> effective(d, featureDelay)).orElse("NotRegistered");
    String target = register ? "Registered" : "NotRegistered";
    if (!current.equals(target) && !current.equals(register ? "Registering" : "Unregistering")) {
      write(id, FEATURE_KIND, register ? "Registering" : "Unregistering");
    }
    return feature(canon[0], canon[1]);
  }

  public boolean featureRegistered(String ns, String name) {
    return "Registered".equals(feature(ns, name).path("properties").path("state").asText());
  }

  private String[] canonicalFeature(String ns, String name) {
    for (Map.Entry<String, List<String>> e : FEATURES.entrySet()) {
      if (e.getKey().equalsIgnoreCase(ns)) {
        for (String f : e.getValue()) {
          if (f.equalsIgnoreCase(name)) {
            return new String[] {e.getKey(), f};
          }
        }
      }
    }
    throw DomainException.notFound("FeatureNotFound", "The feature '" + name + "' could not be found in namespace '" + ns
        + "'. Known features: " + FEATURES.entrySet().stream().flatMap(e -> e.getValue().stream().map(f -> e.getKey() + "/" + f)).toList());
  }

  private ObjectNode featureJson(String id, String ns, String name, String state) {
    ObjectNode f = json.createObjectNode();
    f.put("id", id);
    f.put("name", ns + "/" + name);
    f.putObject("properties").put("state", state);
    f.put("type", "Microsoft.Features/providers/features");
    return f;
  }

  // ---- providers

  public ObjectNode provider(String ns) {
    String canon = canonicalProvider(ns);
    String id = ArmIds.provider(subscription, canon);
    String state = store.get(id).map(d -> effective(d, providerDelay)).orElse(defaultProviderState(canon));
    ObjectNode p = json.createObjectNode();
    p.put("id", id);
    p.put("namespace", canon);
    p.put("registrationPolicy", "RegistrationRequired");
    p.put("registrationState", state);
    p.putArray("resourceTypes");
    return p;
  }

  public ArrayNode providers() {
    ArrayNode out = json.createArrayNode();
    PROVIDERS.forEach(ns -> out.add(provider(ns)));
    return out;
  }

  public ObjectNode registerProvider(String ns, boolean register) {
    String canon = canonicalProvider(ns);
    String id = ArmIds.provider(subscription, canon);
    String current = store.get(id).map(d -> effective(d, providerDelay)).orElse(defaultProviderState(canon));
    String target = register ? "Registered" : "NotRegistered";
    if (!current.equals(target) && !current.equals(register ? "Registering" : "Unregistering")) {
      write(id, PROVIDER_KIND, register ? "Registering" : "Unregistering");
    }
    return provider(canon);
  }

  public boolean providerRegistered(String ns) {
    return "Registered".equals(provider(ns).path("registrationState").asText());
  }

  // ARM's own providers are always registered in a subscription
  private static String defaultProviderState(String ns) {
    return ns.equals("Microsoft.Features") || ns.equals("Microsoft.Resources") ? "Registered" : "NotRegistered";
  }

  private static String canonicalProvider(String ns) {
    return PROVIDERS.stream().filter(p -> p.equalsIgnoreCase(ns)).findFirst()
        .orElseThrow(() -> DomainException.notFound("InvalidResourceNamespace", "The resource namespace '" + ns + "' is invalid. Known: " + PROVIDERS));
  }

  // ---- the transition, computed from the stored request time

  private String effective(Doc d, Duration delay) {
    String state = d.body().path("state").asText();
    long since = d.body().path("since").asLong();
    boolean done = clock.millis() - since >= delay.toMillis();
    return switch (state) {
      case "Registering" -> done ? "Registered" : "Registering";
      case "Unregistering" -> done ? "NotRegistered" : "Unregistering";
      default -> state;
    };
  }

  private void write(String id, String kind, String state) {
    ObjectNode body = json.createObjectNode().put("state", state).put("since", clock.millis());
    Optional<Doc> existing = store.get(id);
    if (existing.isPresent()) {
      store.update(id, body, null);
    } else {
      store.create(id, kind, ArmIds.subscription(subscription), body);
    }
  }
}
