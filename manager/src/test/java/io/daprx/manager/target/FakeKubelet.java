package io.daprx.manager.target;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Plays the kubelet for the CRUD API server, which runs no pods: sets {@code status.readyReplicas} on every
 * Deployment and StatefulSet as it appears or changes, except the workloads told to stay {@link #stuck}.
 */
public final class FakeKubelet implements AutoCloseable {

  /** Workloads that never become ready. */
  public final Set<String> stuck = ConcurrentHashMap.newKeySet();
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
      markReady(obj);
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
      markReady(newObj);
    }

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {
      ready.remove(obj.getMetadata().getName());
    }
  }

  private void markReady(HasMetadata obj) {
    String name = obj.getMetadata().getName();
    if (stuck.contains(name) || KubernetesTarget.readyReplicas(obj) >= KubernetesTarget.desiredReplicas(obj)) {
      return;
    }
    int n = KubernetesTarget.desiredReplicas(obj);
    try {
      if (obj instanceof Deployment d) {
        d.setStatus(new DeploymentStatusBuilder().withReplicas(n).withReadyReplicas(n).build());
        client.apps().deployments().resource(d).updateStatus();
      } else if (obj instanceof StatefulSet s) {
        s.setStatus(new StatefulSetStatusBuilder().withReplicas(n).withReadyReplicas(n).build());
        client.apps().statefulSets().resource(s).updateStatus();
      }
      ready.add(name);
    } catch (KubernetesClientException e) {
      // a newer version raced us; its own update event marks it ready
    }
  }
}
