package io.daprx.manager.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Plays the workload controllers and the kubelet for the CRUD API server, which runs no pods: whenever a Deployment or
 * StatefulSet appears or its spec changes (the mock bumps {@code metadata.generation}), writes the status a real
 * cluster would reach: every replica updated and ready at the new generation. Workloads told to stay {@link #stuck},
 * and pod templates of a {@link #brokenTags broken image tag}, get pods that never become ready: what is left is a
 * rollout that stalls as Kubernetes' does (the old pods of an update keep serving; a new workload has none).
 */
public final class FakeKubelet implements AutoCloseable {

  /** Workloads that never become ready. */
  public final Set<String> stuck = ConcurrentHashMap.newKeySet();
  /** Image tags whose pods never become ready, e.g. a version whose health gate must fail. */
  public final Set<String> brokenTags = ConcurrentHashMap.newKeySet();
  /** Workloads in the order they appeared, each with the workloads already ready at that moment. */
  public final List<Map.Entry<String, Set<String>>> appeared = new CopyOnWriteArrayList<>();
  private final Set<String> ready = ConcurrentHashMap.newKeySet();
  private final KubernetesClient client;
  private final List<SharedIndexInformer<?>> informers;

  public FakeKubelet(KubernetesClient client) {
    this.client = client;
    this.informers = List.of(client.apps().deployments().inAnyNamespace().inform(new Handler<>()),
        client.apps().statefulSets().inAnyNamespace().inform(new Handler<>()));
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::stop);
  }

  private final class Handler<T extends HasMetadata> implements ResourceEventHandler<T> {
    @Override
    public void onAdd(T obj) {
      appeared.add(Map.entry(obj.getMetadata().getName(), Set.copyOf(ready)));
      observe(obj);
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
      observe(newObj);
    }

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {
      ready.remove(obj.getMetadata().getName());
    }
  }

  /** Writes the status the workload's spec leads to; nothing when it already has it (our own write comes back as an event). */
  private void observe(HasMetadata obj) {
    String name = obj.getMetadata().getName();
    long generation = obj.getMetadata().getGeneration() == null ? 1 : obj.getMetadata().getGeneration();
    Rollout now = Rollout.of(obj);
    boolean healthy = !stuck.contains(name) && !broken(template(obj));
    if (now.observedGeneration() >= generation && (!healthy || now.done())) {
      return; // already acted on this spec: a stalled rollout stays stalled, a finished one finished
    }
    int n = now.desired();
    // a stalled update keeps the old pods ready (as many as wanted still) and adds one new pod that never gets ready
    boolean update = now.observedGeneration() > 0;
    int oldReady = update ? Math.min(n, now.ready()) : 0;
    try {
      if (obj instanceof Deployment d) {
        DeploymentStatus s = healthy
            ? new DeploymentStatusBuilder().withObservedGeneration(generation).withReplicas(n).withUpdatedReplicas(n).withReadyReplicas(n)
                .withAvailableReplicas(n).build()
            : new DeploymentStatusBuilder().withObservedGeneration(generation).withReplicas(update ? oldReady + 1 : n)
                .withUpdatedReplicas(update ? 1 : n).withReadyReplicas(oldReady).withAvailableReplicas(oldReady).build();
        d.setStatus(s);
        client.apps().deployments().resource(d).updateStatus();
      } else if (obj instanceof StatefulSet t) {
        String revision = name + "-" + generation;
        String previous = t.getStatus() == null ? null : t.getStatus().getCurrentRevision();
        StatefulSetStatus s = healthy
            ? new StatefulSetStatusBuilder().withObservedGeneration(generation).withReplicas(n).withUpdatedReplicas(n).withReadyReplicas(n)
                .withAvailableReplicas(n).withCurrentReplicas(n).withCurrentRevision(revision).withUpdateRevision(revision).build()
            // the highest ordinal is replaced first and never comes back ready
            : new StatefulSetStatusBuilder().withObservedGeneration(generation).withReplicas(n).withUpdatedReplicas(update ? 1 : n)
                .withReadyReplicas(update ? Math.max(0, oldReady - 1) : 0).withAvailableReplicas(update ? Math.max(0, oldReady - 1) : 0)
                .withCurrentRevision(update && previous != null ? previous : revision).withUpdateRevision(revision).build();
        t.setStatus(s);
        client.apps().statefulSets().resource(t).updateStatus();
      }
      if (healthy) {
        ready.add(name);
      } else {
        ready.remove(name);
      }
    } catch (KubernetesClientException e) {
      // a newer version raced us; its own update event brings it here again
    }
  }

  private boolean broken(PodTemplateSpec template) {
    if (template == null || template.getSpec() == null) {
      return false;
    }
    return template.getSpec().getContainers().stream().map(Container::getImage).filter(Objects::nonNull)
        .map(image -> image.substring(image.lastIndexOf(':') + 1)).anyMatch(brokenTags::contains);
  }

  private static PodTemplateSpec template(HasMetadata obj) {
    return obj instanceof Deployment d ? d.getSpec().getTemplate() : obj instanceof StatefulSet t ? t.getSpec().getTemplate() : null;
  }
}
