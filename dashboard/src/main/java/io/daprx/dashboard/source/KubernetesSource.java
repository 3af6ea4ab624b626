package io.daprx.dashboard.source;

import io.daprx.common.dapr.ResourceKind;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes cluster, read with the dashboard's service account: the control plane's pods (by the labels the
 * install renders, or upstream's {@code app} label), dapr-enabled Deployments, StatefulSets and pods in every
 * namespace, the {@code dapr.io} custom resources, ConfigMap {@code dapr-trust-bundle} and ConfigMap
 * {@code daprx-extension}. It never reads a Secret.
 */
public final class KubernetesSource implements ClusterSource {

  /** The control plane's workloads and the component each one runs, as upstream names them. */
  static final Map<String, String> WORKLOADS = Map.of("dapr-sentry", "sentry", "dapr-operator", "operator",
      "dapr-placement-server", "placement", "dapr-sidecar-injector", "injector", "dapr-dashboard", "dashboard");
  public static final String TRUST_BUNDLE = "dapr-trust-bundle";
  /** Written by the extension manager: {@code extension.json} (as its API serves it) and {@code operations.json} (the array). */
  public static final String EXTENSION_CONFIG_MAP = "daprx-extension";
  static final String ENABLED = "dapr.io/enabled";

  private final KubernetesClient client;
  private final String namespace;
  private final int healthzPort;
  private final int metricsPort;

  /**
   * @param healthzPort the port of the components' healthz servers (placement serves its state there)
   * @param metricsPort the port of their Prometheus endpoints
   */
  public KubernetesSource(KubernetesClient client, String namespace, int healthzPort, int metricsPort) {
    this.client = client;
    this.namespace = namespace;
    this.healthzPort = healthzPort;
    this.metricsPort = metricsPort;
  }

  @Override
  public Snapshot snapshot() {
    List<String> problems = new ArrayList<>();
    List<PodView> pods = new ArrayList<>();
    try {
      for (Pod p : client.pods().inNamespace(namespace).list().getItems()) {
        String component = component(p);
        if (component == null) {
          continue;
        }
        String ip = p.getStatus() == null ? null : p.getStatus().getPodIP();
        boolean dashboard = component.equals("dashboard");
        pods.add(new PodView(p.getMetadata().getName(), component, ready(p), status(p), restarts(p),
            p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get("app.kubernetes.io/version"),
            instant(p.getMetadata().getCreationTimestamp()),
            ip == null || dashboard ? null : ip + ":" + healthzPort, ip == null || dashboard ? null : ip + ":" + metricsPort));
      }
      pods.sort(PodView.ORDER);
    } catch (KubernetesClientException e) {
      problems.add("pods: " + reason(e));
    }
    String anchors = null;
    JsonNode extension = null;
    JsonNode operations = null;
    try {
      ConfigMap bundle = client.configMaps().inNamespace(namespace).withName(TRUST_BUNDLE).get();
      anchors = bundle == null || bundle.getData() == null ? null : bundle.getData().get("ca.crt");
      ConfigMap ext = client.configMaps().inNamespace(namespace).withName(EXTENSION_CONFIG_MAP).get();
      if (ext != null && ext.getData() != null) {
        extension = json(ext.getData().get("extension.json"), problems);
        operations = json(ext.getData().get("operations.json"), problems);
      }
    } catch (KubernetesClientException e) {
      problems.add("config maps: " + reason(e));
    }
    List<AppView> apps = new ArrayList<>();
    try {
      apps.addAll(apps());
    } catch (KubernetesClientException e) {
      problems.add("workloads: " + reason(e));
    }
    return new Snapshot(pods, anchors, apps, extension, operations, problems);
  }

  /** Deployments and StatefulSets whose pod template is dapr-enabled, then dapr-enabled pods no such workload owns. */
  private List<AppView> apps() {
    List<Pod> enabledPods = client.pods().inAnyNamespace().list().getItems().stream().filter(p -> enabled(p.getMetadata().getAnnotations())).toList();
    List<Pod> claimed = new ArrayList<>();
    List<AppView> out = new ArrayList<>();
    List<HasMetadata> workloads = new ArrayList<>();
    workloads.addAll(client.apps().deployments().inAnyNamespace().list().getItems());
    workloads.addAll(client.apps().statefulSets().inAnyNamespace().list().getItems());
    for (HasMetadata w : workloads) {
      PodTemplateSpec template = w instanceof Deployment d ? d.getSpec().getTemplate() : ((StatefulSet) w).getSpec().getTemplate();
      Map<String, String> selector = w instanceof Deployment d ? d.getSpec().getSelector().getMatchLabels()
          : ((StatefulSet) w).getSpec().getSelector().getMatchLabels();
      Map<String, String> annotations = template.getMetadata() == null ? null : template.getMetadata().getAnnotations();
      if (!enabled(annotations)) {
        continue;
      }
      List<Pod> mine = enabledPods.stream().filter(p -> Objects.equals(p.getMetadata().getNamespace(), w.getMetadata().getNamespace())
          && selector != null && p.getMetadata().getLabels() != null && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
      claimed.addAll(mine);
      long readyPods = mine.stream().filter(p -> ready(p).matches("(\\d+)/\\1") && !ready(p).startsWith("0/")).count();
      String kind = w instanceof Deployment ? "Deployment" : "StatefulSet";
      out.add(new AppView(w.getMetadata().getNamespace(), appId(annotations, w.getMetadata().getName()), kind + "/" + w.getMetadata().getName(),
          annotations.get("dapr.io/app-port"), !mine.isEmpty() && mine.stream().allMatch(KubernetesSource::injected),
          readyPods + "/" + mine.size(), List.of()));
    }
    for (Pod p : enabledPods) {
      if (!claimed.contains(p)) {
        Map<String, String> a = p.getMetadata().getAnnotations();
        out.add(new AppView(p.getMetadata().getNamespace(), appId(a, p.getMetadata().getName()), "Pod/" + p.getMetadata().getName(),
            a.get("dapr.io/app-port"), injected(p), ready(p), List.of()));
      }
    }
    out.sort(Comparator.comparing(AppView::namespace).thenComparing(AppView::appId));
    return out;
  }

  @Override
  public List<JsonNode> resources(ResourceKind kind, String ns) {
    ResourceDefinitionContext ctx = new ResourceDefinitionContext.Builder().withGroup(ResourceKind.GROUP).withVersion(kind.servedVersion())
        .withKind(kind.kind()).withPlural(kind.plural()).withNamespaced(true).build();
    try {
      var op = client.genericKubernetesResources(ctx);
      var items = ns == null || ns.isBlank() ? op.inAnyNamespace().list().getItems() : op.inNamespace(ns).list().getItems();
      List<JsonNode> out = new ArrayList<>();
      items.forEach(i -> out.add(ManagerSource.JSON.valueToTree(i)));
      return out;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return List.of(); // the CRD is not installed
      }
      throw new IllegalStateException(kind.plural() + ": " + reason(e));
    }
  }

  static String component(Pod p) {
    Map<String, String> labels = p.getMetadata().getLabels();
    if (labels == null) {
      return null;
    }
    String app = labels.getOrDefault("app.kubernetes.io/name", labels.get("app"));
    return app == null ? null : WORKLOADS.get(app);
  }

  static boolean enabled(Map<String, String> annotations) {
    return annotations != null && "true".equalsIgnoreCase(String.valueOf(annotations.get(ENABLED)).trim());
  }

  static String appId(Map<String, String> annotations, String fallback) {
    String id = annotations.get("dapr.io/app-id");
    return id == null || id.isBlank() ? fallback : id;
  }

  /** The sidecar injector added {@code daprd}, as a container or as a native sidecar (init container). */
  static boolean injected(Pod p) {
    return p.getSpec() != null && (p.getSpec().getContainers().stream().anyMatch(c -> "daprd".equals(c.getName()))
        || p.getSpec().getInitContainers().stream().anyMatch(c -> "daprd".equals(c.getName())));
  }

  static String ready(Pod p) {
    int total = p.getSpec() == null ? 0 : p.getSpec().getContainers().size();
    long ready = statuses(p).stream().filter(s -> Boolean.TRUE.equals(s.getReady())).count();
    return ready + "/" + total;
  }

  /** kubectl's STATUS: a waiting or terminated reason of a container (CrashLoopBackOff) before the pod's phase. */
  static String status(Pod p) {
    for (ContainerStatus s : statuses(p)) {
      if (s.getState() != null && s.getState().getWaiting() != null && s.getState().getWaiting().getReason() != null) {
        return s.getState().getWaiting().getReason();
      }
      if (s.getState() != null && s.getState().getTerminated() != null && s.getState().getTerminated().getReason() != null) {
        return s.getState().getTerminated().getReason();
      }
    }
    if (p.getMetadata().getDeletionTimestamp() != null) {
      return "Terminating";
    }
    return p.getStatus() == null || p.getStatus().getPhase() == null ? "Unknown" : p.getStatus().getPhase();
  }

  static int restarts(Pod p) {
    return statuses(p).stream().mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount()).sum();
  }

  private static List<ContainerStatus> statuses(Pod p) {
    return p.getStatus() == null || p.getStatus().getContainerStatuses() == null ? List.of() : p.getStatus().getContainerStatuses();
  }

  private static JsonNode json(String text, List<String> problems) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return ManagerSource.JSON.readTree(text);
    } catch (IOException e) {
      problems.add("ConfigMap " + EXTENSION_CONFIG_MAP + " holds a value that is not JSON");
      return null;
    }
  }

  private static Instant instant(String text) {
    return ManagerSource.instant(text);
  }

  private static String reason(KubernetesClientException e) {
    return e.getCode() == 403 ? "forbidden (the dashboard's service account may not read it)" : e.getMessage();
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "Kubernetes API server, namespace " + namespace;
  }
}
