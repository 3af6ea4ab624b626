package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.install.LocalCluster;
import io.daprx.manager.local.PodStatus;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.Store;
import io.daprx.manager.deploy.LocalTarget;
import io.daprx.manager.deploy.Targets;
import io.daprx.manager.deploy.ReconcileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a user does with a local cluster beyond its extensions: start, stop, delete, and kubectl-style inspection. */
public final class LocalClusters implements ClusterWorkloads {

  private static final Logger LOG = LoggerFactory.getLogger(LocalClusters.class);

  private final Store store;
  private final Clusters clusters;
  private final Extensions extensions;
  private final OperationRunner runner;
  private final LocalTarget target;
  private final Clock clock;

  public LocalClusters(Store store, Clusters clusters, Extensions extensions, OperationRunner runner, LocalTarget target, Clock clock) {
    this.store = store;
    this.clusters = clusters;
    this.extensions = extensions;
    this.runner = runner;
    this.target = target;
    this.clock = clock;
  }

  /** Deletes a cluster with everything installed on it. */
  public void deleteCluster(Doc cluster) {
    List<String> sharing = clusters.sharingDirectory(cluster);
    if (!sharing.isEmpty()) {
      // Two clusters an earlier daprx mapped onto one directory share its CA, resources, logs and process group: they
      // are the other cluster's as much as this one's, so only the records go; deleting the survivor removes the rest.
      LOG.warn("Cluster({}) shares its directory {} with {}: its records are deleted, the files and processes are left to them",
          cluster.body().path("name").asText(), Targets.local(cluster).dir(), sharing);
      for (Doc ext : store.list(Extensions.KIND, cluster.id())) {
        store.delete(ext.id(), null);
      }
      clusters.deleteCluster(cluster);
      return;
    }
    for (Doc ext : store.list(Extensions.KIND, cluster.id())) {
      target.remove(cluster, OperationRunner.namespace(ext));
      store.delete(ext.id(), null);
    }
    target.purge(cluster);
    clusters.deleteCluster(cluster);
    LOG.info("Cluster({}) deleted", cluster.body().path("name").asText());
  }

  /** Starts a stopped cluster: every installed extension comes back with the same pods, ports and CA. */
  public ObjectNode start(Doc cluster) {
    clusters.setPowerState(cluster, "Running");
    for (Doc ext : store.list(Extensions.KIND, cluster.id())) {
      try {
        runner.restore(ext);
      } catch (ReconcileException e) {
        throw DomainException.conflict("StartFailed", "Extension '" + ext.body().path("name").asText() + "' did not come back: " + e.getMessage());
      }
    }
    return Json.external(store.get(cluster.id()).orElseThrow().body());
  }

  /** Stops every process of the cluster, keeping what is installed. */
  public ObjectNode stop(Doc cluster) {
    for (Doc ext : store.list(Extensions.KIND, cluster.id())) {
      runner.stop(ext);
    }
    clusters.setPowerState(cluster, "Stopped");
    return Json.external(store.get(cluster.id()).orElseThrow().body());
  }

  /** Brings back every cluster that was running when the server last stopped (adopting processes that still run). */
  public void restoreAll() {
    for (Doc cluster : clusters.allClusterDocs()) {
      if (!"Running".equals(cluster.body().path("properties").path("powerState").path("code").asText())) {
        continue;
      }
      for (Doc ext : store.list(Extensions.KIND, cluster.id())) {
        if ("Succeeded".equals(ext.body().path("properties").path("provisioningState").asText())) {
          try {
            runner.restore(ext);
          } catch (ReconcileException | RuntimeException e) {
            LOG.warn("Extension({}) did not come back after the server restarted: {}", ext.body().path("name").asText(), e.getMessage());
          }
        }
      }
    }
  }

  @Override
  public ArrayNode pods(Doc cluster, String namespace) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (Doc ext : installs(cluster, namespace)) {
      String ns = OperationRunner.namespace(ext);
      java.util.Map<String, java.util.Map<String, Integer>> ports = target.podPorts(cluster, ns);
      for (PodStatus p : target.pods(cluster, ns)) {
        ObjectNode o = out.addObject();
        o.put("name", p.name());
        o.put("namespace", ns);
        o.put("component", p.component());
        o.put("ready", p.ready() ? "1/1" : "0/1");
        o.put("status", p.status());
        o.put("restarts", p.restarts());
        o.put("createdAt", p.createdAt().toString());
        if (p.version() != null) {
          o.put("version", p.version());
        }
        if (p.pid() == null) {
          o.putNull("pid");
        } else {
          o.put("pid", p.pid());
        }
        if (p.lastExitReason() != null) {
          o.put("lastExitReason", p.lastExitReason());
        }
        ObjectNode portsOf = o.putObject("ports");
        ports.getOrDefault(p.name(), java.util.Map.of()).forEach(portsOf::put);
      }
    }
    return out;
  }

  @Override
  public ArrayNode services(Doc cluster, String namespace) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (Doc ext : installs(cluster, namespace)) {
      String ns = OperationRunner.namespace(ext);
      // the Services of what the install last reached (a scheduler turned off has none)
      DaprSettings settings = extensions.applied(ext).map(Extensions.Applied::settings).orElseGet(() -> extensions.desiredSettings(ext));
      for (LocalTarget.ServiceView s : target.services(cluster, ns, settings)) {
        ObjectNode o = out.addObject();
        o.put("name", s.name());
        o.put("namespace", ns);
        o.put("type", "ClusterIP");
        // a Service is made by the install and kept by its updates: it is as old as the extension
        if (ext.createdAt() != null) {
          o.put("createdAt", ext.createdAt().toString());
        }
        o.put("address", s.address());
        o.put("port", s.port());
        ArrayNode eps = o.putArray("endpoints");
        s.endpoints().forEach(eps::add);
      }
    }
    return out;
  }

  /** Where a pod's log is; refused when the cluster's installs have no such pod. */
  @Override
  public Path logFile(Doc cluster, String namespace, String pod) {
    Path file = null;
    for (Doc ext : installs(cluster, namespace)) {
      file = file != null ? file : target.logFile(cluster, OperationRunner.namespace(ext), pod);
    }
    if (file == null || !Files.exists(file)) {
      throw DomainException.notFound("PodNotFound", "pods \"" + pod + "\" not found" + (namespace == null ? "" : " in namespace " + namespace));
    }
    return file;
  }

  public ObjectNode trustBundle(Doc cluster) throws IOException {
    LocalCluster lc = io.daprx.manager.deploy.Targets.local(cluster);
    Path ca = lc.trustBundleDir().resolve("ca.crt");
    if (!Files.exists(ca)) {
      throw DomainException.notFound("TrustBundleNotFound", "Cluster '" + cluster.body().path("name").asText()
          + "' has no control plane yet; install one with daprx k8s-extension create.");
    }
    ObjectNode o = Json.object();
    o.put("ca.crt", Files.readString(ca));
    // the issuer's certificate is public (daprd receives it in every SVID chain); `daprx mtls expiry` reads its expiry
    Path issuer = lc.trustBundleDir().resolve("issuer.crt");
    if (Files.exists(issuer)) {
      o.put("issuer.crt", Files.readString(issuer));
    }
    return o;
  }

  private List<Doc> installs(Doc cluster, String namespace) {
    return store.list(Extensions.KIND, cluster.id()).stream()
        .filter(e -> namespace == null || namespace.isBlank() || OperationRunner.namespace(e).equals(namespace))
        .toList();
  }
}
