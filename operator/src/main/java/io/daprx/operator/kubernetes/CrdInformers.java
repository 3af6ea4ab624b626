package io.daprx.operator.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.operator.cache.ResourceCache;
import io.daprx.operator.resources.Resource;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.operator.resources.Resources;
import io.daprx.operator.resources.SecretResolver;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes mode's source: one informer per Dapr kind, in every namespace, feeding the cache. Secrets are resolved on
 * the informer's thread (a read of the API server must not hold up the cache's loop); a resource whose Secret cannot
 * be read is not passed on, as upstream skips it (the warning names the Secret, never a value).
 *
 * <p>A kind whose CRD the cluster does not have (a cluster that has not got the 1.18 {@code mcpservers.dapr.io} yet, say)
 * is served as having no resources, as upstream's lists answer it, rather than keeping the operator unready: its
 * informer keeps retrying, so resources show once the CRD is applied, without a restart.
 */
public final class CrdInformers implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CrdInformers.class);

  private final KubernetesClient client;
  private final ResourceCache cache;
  private final SecretResolver secrets;
  /**
   * How long an informer may be without its watch before what sidecars get counts as stale. fabric8 re-watches on its
   * own, with backoff, after a dropped connection or an API server restart; that takes seconds, so a minute without a
   * watch means the operator has stopped following the cluster.
   */
  public static final Duration WATCH_GRACE = Duration.ofSeconds(60);

  private final Map<ResourceKind, SharedIndexInformer<GenericKubernetesResource>> informers = new EnumMap<>(ResourceKind.class);
  // kind → when its watch was last seen up (the start, before the first look); written by whoever asks for health
  private final Map<ResourceKind, Instant> lastWatching = new ConcurrentHashMap<>();
  /** The kinds whose last list was answered 404: their CRD is not installed. Written by informer threads. */
  private final Set<ResourceKind> missing = ConcurrentHashMap.newKeySet();

  public CrdInformers(KubernetesClient client, ResourceCache cache, SecretResolver secrets) {
    this.client = client;
    this.cache = cache;
    this.secrets = secrets;
  }

  /** Starts the informers without waiting for their first lists (see {@link #problem}). */
  public CrdInformers start(Instant now) {
    for (ResourceKind kind : ResourceKind.values()) {
      lastWatching.put(kind, now);
      informers.put(kind, client.genericKubernetesResources(context(kind)).inAnyNamespace().runnableInformer(0)
          .addEventHandler(new Handler(kind)).exceptionHandler((started, t) -> retry(kind, t)));
    }
    informers.values().forEach(SharedIndexInformer::start);
    return this;
  }

  /**
   * Why sidecars would not get what the API server has, or null: an informer without its first list yet (lists would
   * be incomplete), one that has stopped, or one whose watch has not been seen up for longer than {@link #WATCH_GRACE}. A kind
   * whose CRD is not installed counts as listed (empty).
   */
  public String problem(Instant now) {
    if (informers.isEmpty()) {
      return "the resource informers are not started";
    }
    for (Map.Entry<ResourceKind, SharedIndexInformer<GenericKubernetesResource>> e : informers.entrySet()) {
      ResourceKind kind = e.getKey();
      SharedIndexInformer<GenericKubernetesResource> informer = e.getValue();
      if (missing.contains(kind)) {
        continue; // no CRD: served as empty, and its informer keeps retrying (a failing list is not a dropped watch)
      }
      if (!informer.hasSynced()) {
        return kind.plural() + " not listed yet";
      }
      if (!informer.isRunning()) {
        return "the " + kind.plural() + " informer has stopped";
      }
      if (informer.isWatching()) {
        lastWatching.put(kind, now);
        continue;
      }
      // measured from when the watch was last seen up, not first seen down: a look that happens to fall in a
      // reconnect must not start a grace that a later look, long after, would find expired
      Instant last = lastWatching.getOrDefault(kind, now);
      if (Duration.between(last, now).compareTo(WATCH_GRACE) > 0) {
        return "no watch on " + kind.plural() + " since " + last + " (the API server is unreachable or refuses the watch)";
      }
    }
    return null;
  }

  /** Every failure is retried (with the informer's back-off); a 404 marks the kind's CRD as not installed. */
  private boolean retry(ResourceKind kind, Throwable t) {
    if (notFound(t)) {
      if (missing.add(kind)) {
        LOG.warn("the CRD {}.{} is not installed: no {} are served until it is", kind.plural(), ResourceKind.GROUP, kind.plural());
      }
    } else {
      LOG.debug("{} informer: {}", kind.kind(), t.toString());
    }
    return true;
  }

  private static boolean notFound(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof KubernetesClientException k && k.getCode() == 404) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    informers.values().forEach(SharedIndexInformer::close);
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
      if (missing.remove(kind)) {
        LOG.info("the CRD {}.{} is installed now", kind.plural(), ResourceKind.GROUP);
      }
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
