package io.daprx.operator.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code <app-id>-dapr} Service a Dapr-enabled workload should have, as a pure function of the workload (as
 * upstream's {@code dapr_handler.go}): headless, selecting the workload's {@code matchLabels}, owned by the workload,
 * labelled {@code dapr.io/enabled: "true"}, with the sidecar's ports and Prometheus scrape annotations when the
 * sidecar's metrics are on.
 */
public final class DaprServiceModel {

  public static final String ENABLED = "dapr.io/enabled";
  public static final String APP_ID = "dapr.io/app-id";
  public static final String ENABLE_METRICS = "dapr.io/enable-metrics";
  public static final String METRICS_PORT = "dapr.io/metrics-port";
  public static final int DEFAULT_METRICS_PORT = 9090;
  private static final Set<String> TRUTHY = Set.of("y", "yes", "true", "on", "1");

  private DaprServiceModel() {}

  /** The Service name of an app: {@code <app-id>-dapr}. */
  public static String serviceName(String appId) {
    return appId + "-dapr";
  }

  /** Whether the pod template turns the sidecar on ({@code dapr.io/enabled}: y, yes, true, on or 1, any case). */
  public static boolean enabled(Map<String, String> podAnnotations) {
    String v = podAnnotations == null ? null : podAnnotations.get(ENABLED);
    return v != null && TRUTHY.contains(v.trim().toLowerCase(Locale.ROOT));
  }

  /**
   * The app id: the pod template's {@code dapr.io/app-id}, else the workload's name (what the injector gives the
   * sidecar then).
   */
  public static String appId(HasMetadata workload, Map<String, String> podAnnotations) {
    String id = podAnnotations == null ? null : podAnnotations.get(APP_ID);
    return id == null || id.isBlank() ? workload.getMetadata().getName() : id.trim();
  }

  /** The Service a Deployment or StatefulSet should have; empty when it should have none. */
  public static Optional<Service> desired(HasMetadata workload) {
    PodTemplateSpec template;
    LabelSelector selector;
    if (workload instanceof Deployment d && d.getSpec() != null) {
      template = d.getSpec().getTemplate();
      selector = d.getSpec().getSelector();
    } else if (workload instanceof StatefulSet s && s.getSpec() != null) {
      template = s.getSpec().getTemplate();
      selector = s.getSpec().getSelector();
    } else {
      return Optional.empty();
    }
    Map<String, String> annotations = template == null || template.getMetadata() == null ? Map.of()
        : template.getMetadata().getAnnotations();
    if (!enabled(annotations) || workload.getMetadata().getDeletionTimestamp() != null) {
      return Optional.empty();
    }
    Map<String, String> matchLabels = selector == null || selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
    if (matchLabels.isEmpty()) {
      return Optional.empty(); // a Service selecting nothing (or everything) helps no one
    }
    String appId = appId(workload, annotations);
    int metricsPort = metricsPort(annotations);
    Map<String, String> svcAnnotations = new LinkedHashMap<>();
    svcAnnotations.put(APP_ID, appId);
    if (metricsEnabled(annotations)) {
      svcAnnotations.put("prometheus.io/scrape", "true");
      svcAnnotations.put("prometheus.io/port", Integer.toString(metricsPort));
      svcAnnotations.put("prometheus.io/path", "/");
    }
    return Optional.of(new ServiceBuilder()
        .withNewMetadata()
          .withName(serviceName(appId))
          .withNamespace(workload.getMetadata().getNamespace())
          .withLabels(Map.of(ENABLED, "true"))
          .withAnnotations(svcAnnotations)
          .withOwnerReferences(ownerOf(workload))
        .endMetadata()
        .withNewSpec()
          .withClusterIP("None")
          .withSelector(new LinkedHashMap<>(matchLabels))
          .withPorts(port("dapr-http", 80, 3500), port("dapr-grpc", 50001, 50001), port("dapr-internal", 50002, 50002),
              port("dapr-metrics", metricsPort, metricsPort))
        .endSpec()
        .build());
  }

  /** The controller reference to the workload. */
  public static OwnerReference ownerOf(HasMetadata workload) {
    return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind(workload.getKind())
        .withName(workload.getMetadata().getName()).withUid(workload.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(true).build();
  }

  /** Whether {@code svc} is controlled by the object with {@code uid}. */
  public static boolean controlledBy(HasMetadata svc, String uid) {
    List<OwnerReference> refs = svc.getMetadata().getOwnerReferences();
    return uid != null && refs != null && refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()) && uid.equals(r.getUid()));
  }

  private static boolean metricsEnabled(Map<String, String> annotations) {
    String v = annotations == null ? null : annotations.get(ENABLE_METRICS);
    if (v == null) {
      return true;
    }
    String s = v.trim().toLowerCase(Locale.ROOT);
    return !(s.equals("false") || s.equals("0") || s.equals("f"));
  }

  private static int metricsPort(Map<String, String> annotations) {
    String v = annotations == null ? null : annotations.get(METRICS_PORT);
    try {
      return v == null ? DEFAULT_METRICS_PORT : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return DEFAULT_METRICS_PORT;
    }
  }

  private static ServicePort port(String name, int port, int target) {
    return new ServicePortBuilder().withName(name).withProtocol("TCP").withPort(port).withTargetPort(new IntOrString(target)).build();
  }
}
