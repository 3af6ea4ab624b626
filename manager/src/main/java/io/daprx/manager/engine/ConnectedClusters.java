package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.model.ArmIds;
import io.daprx.manager.security.SecretBox;
import io.daprx.manager.store.Doc;
import io.daprx.manager.store.Store;
import io.daprx.manager.deploy.Target;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes clusters reached with a kubeconfig ({@code connectedk8s connect}). The kubeconfig is stored
 * sealed in the internal {@code _kube} field, so it is never returned, logged, or kept in clear on disk. One that would
 * run a command or read a file on this server ({@link KubeconfigReach}) is refused unless the server was started with
 * {@value #ALLOW_FLAG}.
 */
public final class ConnectedClusters {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectedClusters.class);
  public static final String TYPE = "Microsoft.Kubernetes/connectedClusters";
  /** The server's opt-in to kubeconfigs with exec plugins, auth providers and file references. */
  public static final String ALLOW_FLAG = "--allow-kubeconfig-exec";

  private final Store store;
  private final Clusters clusters;
  private final String subscription;
  private final SecretBox secrets;
  private final Clock clock;
  private final Duration probeTimeout;
  private final boolean allowExec;

  /** Refusing kubeconfigs that reach beyond their text. */
  public ConnectedClusters(Store store, Clusters clusters, String subscription, SecretBox secrets, Clock clock, Duration probeTimeout) {
    this(store, clusters, subscription, secrets, clock, probeTimeout, false);
  }

  /** @param allowExec the server's {@value #ALLOW_FLAG}: kubeconfigs may run commands and read files here */
  public ConnectedClusters(Store store, Clusters clusters, String subscription, SecretBox secrets, Clock clock, Duration probeTimeout,
      boolean allowExec) {
    this.allowExec = allowExec;
    this.store = store;
    this.clusters = clusters;
    this.subscription = subscription;
    this.secrets = secrets;
    this.clock = clock;
    this.probeTimeout = probeTimeout;
  }

  /** Whether a stored cluster is a connected (Kubernetes) cluster rather than a local managed one. */
  public static boolean isConnected(Doc cluster) {
    return io.daprx.manager.deploy.Targets.isConnected(cluster);
  }

  /** Registers (or re-registers) a cluster; an unreachable cluster is stored as Offline, a bad kubeconfig is refused. */
  public ObjectNode connect(String rg, String name, String kubeconfig, String context, String location) {
    Clusters.checkName("cluster", name);
    Doc group = clusters.resourceGroupDoc(rg);
    Config config = parse(kubeconfig, context, allowExec);
    String id = ArmIds.cluster(subscription, rg, "connectedClusters", name);
    ObjectNode body = Json.object();
    body.put("id", id);
    body.put("name", name);
    body.put("type", TYPE);
    body.put("location", location == null || location.isBlank() ? group.body().path("location").asText("local") : location);
    ObjectNode props = body.putObject("properties");
    props.put("provisioningState", "Succeeded");
    Probe probe = probe(config);
    props.put("connectivityStatus", probe.connected() ? "Connected" : "Offline");
    if (probe.version() == null) {
      props.putNull("kubernetesVersion");
    } else {
      props.put("kubernetesVersion", probe.version());
    }
    props.put("totalNodeCount", probe.nodes());
    props.put("agentVersion", Versions.CURRENT);
    props.put("lastConnectivityTime", clock.instant().toString());
    ObjectNode kube = body.putObject("_kube");
    kube.put("kubeconfig", secrets.seal(kubeconfig));
    if (context != null) {
      kube.put("context", context);
    }
    LOG.info("ConnectedCluster({}/{}) {} ({})", rg, name, probe.connected() ? "connected" : "offline", probe.version());
    return store.inTransaction(s -> {
      if (s.get(id).isPresent()) {
        return Json.external(s.update(id, body, null).body());
      }
      return Json.external(s.create(id, Clusters.CLUSTER_KIND, group.id(), body).body());
    });
  }

  /** A client for a connected cluster, from its stored kubeconfig; the caller closes it. */
  public KubernetesClient client(Doc cluster) {
    String sealed = cluster.body().path("_kube").path("kubeconfig").asText(null);
    if (sealed == null) {
      throw new IllegalStateException("Cluster " + cluster.id() + " has no stored kubeconfig; connect it again with daprx connectedk8s connect");
    }
    Config config = parse(secrets.open(sealed), cluster.body().path("_kube").path("context").asText(null), allowExec);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Removes every extension's control plane from the cluster, then forgets the cluster. */
  public void delete(Doc cluster, Target target) {
    for (Doc ext : store.list(Extensions.KIND, cluster.id())) {
      target.remove(cluster, OperationRunner.namespace(ext));
      store.delete(ext.id(), null);
    }
    store.delete(cluster.id(), null);
    LOG.info("ConnectedCluster({}) deleted", cluster.body().path("name").asText());
  }

  static Config parse(String kubeconfig, String context, boolean allowExec) {
    if (kubeconfig == null || kubeconfig.isBlank()) {
      throw DomainException.invalid("InvalidKubeconfig", "The kubeconfig is empty; pass a kubeconfig file with --kubeconfig.");
    }
    io.fabric8.kubernetes.api.model.Config parsed;
    try {
      parsed = KubeConfigUtils.parseConfigFromString(kubeconfig);
    } catch (RuntimeException e) {
      throw DomainException.invalid("InvalidKubeconfig", "The kubeconfig cannot be parsed: " + yamlProblem(e));
    }
    if (parsed == null || parsed.getContexts() == null || parsed.getContexts().isEmpty()) {
      throw DomainException.invalid("InvalidKubeconfig", "The kubeconfig has no contexts.");
    }
    List<String> names = parsed.getContexts().stream().map(NamedContext::getName).toList();
    String wanted = context != null ? context : parsed.getCurrentContext();
    if (wanted == null || wanted.isBlank()) {
      throw DomainException.invalid("InvalidKubeconfig", "The kubeconfig has no current-context; choose one with --kube-context (one of " + names + ").");
    }
    if (!names.contains(wanted)) {
      throw DomainException.invalid("InvalidKubeconfig", "The kubeconfig has no context '" + wanted + "'; its contexts are " + names + ".");
    }
    // before fabric8 loads it: loading is what runs an exec plugin
    List<String> reach = KubeconfigReach.of(parsed, wanted);
    if (!allowExec && !reach.isEmpty()) {
      throw DomainException.invalid("KubeconfigNotSelfContained", "The kubeconfig's context '" + wanted + "' uses "
          + String.join(", ", reach) + ", which would run a command or read a file on the management server; the server"
          + " refuses that."
          + " Put the credentials in the kubeconfig itself (token, client-certificate-data, client-key-data,"
          + " certificate-authority-data; e.g. kubectl config view --minify --flatten --raw), or start the server with "
          + ALLOW_FLAG + " to trust kubeconfigs to do so.");
    }
    try {
      Config config = Config.fromKubeconfig(wanted, kubeconfig, null);
      if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
        throw DomainException.invalid("InvalidKubeconfig", "Context '" + wanted + "' names no cluster server.");
      }
      return config;
    } catch (DomainException e) {
      throw e;
    } catch (RuntimeException e) {
      throw DomainException.invalid("InvalidKubeconfig", "Context '" + wanted + "' of the kubeconfig cannot be used: " + rootMessage(e));
    }
  }

  private Probe probe(Config config) {
    Config quick = new io.fabric8.kubernetes.client.ConfigBuilder(config)
        .withConnectionTimeout((int) probeTimeout.toMillis()).withRequestTimeout((int) probeTimeout.toMillis())
        .withRequestRetryBackoffLimit(0).build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(quick).build()) {
      String version = client.getKubernetesVersion().getGitVersion();
      int nodes;
      try {
        nodes = client.nodes().list().getItems().size();
      } catch (RuntimeException e) {
        nodes = 0; // a kubeconfig without the right to list nodes still connects
      }
      return new Probe(true, version, nodes);
    } catch (RuntimeException e) {
      LOG.warn("cluster at {} is not reachable: {}", config.getMasterUrl(), rootMessage(e));
      return new Probe(false, null, 0);
    }
  }

  private static final java.util.regex.Pattern YAML_MARK = java.util.regex.Pattern.compile("line (\\d+), column (\\d+)");

  /** Where the YAML breaks, never the parser's quote of the text around it: that could be a token or a key. */
  static String yamlProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      java.util.regex.Matcher m = YAML_MARK.matcher(String.valueOf(t.getMessage()));
      if (m.find()) {
        return "not valid YAML at line " + m.group(1) + ", column " + m.group(2) + ".";
      }
    }
    return "not a kubeconfig (" + e.getClass().getSimpleName() + ").";
  }

  private record Probe(boolean connected, String version, int nodes) {}

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
