package io.daprx.manager.engine;

import io.daprx.common.dapr.ResourceKind;
import io.daprx.common.io.AtomicFiles;
import io.daprx.common.yaml.BoundedYaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.install.DaprResource;
import io.daprx.manager.install.LocalCluster;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dapr.io} resources of a local cluster — what {@code daprx apply -f}, {@code get components} and
 * {@code delete component} work on. One YAML file per object in the cluster's resources directory, which the
 * operator replicas watch (standalone mode). This class is the only writer of that directory; every write is
 * a whole file moved into place, so an operator never reads half an object — nor does a list or get here, which
 * therefore take no lock. Writes to one cluster are serialised by that cluster's own lock: a slow apply to one
 * cluster never holds up another's. Reads go through {@link BoundedYaml}'s limits (a file someone put there by hand
 * may be huge), and no object is written that the operators' reader would refuse.
 */
public final class ClusterResources {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterResources.class);
  static final ObjectMapper YAML = new ObjectMapper(BoundedYaml.factory().build()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      // a string that looks like a number ("1", a port, "true") must read back as the string it is
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

  /**
   * The largest object applied, as written: within what the operators read ({@link BoundedYaml#MAX_FILE_BYTES}), with
   * room for the metadata added here (uid, timestamps, versions).
   */
  static final int MAX_OBJECT_BYTES = BoundedYaml.MAX_FILE_BYTES - 4096;

  private final Store store;
  private final Clock clock;
  /** One lock per cluster's resources directory (a handful of clusters: never evicted). */
  private final ConcurrentHashMap<Path, Object> locks = new ConcurrentHashMap<>();

  public ClusterResources(Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** The outcome of one object of an apply, in kubectl's words: created, configured or unchanged. */
  public record Applied(String reference, String namespace, String name, String result) {}

  /**
   * Applies every object or none: all are checked before the first is written, so a typo in the third document
   * never leaves the first two applied and the user guessing what happened.
   */
  public List<Applied> apply(Doc cluster, JsonNode items, String namespaceFlag) {
    LocalCluster lc = requireDapr(cluster);
    if (items == null || !items.isArray() || items.isEmpty()) {
      throw DomainException.invalid("NoObjectsPassed", "no objects passed to apply: send {\"items\": [ ...resources... ]}");
    }
    List<DaprResource> parsed = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int i = 0;
    for (JsonNode item : items) {
      i++;
      String where = item.path("_source").asText("object " + i);
      try {
        if (item instanceof ObjectNode o) {
          o.remove("_source");
        }
        DaprResource r = DaprResource.parse(item, where, namespaceFlag);
        int size = YAML.writeValueAsBytes(r.body()).length;
        if (size > MAX_OBJECT_BYTES) {
          problems.add(r.kind().reference() + " \"" + r.name() + "\" (" + where + ") is " + String.format(java.util.Locale.ROOT,
              "%,d", size) + " bytes; a resource may be at most " + MAX_OBJECT_BYTES / 1024 + " KiB. Keep large values"
              + " (certificates, data) out of it, e.g. in a secret store referenced with secretKeyRef");
        } else {
          parsed.add(r);
        }
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      } catch (java.io.IOException e) {
        throw new UncheckedIOException("cannot render " + where + " as YAML: " + e.getMessage(), e);
      }
    }
    for (int a = 0; a < parsed.size(); a++) {
      for (int b = a + 1; b < parsed.size(); b++) {
        if (parsed.get(a).fileName().equals(parsed.get(b).fileName())) {
          problems.add(parsed.get(b).kind().reference() + " \"" + parsed.get(b).name() + "\" appears twice in one apply; keep one");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw DomainException.invalid("Invalid", "nothing was applied: " + String.join("\n", problems));
    }
    List<Applied> out = new ArrayList<>();
    synchronized (lockOf(lc)) {
      for (DaprResource r : parsed) {
        out.add(new Applied(r.kind().reference(), r.namespace(), r.name(), write(lc, r)));
      }
    }
    return out;
  }

  /** Every object of a kind, oldest first (by name within a namespace), as the API server lists them. */
  public ArrayNode list(Doc cluster, ResourceKind kind, String namespace) {
    LocalCluster lc = requireDapr(cluster);
    ArrayNode out = Json.MAPPER.createArrayNode();
    List<ObjectNode> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(lc.resourcesDir(), kind.plural() + "_*.yaml")) {
      for (Path f : files) {
        ObjectNode o = read(f);
        if (o != null && (namespace == null || namespace.isBlank() || namespace.equals(o.path("metadata").path("namespace").asText()))) {
          found.add(o);
        }
      }
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + lc.resourcesDir() + ": " + e.getMessage(), e);
    }
    found.sort(Comparator.comparing((ObjectNode o) -> o.path("metadata").path("namespace").asText())
        .thenComparing(o -> o.path("metadata").path("name").asText()));
    found.forEach(out::add);
    return out;
  }

  public ObjectNode get(Doc cluster, ResourceKind kind, String namespace, String name) {
    LocalCluster lc = requireDapr(cluster);
    ObjectNode o = read(lc.resourcesDir().resolve(fileName(kind, namespace, name)));
    if (o == null) {
      throw notFound(kind, name, namespace);
    }
    return o;
  }

  public void delete(Doc cluster, ResourceKind kind, String namespace, String name) {
    LocalCluster lc = requireDapr(cluster);
    Path file = lc.resourcesDir().resolve(fileName(kind, namespace, name));
    try {
      boolean deleted;
      synchronized (lockOf(lc)) {
        deleted = Files.deleteIfExists(file);
      }
      if (!deleted) {
        throw notFound(kind, name, namespace);
      }
      LOG.info("{}({}/{}) deleted", kind.kind(), ns(namespace), name);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + kind.kind() + " " + name + ": " + e.getMessage(), e);
    }
  }

  private Object lockOf(LocalCluster lc) {
    return locks.computeIfAbsent(lc.resourcesDir().toAbsolutePath().normalize(), d -> new Object());
  }

  private String write(LocalCluster lc, DaprResource r) {
    Path file = lc.resourcesDir().resolve(r.fileName());
    ObjectNode existing = read(file);
    ObjectNode next = r.body().deepCopy();
    ObjectNode meta = next.with("metadata");
    String result;
    if (existing == null) {
      meta.put("uid", UUID.randomUUID().toString());
      meta.put("creationTimestamp", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
      meta.put("generation", 1);
      meta.put("resourceVersion", "1");
      result = "created";
    } else {
      ObjectNode before = existing.deepCopy();
      JsonNode oldMeta = existing.path("metadata");
      ((ObjectNode) before.get("metadata")).remove(List.of("uid", "creationTimestamp", "generation", "resourceVersion"));
      if (before.equals(r.body())) {
        return "unchanged";
      }
      meta.put("uid", oldMeta.path("uid").asText());
      meta.put("creationTimestamp", oldMeta.path("creationTimestamp").asText());
      boolean specChanged = !before.path("spec").equals(r.body().path("spec"));
      meta.put("generation", oldMeta.path("generation").asLong(1) + (specChanged ? 1 : 0));
      meta.put("resourceVersion", Long.toString(oldMeta.path("resourceVersion").asLong(0) + 1));
      result = "configured";
    }
    try {
      // written beside the target under a hidden name operators do not read, then renamed over it in one step
      AtomicFiles.replace(file, YAML.writeValueAsBytes(next));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + r.kind().kind() + " " + r.name() + " to " + file + ": " + e.getMessage(), e);
    }
    LOG.info("{}({}/{}) {}", r.kind().kind(), r.namespace(), r.name(), result);
    return result;
  }

  private static ObjectNode read(Path file) {
    try {
      if (Files.exists(file) && !Files.isRegularFile(file)) {
        LOG.warn("skipping resource file {}: not a regular file", file);
        return null;
      }
      JsonNode n = YAML.readTree(BoundedYaml.readFile(file));
      return n instanceof ObjectNode o ? o : null;
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return null;
    } catch (BoundedYaml.Invalid e) {
      LOG.warn("skipping resource file {}: {}", file, e.getMessage());
      return null;
    } catch (IOException e) {
      LOG.warn("skipping unreadable resource file {}: {}", file, BoundedYaml.describe(e));
      return null;
    }
  }

  /**
   * A cluster has the Dapr resource types once an extension is installed on it, as the CRDs come with the
   * install on Kubernetes.
   */
  private LocalCluster requireDapr(Doc cluster) {
    if (io.daprx.manager.deploy.Targets.isConnected(cluster)) {
      // a connected cluster's resources live in its API server, where the operators read them
      throw DomainException.invalid("NotALocalCluster", "cluster '" + cluster.body().path("name").asText()
          + "' is a connected Kubernetes cluster: manage its Dapr resources with kubectl apply/get/delete against it");
    }
    if (store.list(Extensions.KIND, cluster.id()).isEmpty()) {
      throw DomainException.notFound("ResourceTypeNotFound", "cluster '" + cluster.body().path("name").asText()
          + "' has no dapr.io resource types: install the Dapr extension on it first (daprx k8s-extension create"
          + " --extension-type Microsoft.Dapr ...)");
    }
    return io.daprx.manager.deploy.Targets.local(cluster);
  }

  private static String fileName(ResourceKind kind, String namespace, String name) {
    if (name == null || name.isBlank() || name.contains("/") || name.contains("_") || name.startsWith(".")) {
      throw DomainException.invalid("InvalidName", "\"" + name + "\" is not a valid resource name");
    }
    if (namespace != null && !namespace.isBlank() && !namespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
      throw DomainException.invalid("InvalidNamespace", "\"" + namespace + "\" is not a valid namespace name");
    }
    return DaprResource.fileName(kind, ns(namespace), name);
  }

  private static String ns(String namespace) {
    return namespace == null || namespace.isBlank() ? "default" : namespace;
  }

  private static DomainException notFound(ResourceKind kind, String name, String namespace) {
    return DomainException.notFound("NotFound", kind.plural() + ".dapr.io \"" + name + "\" not found in namespace " + ns(namespace));
  }
}
