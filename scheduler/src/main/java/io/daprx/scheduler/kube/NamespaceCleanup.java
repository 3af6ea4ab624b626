package io.daprx.scheduler.kube;

import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobSelector;
import io.daprx.scheduler.job.JobStore;
import io.daprx.scheduler.job.StoredJob;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On Kubernetes, a deleted namespace takes its jobs and reminders with it, as upstream's scheduler does: the apps
 * that made them are gone, and a namespace created again later under the same name must not inherit them. Namespaces
 * deleted while no replica was watching are caught at start, once the informer has listed the ones that exist.
 * Deletes go through the store's one write path; every replica may issue the same one, which is harmless.
 */
public final class NamespaceCleanup implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NamespaceCleanup.class);

  private final KubernetesClient client;
  private final JobStore store;
  private SharedIndexInformer<Namespace> informer;

  public NamespaceCleanup(KubernetesClient client, JobStore store) {
    this.client = client;
    this.store = store;
  }

  /** Watches namespaces; returns once the existing ones are listed and the jobs of missing ones are deleted. */
  public NamespaceCleanup start() {
    informer = client.namespaces().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Namespace ns) {
        // a namespace that exists keeps its jobs
      }

      @Override
      public void onUpdate(Namespace before, Namespace after) {
        // terminating is not deleted yet: apps may still be shutting down and deleting their own jobs
      }

      @Override
      public void onDelete(Namespace ns, boolean finalStateUnknown) {
        deleteJobsOf(ns.getMetadata().getName());
      }
    }, 0);
    Set<String> existing = informer.getStore().list().stream().map(n -> n.getMetadata().getName())
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> withJobs = store.list(JobSelector.all()).stream().map(StoredJob::key).map(k -> k.owner().namespace())
        .collect(Collectors.toCollection(TreeSet::new));
    withJobs.removeAll(existing);
    withJobs.forEach(this::deleteJobsOf);
    return this;
  }

  private void deleteJobsOf(String namespace) {
    store.apply(new JobCommand.DeleteWhere(JobSelector.namespace(namespace))).whenComplete((outcome, error) -> {
      if (error != null) {
        LOG.warn("namespace {} is gone but deleting its jobs failed (the next start tries again): {}", namespace, error.toString());
      } else if (!outcome.removed().isEmpty()) {
        LOG.info("namespace {} is gone: deleted its {} jobs and reminders", namespace, outcome.removed().size());
      }
    });
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }
}
