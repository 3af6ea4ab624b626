package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.manager.deploy.Targets;
import io.daprx.manager.model.ControlPlane;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.store.Doc;
import java.nio.file.Path;
import java.util.Optional;

/** Where a cluster's scheduler answers its admin API, and with which trust. */
@FunctionalInterface
public interface SchedulerLocator {

  /** The local Service in front of the scheduler replicas, as upstream's chart names it. */
  String SERVICE = "dapr-scheduler-server-a";

  /**
   * @return empty when the cluster has no scheduler installed
   * @throws DomainException when it has one that cannot answer now (no replica ready)
   */
  Optional<Endpoint> locate(Doc cluster);

  /**
   * @param address {@code host:port} of a replica or a Service in front of them
   * @param trustBundleDir the cluster's CA bundle ({@code ca.crt}, {@code issuer.crt}, {@code issuer.key})
   * @param trustDomain the control plane's trust domain
   * @param namespace the control plane's namespace
   */
  record Endpoint(String address, Path trustBundleDir, String trustDomain, String namespace) {}

  /**
   * A local cluster's scheduler: the {@value #SERVICE} Service of any install, read from the manager's own service
   * model (the Service proxies to the ready replicas); the trust bundle the manager keeps for the cluster.
   */
  static SchedulerLocator local(LocalClusters clusters) {
    return cluster -> {
      for (JsonNode s : clusters.services(cluster, null)) {
        if (!SERVICE.equals(s.path("name").asText())) {
          continue;
        }
        if (s.path("endpoints").isEmpty()) {
          throw DomainException.preconditionFailed("SchedulerNotReady", "No scheduler replica of cluster '"
              + cluster.body().path("name").asText() + "' is ready; see daprx get pods -n " + s.path("namespace").asText()
              + " and daprx logs dapr-scheduler-server-0 -n " + s.path("namespace").asText() + ".");
        }
        return Optional.of(new Endpoint(s.path("address").asText(), Targets.local(cluster).trustBundleDir(), ControlPlane.TRUST_DOMAIN,
            s.path("namespace").asText()));
      }
      return Optional.empty();
    };
  }
}
