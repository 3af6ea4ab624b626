package io.daprx.operator.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.operator.cache.ResourceCache;
import io.daprx.operator.resources.Resource;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.operator.resources.Resources;
import io.daprx.operator.resources.SecretResolver;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes mode's source: one informer per Dapr kind, in every namespace, feeding the cache. Secrets are resolved on
 * the informer's thread (a read of the API server must not hold up the cache's loop); a resource whose Secret cannot
 * be read is not passed on, as upstream skips it (the warning names the Secret, never a value).
 */
public final class CrdInformers implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CrdInformers.class);

  private final KubernetesClient client;
  private final ResourceCache cache;
  private final SecretResolver secrets;
  private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();

  public CrdInformers(KubernetesClient client, ResourceCache cache, SecretResolver secrets) {
    this.client = client;
    this.cache = cache;
    this.secrets = secrets;
  }

  /** Starts the informers without waiting for their first lists (see {@link #synced()}). */
  public CrdInformers start() {
    for (ResourceKind kind : ResourceKind.values()) {
      informers.add(client.genericKubernetesResources(context(kind)).inAnyNamespace().runnableInformer(0)
          .addEventHandler(new Handler(kind)));
    }
    informers.forEach(SharedIndexInformer::start);
    return this;
  }

  /** Whether every informer has its first list (then lists answer with what the API server has). */
  public boolean synced() {
    return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }

  private final class Handler implements ResourceEventHandler<GenericKubernetesResource> {
    private final ResourceKind kind;

    Handler(ResourceKind kind) {
      this.kind = kind;
    }

    @Override
    public void onAdd(GenericKubernetesResource obj) {
      upsert(obj);
    }

    @Override
    public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
      upsert(newObj);
    }

    @Override
    public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
      cache.delete(kind, obj.getMetadata().getNamespace(), obj.getMetadata().getName());
    }

    private void upsert(GenericKubernetesResource obj) {
      String what = kind.describe(obj.getMetadata().getNamespace(), obj.getMetadata().getName());
      try {
        JsonNode tree = client.getKubernetesSerialization().convertValue(obj, JsonNode.class);
        Resource r = Resources.of(tree, obj.getMetadata().getNamespace(), secrets);
        cache.upsert(r);
      } catch (IllegalStateException e) {
        LOG.warn("{} not sent to sidecars: {}", what, e.getMessage());
      } catch (RuntimeException e) {
        LOG.warn("{} not sent to sidecars: {}", what, e.toString());
      }
    }
  }

  /** What fabric8's generic client needs to list and watch a kind. */
  static io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext context(ResourceKind kind) {
    return new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder().withGroup(ResourceKind.GROUP)
        .withVersion(kind.servedVersion()).withKind(kind.kind()).withPlural(kind.plural()).withNamespaced(true).build();
  }
}
