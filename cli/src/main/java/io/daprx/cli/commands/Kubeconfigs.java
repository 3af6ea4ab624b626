package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.AuthInfoBuilder;
import io.fabric8.kubernetes.api.model.ClusterBuilder;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import io.fabric8.kubernetes.api.model.ContextBuilder;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedAuthInfoBuilder;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedClusterBuilder;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.NamedContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Kubeconfig files as {@code az aks get-credentials} writes them: one cluster, user and context merged into a file that
 * may hold others, which stay as they were. fabric8's {@link Config} model reads and writes them, so fields this code
 * does not know (extensions, exec plugins, preferences) survive the merge. Pure, apart from {@link #read} and the path.
 */
final class Kubeconfigs {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Kubeconfigs() {}

  /**
   * What get-credentials adds: the names, where the cluster's API is, the CA it is trusted with (base64 PEM, as
   * kubeconfigs carry it) and the bearer token kubectl sends.
   */
  record Entry(String context, String cluster, String user, String server, String caData, String token) {}

  /** A name that is already in the file with other content, and --overwrite-existing was not given. */
  static final class Conflict extends RuntimeException {
    Conflict(String message) {
      super(message);
    }
  }

  /** The file kubectl reads: the first of {@code $KUBECONFIG}'s paths, else {@code ~/.kube/config}. */
  static Path defaultFile(Map<String, String> env) {
    String list = env.get("KUBECONFIG");
    if (list != null && !list.isBlank()) {
      for (String p : list.split(java.io.File.pathSeparator)) {
        if (!p.isBlank()) {
          return Path.of(p);
        }
      }
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return Path.of(home, ".kube", "config");
  }

  static Config read(Path file) throws IOException {
    if (!Files.exists(file) || Files.size(file) == 0) {
      return empty();
    }
    Config c = YAML.readValue(file.toFile(), Config.class);
    return c == null ? empty() : c;
  }

  static Config empty() {
    return new ConfigBuilder().withApiVersion("v1").withKind("Config").withClusters(new ArrayList<>()).withContexts(new ArrayList<>())
        .withUsers(new ArrayList<>()).build();
  }

  /**
   * {@code config} with the entry's cluster, user and context, and its context current. An entry of the same name with
   * other content is replaced only with {@code overwrite}; otherwise nothing changes and the conflict says which.
   */
  static Config merge(Config config, Entry e, boolean overwrite) {
    NamedCluster cluster = new NamedClusterBuilder().withName(e.cluster()).withCluster(new ClusterBuilder().withServer(e.server())
        .withCertificateAuthorityData(e.caData()).build())
        .build();
    NamedAuthInfo user = new NamedAuthInfoBuilder().withName(e.user()).withUser(new AuthInfoBuilder().withToken(e.token()).build()).build();
    NamedContext context = new NamedContextBuilder().withName(e.context()).withContext(new ContextBuilder().withCluster(e.cluster())
        .withUser(e.user()).build()).build();
    Config out = new ConfigBuilder(config).build();
    out.setClusters(put(out.getClusters(), cluster, NamedCluster::getName, "cluster", overwrite));
    out.setUsers(put(out.getUsers(), user, NamedAuthInfo::getName, "user", overwrite));
    out.setContexts(put(out.getContexts(), context, NamedContext::getName, "context", overwrite));
    out.setCurrentContext(e.context());
    if (out.getApiVersion() == null) {
      out.setApiVersion("v1");
    }
    if (out.getKind() == null) {
      out.setKind("Config");
    }
    return out;
  }

  private static <T> List<T> put(List<T> list, T item, Function<T, String> name, String what, boolean overwrite) {
    List<T> out = new ArrayList<>(list == null ? List.of() : list);
    for (int i = 0; i < out.size(); i++) {
      if (Objects.equals(name.apply(out.get(i)), name.apply(item))) {
        if (!out.get(i).equals(item) && !overwrite) {
          throw new Conflict("A different object named " + name.apply(item) + " already exists in your kubeconfig file (" + what
              + "); pass --overwrite-existing to replace it, or --context NAME to add this cluster under another name");
        }
        out.set(i, item);
        return out;
      }
    }
    out.add(item);
    return out;
  }

  static String text(Config config) throws IOException {
    return YAML.writeValueAsString(config);
  }
}
