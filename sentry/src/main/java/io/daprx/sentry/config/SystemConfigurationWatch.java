package io.daprx.sentry.config;

import io.daprx.common.runtime.GoDuration;
import io.daprx.sentry.ca.IssuancePolicy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes mode's issuance policy: the one owner of the TTL and clock skew in force, taken from the Dapr
 * Configuration named by {@code --config} (upstream's default {@code daprsystem}) in sentry's namespace, over the
 * flags. Upstream reads that Configuration once at start; here an informer keeps it, so {@code kubectl edit
 * configuration daprsystem} applies to the certificates signed afterwards without a restart.
 */
public final class SystemConfigurationWatch implements Supplier<IssuancePolicy>, AutoCloseable {

  /** Upstream's default for {@code --config}. */
  public static final String DEFAULT_NAME = "daprsystem";

  static final ResourceDefinitionContext CONFIGURATIONS = new ResourceDefinitionContext.Builder()
      .withGroup("dapr.io").withVersion("v1alpha1").withKind("Configuration").withPlural("configurations").withNamespaced(true)
      .build();

  private static final Logger LOG = LoggerFactory.getLogger(SystemConfigurationWatch.class);

  private final String namespace;
  private final String name;
  private final IssuancePolicy flags;
  private final AtomicReference<IssuancePolicy> current;
  private final AtomicReference<String> lastFailure = new AtomicReference<>();
  private SharedIndexInformer<GenericKubernetesResource> informer;

  private SystemConfigurationWatch(String namespace, String name, IssuancePolicy flags) {
    this.namespace = namespace;
    this.name = name;
    this.flags = flags;
    this.current = new AtomicReference<>(flags);
  }

  /**
   * Starts watching Configuration {@code namespace/name} and waits up to {@code firstRead} for its first read, so
   * the first certificates already follow it. When it cannot be read in time sentry starts with the flags' values
   * and the informer keeps trying in the background.
   */
  public static SystemConfigurationWatch start(KubernetesClient client, String namespace, String name, IssuancePolicy flags,
      Duration firstRead) {
    SystemConfigurationWatch watch = new SystemConfigurationWatch(namespace, name, flags);
    watch.informer = client.genericKubernetesResources(CONFIGURATIONS).inNamespace(namespace).withName(name)
        .runnableInformer(0)
        .addEventHandler(watch.new Handler())
        // keep retrying whatever the failure (CRD not installed yet, RBAC fixed later): the flags apply meanwhile
        .exceptionHandler(watch::onFailure);
    try {
      watch.informer.start().toCompletableFuture().get(firstRead.toMillis(), TimeUnit.MILLISECONDS);
      if (watch.informer.getStore().list().isEmpty()) {
        LOG.info("no {}: issuing with {} from the flags", watch.describe(), flags);
      }
    } catch (TimeoutException | ExecutionException e) {
      LOG.warn("cannot read {} within {}: issuing with {} from the flags until it can be read", watch.describe(),
          GoDuration.format(firstRead), flags);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      watch.close();
      throw new IllegalStateException("interrupted while reading " + watch.describe(), e);
    }
    return watch;
  }

  /** The TTL and skew to sign the next certificate with. */
  @Override
  public IssuancePolicy get() {
    return current.get();
  }

  /** Called on the informer's one event thread, which makes it the only writer. */
  private void apply(Map<String, Object> spec, String event) {
    IssuancePolicy before = current.get();
    MtlsSettings.Resolved r = MtlsSettings.resolve(spec, flags, before);
    for (String w : r.warnings()) {
      LOG.warn("{}: {}", describe(), w);
    }
    current.set(r.policy());
    if (!event.equals("changed") || !Objects.equals(before, r.policy())) {
      LOG.info("{} {}: certificates signed from now on get {}", describe(), event, r.policy());
    }
  }

  private boolean onFailure(boolean started, Throwable t) {
    String what = t.getMessage() != null ? t.getMessage() : t.toString();
    if (!what.equals(lastFailure.getAndSet(what))) {
      LOG.warn("cannot {} {} (retrying; certificates keep {}): {}", started ? "watch" : "read", describe(), current.get(), what);
    }
    return true;
  }

  private String describe() {
    return "Configuration(" + namespace + "/" + name + ")";
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }

  private final class Handler implements ResourceEventHandler<GenericKubernetesResource> {
    @Override
    public void onAdd(GenericKubernetesResource obj) {
      lastFailure.set(null);
      apply(spec(obj), "read");
    }

    @Override
    public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
      apply(spec(newObj), "changed");
    }

    @Override
    public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
      apply(null, "deleted");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> spec(GenericKubernetesResource obj) {
      return obj.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
  }
}
