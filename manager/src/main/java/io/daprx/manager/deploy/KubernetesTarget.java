package io.daprx.manager.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.kube.ControlPlaneManifests;
import io.daprx.manager.kube.CrdSource;
import io.daprx.manager.kube.InstallSpec;
import io.daprx.manager.store.Doc;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the control plane on a real Kubernetes cluster: the objects {@link ControlPlaneManifests} renders,
 * written through {@link KubeApply} in their order: sentry's workload is waited for (rolled out) before any other
 * component is applied, since every component asks sentry for its identity; the others then roll out together.
 */
public final class KubernetesTarget implements Target {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesTarget.class);
  /** Which install (its release namespace) an object belongs to; remove() finds what to delete by it. */
  public static final String INSTALL_LABEL = "daprx.io/install";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String COMPONENT_LABEL = "app.kubernetes.io/name";
  static final String HELM_RELEASE = "meta.helm.sh/release-name";
  /** The Deployments that tell a Dapr install is on the cluster. */
  static final List<String> DAPR_MARKERS = List.of("dapr-operator", "dapr-sentry");
  /** Where {@link #publish} leaves the extension's state for the dashboard. */
  public static final String EXTENSION_CONFIG_MAP = "daprx-extension";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Function<Doc, KubernetesClient> clients;
  private final Supplier<Release> release;
  private final CrdSource crds;
  private final Clock clock;

  /**
   * @param clients a client for a connected cluster (closed after each call)
   * @param release any release: {@link #remove} renders an install only to learn which kinds of object to delete
   */
  public KubernetesTarget(Function<Doc, KubernetesClient> clients, Supplier<Release> release, CrdSource crds, Clock clock) {
    this.clients = clients;
    this.release = release;
    this.crds = crds;
    this.clock = clock;
  }

  @Override
  public List<ComponentStatus> apply(Doc cluster, Install install, Duration timeout) throws ReconcileException {
    Instant deadline = clock.instant().plus(timeout);
    String namespace = install.namespace();
    try (KubernetesClient client = clients.apply(cluster)) {
      checkExistingDapr(client, namespace, install.settings());
      List<ControlPlaneManifests.Step> steps = ControlPlaneManifests.steps(new InstallSpec(namespace, install.settings(), install.release(), null), crds);
      return applyInOrder(client, steps, install.applyCrds(), namespace, deadline, timeout);
    } catch (KubernetesClientException e) {
      throw new ReconcileException("the cluster's API server refused the install: " + e.getMessage(), e);
    }
  }

  /**
   * Each step's objects applied in render order. Up to sentry each step is gated before the next begins (every component
   * asks sentry for its identity); the components after it are applied together and then waited for together, rolling
   * out side by side as independent Deployments do under Helm.
   */
  private List<ComponentStatus> applyInOrder(KubernetesClient client, List<ControlPlaneManifests.Step> steps, boolean applyCrds,
      String namespace, Instant deadline, Duration timeout) throws ReconcileException {
    List<ComponentStatus> statuses = new ArrayList<>();
    Map<KubeApply.Result, Integer> counts = new LinkedHashMap<>();
    List<HasMetadata> afterSentry = new ArrayList<>();
    boolean sentryDone = false;
    for (ControlPlaneManifests.Step step : steps) {
      for (HasMetadata o : owned(step.objects(), namespace)) {
        if (o instanceof CustomResourceDefinition && !applyCrds) {
          continue; // a downgrade keeps the newer CRDs: older ones could drop fields that stored resources already use
        }
        KubeApply.Result r = KubeApply.reconcile(client, o);
        counts.merge(r, 1, Integer::sum);
        LOG.debug("{}({}) {}", o.getKind(), ref(o), r);
      }
      for (HasMetadata o : step.removed()) {
        KubeApply.Result r = KubeApply.reconcile(client, o, null);
        counts.merge(r, 1, Integer::sum);
        LOG.debug("{}({}) {}", o.getKind(), ref(o), r);
      }
      if (sentryDone) {
        afterSentry.addAll(step.workloads());
        continue;
      }
      statuses.addAll(awaitRollout(client, step.workloads(), deadline, timeout));
      sentryDone = step.name().equals(io.daprx.manager.model.ControlPlane.SENTRY.name());
      LOG.debug("step {} of the install in {} done", step.name(), namespace);
    }
    // all applied: the gates run side by side, so the wait is the slowest rollout's, not the sum
    statuses.addAll(awaitRollout(client, afterSentry, deadline, timeout));
    LOG.info("control plane applied in {}: {}", namespace, counts);
    return statuses;
  }

  /**
   * The health gate of one component: each of its workloads rolled out as {@code kubectl rollout status} means it
   * ({@link Rollout#done}), not merely as many ready replicas as wanted, which the old pods still give mid-upgrade.
   */
  private List<ComponentStatus> awaitRollout(KubernetesClient client, List<HasMetadata> workloads, Instant deadline, Duration timeout)
      throws ReconcileException {
    List<ComponentStatus> out = new ArrayList<>();
    for (HasMetadata w : workloads) {
      long left = Math.max(1, Duration.between(clock.instant(), deadline).toMillis());
      try {
        Rollout done = Rollout.of(client.resource(w).waitUntilCondition(o -> o != null && Rollout.of(o).done(), left, TimeUnit.MILLISECONDS));
        out.add(new ComponentStatus(w.getMetadata().getName(), done.ready(), done.desired()));
      } catch (KubernetesClientTimeoutException e) {
        String notDone = workloads.stream().map(x -> client.resource(x).get()).filter(Objects::nonNull).map(Rollout::of)
            .filter(r -> !r.done()).map(r -> r.describe() + " (" + r.kubectl() + ")")
            .collect(Collectors.joining("; "));
        throw new ReconcileException("not rolled out within " + timeout.toSeconds() + "s: " + notDone
            + "; see kubectl -n " + w.getMetadata().getNamespace() + " describe pods");
      }
    }
    return out;
  }

  /** How long a read of a connected cluster's workloads may take before {@code show} answers with what is stored. */
  public static final Duration HEALTH_READ_TIMEOUT = Duration.ofSeconds(5);

  /**
   * The rollout state of the install's Deployments and StatefulSets now, for the extension's live statuses; empty when
   * the API server does not answer within {@link #HEALTH_READ_TIMEOUT} (a read must not hang on a cluster that is down).
   */
  public Optional<List<Rollout>> workloads(Doc cluster, String namespace) {
    CompletableFuture<List<Rollout>> read;
    try {
      read = CompletableFuture.supplyAsync(() -> {
        try (KubernetesClient client = clients.apply(cluster)) {
          List<Rollout> out = new ArrayList<>();
          client.apps().deployments().inNamespace(namespace).withLabel(INSTALL_LABEL, namespace).list().getItems()
              .forEach(d -> out.add(Rollout.of(d)));
          client.apps().statefulSets().inNamespace(namespace).withLabel(INSTALL_LABEL, namespace).list().getItems()
              .forEach(t -> out.add(Rollout.of(t)));
          return out;
        }
      }, HEALTH_READS);
    } catch (RejectedExecutionException busy) {
      return Optional.empty(); // every reader is waiting on a slow cluster: answer with what is stored
    }
    try {
      return Optional.of(read.get(HEALTH_READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("workloads of {} not read: {}", namespace, e.toString());
      return Optional.empty();
    }
  }

  // reads of connected clusters for show/list, off the request thread so they can be given up on; a few at a time, so
  // clusters that hang cannot pile up threads (the client's own timeouts end each read)
  private static final ExecutorService HEALTH_READS = new ThreadPoolExecutor(0, 4, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
    Thread t = new Thread(r, "cluster-health-read");
    t.setDaemon(true);
    return t;
  });

  /**
   * A Dapr install daprx did not make (Helm's, usually) is refused unless the user chose: adopt it in place
   * ({@code existingDaprReleaseName}/{@code existingDaprReleaseNamespace}: the apply takes its objects over and
   * relabels them) or install beside it ({@code skipExistingDaprCheck=true}).
   */
  void checkExistingDapr(KubernetesClient client, String namespace, DaprSettings settings) throws ReconcileException {
    List<Deployment> foreign = client.apps().deployments().inAnyNamespace().list().getItems().stream()
        .filter(d -> DAPR_MARKERS.contains(d.getMetadata().getName()))
        .filter(d -> !"daprx".equals(label(d, MANAGED_BY)))
        .toList();
    if (foreign.isEmpty()) {
      return;
    }
    String where = foreign.stream().map(d -> "Deployment(" + ref(d) + ")").collect(Collectors.joining(", "));
    if (settings.skipExistingDaprCheck()) {
      LOG.warn("Dapr not installed by daprx is on the cluster ({}); installing beside it as skipExistingDaprCheck=true asks", where);
      return;
    }
    String name = settings.existingDaprReleaseName();
    String ns = settings.existingDaprReleaseNamespace();
    if (name == null) {
      throw new ReconcileException("Dapr is already installed on this cluster, not by daprx: " + where + ". Adopt it with"
          + " --configuration-settings existingDaprReleaseName=<its Helm release, e.g. dapr> existingDaprReleaseNamespace=<its namespace>,"
          + " or install beside it with --configuration-settings skipExistingDaprCheck=true.");
    }
    if (!ns.equals(namespace)) {
      throw new ReconcileException("existingDaprReleaseNamespace '" + ns + "' is not the release namespace '" + namespace
          + "': an existing install is adopted in place; create the extension with --release-namespace " + ns + ".");
    }
    for (Deployment d : foreign) {
      String release = d.getMetadata().getAnnotations() == null ? null : d.getMetadata().getAnnotations().get(HELM_RELEASE);
      if (!ns.equals(d.getMetadata().getNamespace())) {
        throw new ReconcileException("another Dapr install, not the one to adopt, is on the cluster: Deployment(" + ref(d)
            + "); remove it first, or set skipExistingDaprCheck=true.");
      }
      if (release != null && !release.equals(name)) {
        throw new ReconcileException("Deployment(" + ref(d) + ") belongs to Helm release '" + release + "', not '" + name
            + "'; set existingDaprReleaseName=" + release + " to adopt it.");
      }
    }
    LOG.info("adopting the existing Dapr install {} in {} ({})", name, ns, where);
  }

  /**
   * Deletes every object of the install by its {@link #INSTALL_LABEL}: namespaced ones in the namespace, and the
   * cluster-scoped RBAC and webhook configuration. The CRDs stay (deleting them would delete every user's
   * Components, Subscriptions, ...), and so does the namespace.
   */
  @Override
  public void remove(Doc cluster, String namespace) {
    List<HasMetadata> kinds = owned(ControlPlaneManifests.render(new InstallSpec(namespace, DaprSettings.defaults(), release.get(), null), crds),
        namespace);
    kinds.add(extensionConfigMap(namespace, JSON.createObjectNode(), JSON.createArrayNode())); // what publish() wrote goes too
    Map<String, HasMetadata> oneOfEachKind = new LinkedHashMap<>();
    for (HasMetadata o : kinds) {
      if (!(o instanceof CustomResourceDefinition) && !(o instanceof Namespace)) {
        oneOfEachKind.putIfAbsent(o.getApiVersion() + "/" + o.getKind() + "/" + (o.getMetadata().getNamespace() != null), o);
      }
    }
    List<HasMetadata> reversed = new ArrayList<>(oneOfEachKind.values());
    java.util.Collections.reverse(reversed); // workloads first, their rights and configuration last
    try (KubernetesClient client = clients.apply(cluster)) {
      for (HasMetadata o : reversed) {
        boolean namespaced = o.getMetadata().getNamespace() != null;
        int n = deleteByLabel(client, o, namespaced ? namespace : null, namespace);
        LOG.debug("{} {} deleted in {}", n, o.getKind(), namespaced ? namespace : "the cluster");
      }
    }
    LOG.info("control plane removed from {}; the Dapr CRDs ({}) and the namespace stay on the cluster: they may hold your resources."
        + " Delete them with kubectl when no longer needed.", namespace, String.join(", ", CrdSource.NAMES));
  }

  @SuppressWarnings("unchecked")
  private static int deleteByLabel(KubernetesClient client, HasMetadata kind, String inNamespace, String install) {
    if (kind instanceof GenericKubernetesResource) {
      return deleteByLabel(client.genericKubernetesResources(kind.getApiVersion(), kind.getKind()), inNamespace, install);
    }
    return deleteByLabel(client.resources((Class<HasMetadata>) kind.getClass()), inNamespace, install);
  }

  private static <T extends HasMetadata, L extends io.fabric8.kubernetes.api.model.KubernetesResourceList<T>, R extends io.fabric8.kubernetes.client.dsl.Resource<T>>
      int deleteByLabel(io.fabric8.kubernetes.client.dsl.MixedOperation<T, L, R> op, String inNamespace, String install) {
    return (inNamespace != null ? op.inNamespace(inNamespace).withLabel(INSTALL_LABEL, install) : op.withLabel(INSTALL_LABEL, install))
        .delete().size();
  }

  /**
   * Writes the extension as the API shows it, and its operations, into the ConfigMap {@value #EXTENSION_CONFIG_MAP} of
   * the release namespace, where the dashboard reads them; labelled as the install's, so {@link #remove} deletes it.
   * An install that never got as far as its namespace has nothing to show it, and the namespace is not created for it.
   */
  @Override
  public void publish(Doc cluster, String namespace, ObjectNode extension, ArrayNode operations) {
    try (KubernetesClient client = clients.apply(cluster)) {
      if (client.namespaces().withName(namespace).get() == null) {
        LOG.debug("ConfigMap({}/{}) not written: the namespace does not exist", namespace, EXTENSION_CONFIG_MAP);
        return;
      }
      KubeApply.Result r = KubeApply.reconcile(client, extensionConfigMap(namespace, extension, operations));
      LOG.debug("ConfigMap({}/{}) {}", namespace, EXTENSION_CONFIG_MAP, r);
    }
  }

  /** The ConfigMap {@link #publish} writes: {@code extension.json} and {@code operations.json}, pretty-printed. */
  static ConfigMap extensionConfigMap(String namespace, ObjectNode extension, ArrayNode operations) {
    ObjectWriter pretty = JSON.writerWithDefaultPrettyPrinter();
    Map<String, String> data = new LinkedHashMap<>();
    try {
      data.put("extension.json", pretty.writeValueAsString(extension));
      data.put("operations.json", pretty.writeValueAsString(operations));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(EXTENSION_CONFIG_MAP).withNamespace(namespace)
        .addToLabels(COMPONENT_LABEL, EXTENSION_CONFIG_MAP).addToLabels("app.kubernetes.io/part-of", "dapr").endMetadata()
        .withData(data).build();
    owned(List.of(cm), namespace);
    return cm;
  }

  /** A connected cluster is not daprx's to stop: the control plane keeps running there. */
  @Override
  public void stop(Doc cluster, String namespace) {
    LOG.info("Cluster({}) is a connected Kubernetes cluster; its control plane in {} keeps running", cluster.id(), namespace);
  }

  /** Every object labelled as daprx's and as this install's, so remove() and the existing-Dapr check can tell them. */
  static <T extends HasMetadata> List<T> owned(List<T> objects, String namespace) {
    for (HasMetadata o : objects) {
      Map<String, String> labels = new LinkedHashMap<>(o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels());
      labels.put(MANAGED_BY, "daprx");
      labels.put(INSTALL_LABEL, namespace);
      o.getMetadata().setLabels(labels);
    }
    return objects;
  }

  private static String label(HasMetadata o, String key) {
    return o.getMetadata().getLabels() == null ? null : o.getMetadata().getLabels().get(key);
  }

  private static String ref(HasMetadata o) {
    return o.getMetadata().getNamespace() == null ? o.getMetadata().getName() : o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }
}
