package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.model.ArmIds;
import io.daprx.manager.install.LocalCluster;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.Store;
import io.daprx.manager.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Resource groups and local managed clusters. A local cluster is a directory (trust bundle, logs,
 * process state) and a block of loopback ports of its own, so several clusters run side by side.
 */
public final class Clusters {

  public static final String RG_KIND = "resourceGroup";
  public static final String CLUSTER_KIND = "cluster";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9_.]{0,62}");

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Clusters.class);
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  private final Store store;
  private final String subscription;
  private final Path clustersDir;
  private final int portRangeStart;

  public Clusters(Store store, String subscription, Path clustersDir, int portRangeStart) {
    this.store = store;
    this.subscription = subscription;
    this.clustersDir = clustersDir;
    this.portRangeStart = portRangeStart;
  }

  // ---- resource groups

  public ObjectNode putResourceGroup(String rg, String location) {
    checkName("resource group", rg);
    String id = ArmIds.resourceGroup(subscription, rg);
    ObjectNode body = Json.object();
    body.put("id", id);
    body.put("name", rg);
    body.put("location", location == null || location.isBlank() ? "local" : location);
    body.putObject("properties").put("provisioningState", "Succeeded");
    body.put("type", "Microsoft.Resources/resourceGroups");
    try {
      return Json.external(store.create(id, RG_KIND, ArmIds.subscription(subscription), body).body());
    } catch (StoreException e) {
      if (e.reason() == StoreException.Reason.CONFLICT) {
        return resourceGroup(rg);
      }
      throw e;
    }
  }

  public ObjectNode resourceGroup(String rg) {
    return Json.external(resourceGroupDoc(rg).body());
  }

  Doc resourceGroupDoc(String rg) {
    return store.get(ArmIds.resourceGroup(subscription, rg)).orElseThrow(() -> DomainException.notFound("ResourceGroupNotFound",
        "Resource group '" + rg + "' could not be found. Create it with: daprx group create -n " + rg));
  }

  public ArrayNode resourceGroups() {
    ArrayNode out = Json.MAPPER.createArrayNode();
    store.list(RG_KIND, ArmIds.subscription(subscription)).forEach(d -> out.add(Json.external(d.body())));
    return out;
  }

  public void deleteResourceGroup(String rg) {
    Doc d = resourceGroupDoc(rg);
    if (!store.list(CLUSTER_KIND, d.id()).isEmpty()) {
      throw DomainException.conflict("ResourceGroupNotEmpty", "Resource group '" + rg + "' still holds clusters; delete them first.");
    }
    store.delete(d.id(), null);
  }

  // ---- clusters

  /** Creates a local managed cluster: allocates its port block and directory. */
  public ObjectNode createManaged(String rg, String name, String location) {
    checkName("cluster", name);
    Doc group = resourceGroupDoc(rg);
    String id = ArmIds.cluster(subscription, rg, "managedClusters", name);
    if (store.get(id).isPresent()) {
      throw DomainException.conflict("ClusterAlreadyExists", "Cluster '" + name + "' already exists in resource group '" + rg + "'.");
    }
    Path dir = claimDirectory();
    try {
      return store.inTransaction(s -> create(s, id, name, location, group, dir));
    } catch (RuntimeException e) {
      deleteEmpty(dir); // nothing of anyone's is in it yet
      throw e;
    }
  }

  private ObjectNode create(Store s, String id, String name, String location, Doc group, Path dir) {
    int portBase = allocatePortBase();
    ObjectNode body = Json.object();
    body.put("id", id);
    body.put("name", name);
    body.put("type", "Microsoft.ContainerService/ManagedClusters");
    body.put("location", location == null || location.isBlank() ? group.body().path("location").asText("local") : location);
    ObjectNode props = body.putObject("properties");
    props.put("provisioningState", "Succeeded");
    props.putObject("powerState").put("code", "Running");
    props.put("kubernetesVersion", "local");
    props.put("fqdn", "127.0.0.1");
    props.put("createdAt", Instant.now().toString());
    ObjectNode local = body.putObject("_local");
    local.put("portBase", portBase);
    local.put("portBlock", LocalCluster.PORT_BLOCK);
    local.put("dir", dir.toString());
    return Json.external(s.create(id, CLUSTER_KIND, group.id(), body).body());
  }

  /**
   * A new cluster's directory, named by a random id rather than by the cluster's names: joined names collide (group
   * {@code a_b} with cluster {@code c}, group {@code a} with cluster {@code b_c}), and two clusters would share — and
   * one's deletion destroy — a CA key, resources and logs. The id holds no {@code _}, so it never equals a directory an
   * earlier daprx named {@code <group>_<cluster>} (which stays its cluster's: every cluster's directory is recorded in
   * its {@code _local.dir}), and the directory is created here, exclusively, so it is never one that exists already.
   */
  private Path claimDirectory() {
    try {
      Files.createDirectories(clustersDir, OWNER_ONLY);
      return Files.createDirectory(clustersDir.resolve(UUID.randomUUID().toString()), OWNER_ONLY);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a cluster directory in " + clustersDir + ": " + e.getMessage(), e);
    }
  }

  private static void deleteEmpty(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      LOG.warn("cannot delete the unused cluster directory {}: {}", dir, e.getMessage());
    }
  }

  /**
   * The other stored clusters recorded with the same directory as this one: possible only for clusters an earlier daprx
   * named by their joined names. Their files are each other's, so neither's deletion may remove them.
   */
  public List<String> sharingDirectory(Doc cluster) {
    if (cluster.body().path("_local").path("dir").asText("").isEmpty()) {
      return List.of();
    }
    Path dir = io.daprx.manager.deploy.Targets.local(cluster).dir().toAbsolutePath().normalize();
    return store.list(CLUSTER_KIND, null).stream()
        .filter(d -> !d.id().equals(cluster.id()) && !d.body().path("_local").path("dir").asText("").isEmpty())
        .filter(d -> io.daprx.manager.deploy.Targets.local(d).dir().toAbsolutePath().normalize().equals(dir))
        .map(Doc::id)
        .toList();
  }

  public Doc clusterDoc(String rg, String clusterType, String name) {
    String id = ArmIds.cluster(subscription, rg, clusterType, name);
    return store.get(id).orElseThrow(() -> {
      resourceGroupDoc(rg); // a missing group is the better message
      return DomainException.notFound("ResourceNotFound", "The Resource '" + ArmIds.clusterProvider(clusterType) + "/" + name
          + "' under resource group '" + rg + "' was not found. " + (clusterType.equalsIgnoreCase("connectedClusters")
          ? "Connect it with: daprx connectedk8s connect -g " + rg + " -n " + name + " --kubeconfig FILE"
          : "Create it with: daprx cluster create -g " + rg + " -n " + name));
    });
  }

  /** The clusters of one type ({@code managedClusters} or {@code connectedClusters}), of a group or of all groups. */
  public ArrayNode clusters(String rg, String clusterType) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    String provider = "/providers/" + ArmIds.clusterProvider(clusterType).toLowerCase(Locale.ROOT) + "/";
    List<Doc> docs = rg == null ? store.list(CLUSTER_KIND, null) : store.list(CLUSTER_KIND, resourceGroupDoc(rg).id());
    docs.stream().filter(d -> d.id().toLowerCase(Locale.ROOT).contains(provider)).forEach(d -> out.add(Json.external(d.body())));
    return out;
  }

  public List<Doc> allClusterDocs() {
    return store.list(CLUSTER_KIND, null);
  }

  public void setPowerState(Doc cluster, String code) {
    ObjectNode body = cluster.body().deepCopy();
    ((ObjectNode) body.path("properties").path("powerState")).put("code", code);
    store.update(cluster.id(), body, null);
  }

  public void deleteCluster(Doc cluster) {
    store.delete(cluster.id(), null);
  }

  /**
   * The first port of a free block of {@link LocalCluster#PORT_BLOCK} ports. A block is free when it overlaps no stored
   * cluster's block — each as large as the daprx that created it made it, so the smaller blocks of clusters created
   * before the scheduler (every {@link LocalCluster#LEGACY_PORT_BLOCK} ports from the range's start) are respected
   * although new blocks no longer line up with them — nor the kernel's ephemeral range, and its first ports are free.
   */
  private int allocatePortBase() {
    List<int[]> used = new java.util.ArrayList<>();
    for (Doc d : store.list(CLUSTER_KIND, null)) {
      if (!d.body().path("_local").isMissingNode()) {
        LocalCluster lc = io.daprx.manager.deploy.Targets.local(d);
        used.add(new int[] {lc.portBase(), lc.portBase() + lc.portBlock()});
      }
    }
    int[] ephemeral = ephemeralPorts();
    int base = portRangeStart;
    while (base + LocalCluster.PORT_BLOCK <= 65535) {
      int end = base + LocalCluster.PORT_BLOCK;
      // The kernel hands ports of its ephemeral range to outgoing connections (probes, gRPC clients, proxies): a
      // replica restarting on such a port can find it taken by some connection and crash-loop until it closes.
      if (base < ephemeral[1] && end > ephemeral[0]) {
        base = Math.max(base + LocalCluster.PORT_BLOCK, ephemeral[1]);
        continue;
      }
      int from = base;
      int[] clash = used.stream().filter(u -> from < u[1] && end > u[0]).findFirst().orElse(null);
      if (clash != null) {
        base = clash[1]; // right after the cluster in the way
        continue;
      }
      if (free(base) && free(base + LocalCluster.SERVICE_OFFSET)) {
        return base;
      }
      base = end;
    }
    throw DomainException.conflict("NoPortsLeft", "No free block of " + LocalCluster.PORT_BLOCK + " loopback ports from " + portRangeStart
        + "; delete a cluster or start the server with another DAPRX_PORT_RANGE_START.");
  }

  /** The kernel's ephemeral port range (Linux), or an empty range where it cannot be read. */
  static int[] ephemeralPorts() {
    try {
      String[] parts = java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]) + 1};
    } catch (IOException | RuntimeException e) {
      return new int[] {0, 0};
    }
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void checkName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw DomainException.invalid("InvalidName", "Invalid " + what + " name '" + name
          + "': use 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit.");
    }
  }
}
