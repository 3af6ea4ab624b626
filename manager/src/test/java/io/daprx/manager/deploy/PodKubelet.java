package io.daprx.manager.deploy;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet (and scheduler) for a real API server whose real controllers make the pods: binds every pending pod of
 * the watched namespaces to one node and reports it Running and Ready, so Deployments and StatefulSets roll out as
 * they would on a cluster; finishes the deletion of a terminating pod as a kubelet does once its containers stopped.
 * Pods of a {@link #stuck} workload, or with an image of a {@link #brokenTags broken tag}, are bound but never become
 * ready (the {@link FakeKubelet} of the CRUD mock, one level down: here the controllers are real).
 */
public final class PodKubelet implements AutoCloseable {

  /** Workloads (Deployment or StatefulSet names) whose pods never become ready. */
  public final Set<String> stuck = ConcurrentHashMap.newKeySet();
  /** Image tags whose pods never become ready. */
  public final Set<String> brokenTags = ConcurrentHashMap.newKeySet();
  private final KubernetesClient client;
  private final String node;
  private final Clock clock;
  private final List<SharedIndexInformer<Pod>> informers = new ArrayList<>();

  /** Plays the kubelet of {@code node} for the pods of {@code namespaces}. */
  public PodKubelet(KubernetesClient client, String node, Clock clock, String... namespaces) {
    this.client = client;
    this.node = node;
    this.clock = clock;
    for (String ns : namespaces) {
      informers.add(client.pods().inNamespace(ns).inform(new ResourceEventHandler<>() {
        @Override
        public void onAdd(Pod pod) {
          observe(pod);
        }

        @Override
        public void onUpdate(Pod oldPod, Pod newPod) {
          observe(newPod);
        }

        @Override
        public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {}
      }));
    }
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::stop);
  }

  private void observe(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    try {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        // a real kubelet stops the containers, then removes the pod for good; without this it stays Terminating forever
        client.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete();
        return;
      }
      if (pod.getSpec().getNodeName() == null) {
        Binding binding = new BindingBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
            .withNewTarget().withKind("Node").withName(node).withApiVersion("v1").endTarget().build();
        client.bindings().inNamespace(ns).resource(binding).create();
        return; // the bound pod comes back as an update
      }
      boolean healthy = !stuck.contains(workload(pod)) && !broken(pod);
      if ("Running".equals(phase(pod)) && ready(pod) == healthy) {
        return;
      }
      pod.setStatus(status(pod, healthy));
      client.pods().inNamespace(ns).resource(pod).updateStatus();
    } catch (KubernetesClientException e) {
      // a newer version or a deletion raced us: its own event brings the pod here again
    }
  }

  private PodStatus status(Pod pod, boolean ready) {
    String now = Instant.now(clock).toString();
    String isReady = ready ? "True" : "False";
    List<PodCondition> conditions = List.of(condition("PodScheduled", "True", now), condition("Initialized", "True", now),
        condition("ContainersReady", isReady, now), condition("Ready", isReady, now));
    List<ContainerStatus> containers = pod.getSpec().getContainers().stream()
        .map(c -> new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withImageID("")
            .withReady(ready).withStarted(true).withRestartCount(0).withNewState().withNewRunning().withStartedAt(now).endRunning().endState()
            .build())
        .toList();
    PodStatus s = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    s.setPhase("Running");
    s.setHostIP("10.1.0.1");
    s.setPodIP(s.getPodIP() != null ? s.getPodIP() : "10.2." + (Math.abs(pod.getMetadata().getUid().hashCode()) % 250) + "." + (1 + Math.abs(
        pod.getMetadata().getName().hashCode()) % 250));
    s.setStartTime(s.getStartTime() != null ? s.getStartTime() : now);
    s.setConditions(conditions);
    s.setContainerStatuses(containers);
    return s;
  }

  private static PodCondition condition(String type, String status, String now) {
    return new PodConditionBuilder().withType(type).withStatus(status).withLastTransitionTime(now).build();
  }

  /** The Deployment or StatefulSet a pod belongs to: its owner's name, less a ReplicaSet's template-hash suffix. */
  private static String workload(Pod pod) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    if (owners == null || owners.isEmpty()) {
      return pod.getMetadata().getName();
    }
    OwnerReference owner = owners.get(0);
    return "ReplicaSet".equals(owner.getKind()) ? owner.getName().substring(0, Math.max(0, owner.getName().lastIndexOf('-'))) : owner.getName();
  }

  private boolean broken(Pod pod) {
    return pod.getSpec().getContainers().stream().map(Container::getImage).filter(Objects::nonNull)
        .map(image -> image.substring(image.lastIndexOf(':') + 1)).anyMatch(brokenTags::contains);
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
