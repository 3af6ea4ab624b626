package io.daprx.manager.engine;

import io.fabric8.kubernetes.api.model.AuthInfo;
import io.fabric8.kubernetes.api.model.Cluster;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import java.util.ArrayList;
import java.util.List;

/**
 * What of a kubeconfig reaches beyond its own text onto the machine that uses it: an {@code exec} plugin or an
 * {@code auth-provider} (fabric8 runs the command, or calls the provider, as soon as the config is loaded) and paths to
 * files (a token, a client certificate or key, a CA) that would be read from the management server's disk. A kubeconfig
 * sent to the server is someone else's text: by default it may only carry its credentials inline ({@code token},
 * {@code client-certificate-data}, {@code certificate-authority-data}...).
 */
final class KubeconfigReach {

  private KubeconfigReach() {}

  /** The fields of the context's user and cluster that reach beyond the text, as {@code users[u].user.exec}; empty if none. */
  static List<String> of(Config config, String context) {
    List<String> found = new ArrayList<>();
    NamedContext ctx = config.getContexts().stream().filter(c -> context.equals(c.getName())).findFirst().orElse(null);
    if (ctx == null || ctx.getContext() == null) {
      return found;
    }
    String userName = ctx.getContext().getUser();
    for (NamedAuthInfo u : config.getUsers() == null ? List.<NamedAuthInfo>of() : config.getUsers()) {
      AuthInfo a = u.getUser();
      if (a == null || userName == null || !userName.equals(u.getName())) {
        continue;
      }
      String at = "users[" + u.getName() + "].user.";
      add(found, a.getExec() != null, at + "exec");
      add(found, a.getAuthProvider() != null, at + "auth-provider");
      add(found, present(a.getTokenFile()), at + "tokenFile");
      add(found, present(a.getClientCertificate()), at + "client-certificate");
      add(found, present(a.getClientKey()), at + "client-key");
    }
    String clusterName = ctx.getContext().getCluster();
    for (NamedCluster c : config.getClusters() == null ? List.<NamedCluster>of() : config.getClusters()) {
      Cluster cl = c.getCluster();
      if (cl != null && clusterName != null && clusterName.equals(c.getName())) {
        add(found, present(cl.getCertificateAuthority()), "clusters[" + c.getName() + "].cluster.certificate-authority");
      }
    }
    return found;
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }

  private static void add(List<String> found, boolean present, String field) {
    if (present) {
      found.add(field);
    }
  }
}
