package io.daprx.manager.deploy;

import io.daprx.manager.model.ArmIds;
import io.daprx.manager.install.LocalCluster;
import io.daprx.manager.store.Doc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Chooses the target of a cluster: local processes for {@code managedClusters}, Kubernetes for {@code connectedClusters}. */
public final class Targets implements Target {

  private static final String CONNECTED = "/providers/" + ArmIds.clusterProvider("connectedClusters").toLowerCase(Locale.ROOT) + "/";

  private final Target local;
  private final Target kubernetes;

  public Targets(Target local, Target kubernetes) {
    this.local = local;
    this.kubernetes = kubernetes;
  }

  /** Whether a stored cluster is a connected (Kubernetes) cluster. */
  public static boolean isConnected(Doc cluster) {
    return cluster.id().toLowerCase(Locale.ROOT).contains(CONNECTED);
  }

  /**
   * The local view of a stored cluster, for the desired state of its installs. A cluster stored without its block size
   * was created by a daprx that gave every cluster {@link LocalCluster#LEGACY_PORT_BLOCK} ports.
   */
  public static LocalCluster local(Doc cluster) {
    com.fasterxml.jackson.databind.JsonNode local = cluster.body().path("_local");
    return new LocalCluster(cluster.id(), Path.of(local.path("dir").asText()), local.path("portBase").asInt(),
        local.path("portBlock").asInt(LocalCluster.LEGACY_PORT_BLOCK), null);
  }

  Target of(Doc cluster) {
    return isConnected(cluster) ? kubernetes : local;
  }

  @Override
  public List<ComponentStatus> apply(Doc cluster, Install install, Duration timeout) throws ReconcileException {
    return of(cluster).apply(cluster, install, timeout);
  }

  @Override
  public void publish(Doc cluster, String namespace, com.fasterxml.jackson.databind.node.ObjectNode extension,
      com.fasterxml.jackson.databind.node.ArrayNode operations) {
    of(cluster).publish(cluster, namespace, extension, operations);
  }

  @Override
  public void remove(Doc cluster, String namespace) {
    of(cluster).remove(cluster, namespace);
  }

  @Override
  public void remove(Doc cluster, String namespace, String owner) {
    of(cluster).remove(cluster, namespace, owner);
  }

  @Override
  public void stop(Doc cluster, String namespace) {
    of(cluster).stop(cluster, namespace);
  }
}
