package io.daprx.operator.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@code <app-id>-dapr} Service of every Dapr-enabled Deployment and StatefulSet: created or updated to
 * {@link DaprServiceModel#desired}, deleted when the annotation goes, the app id changes (the old name) or the workload
 * is deleted (owner references would let the garbage collector do it too; deleting ourselves does not depend on it).
 *
 * <p>Informer events only name the workload; reconciles run one at a time on this controller's own thread, which
 * owns every decision. Runs only on the leader.
 */
public final class DaprServiceController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DaprServiceController.class);

  private final KubernetesClient client;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "operator-dapr-services");
    t.setDaemon(true);
    return t;
  });
  private final List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
  private SharedIndexInformer<Deployment> deployments;
  private SharedIndexInformer<StatefulSet> statefulSets;

  public DaprServiceController(KubernetesClient client) {
    this.client = client;
  }

  public DaprServiceController start() {
    deployments = client.apps().deployments().inAnyNamespace().runnableInformer(0);
    deployments.addEventHandler(new Handler<>("Deployment"));
    statefulSets = client.apps().statefulSets().inAnyNamespace().runnableInformer(0);
    statefulSets.addEventHandler(new Handler<>("StatefulSet"));
    informers.add(deployments);
    informers.add(statefulSets);
    informers.forEach(SharedIndexInformer::start);
    LOG.info("keeping the <app-id>-dapr Services of Dapr-enabled Deployments and StatefulSets");
    return this;
  }

  private final class Handler<T extends HasMetadata> implements ResourceEventHandler<T> {
    private final String kind;

    Handler(String kind) {
      this.kind = kind;
    }

    @Override
    public void onAdd(T obj) {
      submit(kind, obj, null);
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
      submit(kind, newObj, null);
    }

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {
      submit(kind, obj, obj.getMetadata().getUid());
    }
  }

  private void submit(String kind, HasMetadata obj, String deletedUid) {
    String ns = obj.getMetadata().getNamespace();
    String name = obj.getMetadata().getName();
    try {
      loop.execute(() -> reconcile(kind, ns, name, deletedUid));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // stopping
    }
  }

  /** Brings the Services of one workload to what it should have. */
  private void reconcile(String kind, String ns, String name, String deletedUid) {
    String what = kind + "(" + ns + "/" + name + ")";
    try {
      HasMetadata workload = current(kind, ns, name);
      String uid = workload != null ? workload.getMetadata().getUid() : deletedUid;
      if (uid == null) {
        return;
      }
      Optional<Service> desired = workload == null ? Optional.empty() : DaprServiceModel.desired(workload);
      String keep = desired.map(s -> s.getMetadata().getName()).orElse(null);
      for (Service owned : client.services().inNamespace(ns).withLabel(DaprServiceModel.ENABLED, "true").list().getItems()) {
        if (DaprServiceModel.controlledBy(owned, uid) && !owned.getMetadata().getName().equals(keep)) {
          client.services().inNamespace(ns).withName(owned.getMetadata().getName()).delete();
          LOG.info("{}: deleted Service({}/{})", what, ns, owned.getMetadata().getName());
        }
      }
      desired.ifPresent(svc -> apply(what, uid, svc));
    } catch (KubernetesClientException e) {
      LOG.warn("{}: cannot reconcile its Dapr Service (HTTP {}): {}; retrying in 5 s", what, e.getCode(), e.getMessage());
      retryLater(kind, ns, name, deletedUid);
    } catch (RuntimeException e) {
      LOG.warn("{}: cannot reconcile its Dapr Service: {}; retrying in 5 s", what, e.toString());
      retryLater(kind, ns, name, deletedUid);
    }
  }

  private void retryLater(String kind, String ns, String name, String deletedUid) {
    try {
      loop.schedule(() -> reconcile(kind, ns, name, deletedUid), 5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // stopping
    }
  }

  private HasMetadata current(String kind, String ns, String name) {
    String key = ns + "/" + name;
    return kind.equals("Deployment") ? deployments.getStore().getByKey(key) : statefulSets.getStore().getByKey(key);
  }

  private void apply(String what, String uid, Service desired) {
    String ns = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    Service existing = client.services().inNamespace(ns).withName(name).get();
    if (existing == null) {
      client.services().inNamespace(ns).resource(desired).create();
      LOG.info("{}: created Service({}/{})", what, ns, name);
      return;
    }
    if (!DaprServiceModel.controlledBy(existing, uid)) {
      boolean ownedByOther = existing.getMetadata().getOwnerReferences() != null
          && existing.getMetadata().getOwnerReferences().stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()));
      if (ownedByOther) {
        LOG.warn("{}: Service({}/{}) belongs to another workload with the same app id; leaving it", what, ns, name);
        return;
      }
    }
    if (same(existing, desired)) {
      return;
    }
    Service updated = existing.edit()
        .editMetadata().addToLabels(desired.getMetadata().getLabels()).addToAnnotations(desired.getMetadata().getAnnotations())
          .withOwnerReferences(desired.getMetadata().getOwnerReferences()).endMetadata()
        .editSpec().withSelector(desired.getSpec().getSelector()).withPorts(desired.getSpec().getPorts()).endSpec()
        .build();
    client.services().inNamespace(ns).resource(updated).update();
    LOG.info("{}: updated Service({}/{})", what, ns, name);
  }

  /** Whether the parts of the Service this controller decides already match. */
  private static boolean same(Service existing, Service desired) {
    var em = existing.getMetadata();
    var dm = desired.getMetadata();
    boolean labels = em.getLabels() != null && em.getLabels().entrySet().containsAll(dm.getLabels().entrySet());
    boolean annotations = em.getAnnotations() != null && em.getAnnotations().entrySet().containsAll(dm.getAnnotations().entrySet());
    return labels && annotations && Objects.equals(em.getOwnerReferences(), dm.getOwnerReferences())
        && Objects.equals(existing.getSpec().getSelector(), desired.getSpec().getSelector())
        && Objects.equals(existing.getSpec().getPorts(), desired.getSpec().getPorts());
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    loop.shutdownNow();
  }
}
