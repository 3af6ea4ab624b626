package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Cluster;
import io.daprx.common.io.AtomicFiles;
import io.fabric8.kubernetes.api.model.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code daprx cluster get-credentials}: as {@code az aks get-credentials}, a kubeconfig context for a local cluster,
 * whose server is the management server's Kubernetes API for that cluster and whose user carries the server's token.
 */
@Command(name = "get-credentials", mixinStandardHelpOptions = true,
    description = "Get access credentials for a local cluster: merge a kubectl context for it into a kubeconfig file.")
final class GetCredentialsCommand extends ClusterCommand.Named implements Callable<Integer> {

  @Option(names = {"--file", "-f"}, paramLabel = "PATH",
      description = "kubeconfig file to update; '-' prints it instead (default: the first of $KUBECONFIG, else ~/.kube/config)")
  String file;

  @Option(names = "--context", description = "the context's name (default: the cluster's name)")
  String context;

  @Option(names = "--overwrite-existing", description = "replace a cluster, user or context of the same name that differs")
  boolean overwrite;

  @Option(names = "--read-only", description = "use the server's reader token: kubectl can get and watch, not apply or delete")
  boolean readOnly;

  @Override
  public Integer call() throws IOException {
    // the server's kubeconfig for the cluster (AKS's shape), whose user carries the token this CLI sent
    JsonNode answer = api().send("POST", path() + "/listClusterUserCredential", null, Map.of()).body();
    Config given = Kubeconfigs.YAML.readValue(Base64.getDecoder().decode(answer.path("kubeconfigs").path(0).path("value").asText()),
        Config.class);
    Cluster cluster = given.getClusters().get(0).getCluster();
    String token = readOnly ? readerToken() : given.getUsers().get(0).getUser().getToken();
    String ctx = context != null ? context : name;
    Kubeconfigs.Entry entry = new Kubeconfigs.Entry(ctx, name, given.getUsers().get(0).getName() + (readOnly ? "_reader" : ""),
        cluster.getServer(), cluster.getCertificateAuthorityData(), token);
    if ("-".equals(file)) {
      out().print(Kubeconfigs.text(Kubeconfigs.merge(Kubeconfigs.empty(), entry, true)));
      out().flush();
      return 0;
    }
    Path target = file != null ? Path.of(file) : Kubeconfigs.defaultFile(env());
    Config merged;
    try {
      merged = Kubeconfigs.merge(Kubeconfigs.read(target), entry, overwrite);
    } catch (Kubeconfigs.Conflict e) {
      throw new IllegalArgumentException(e.getMessage() + " (" + target + ")");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(target + " is not a kubeconfig file kubectl could read (" + e.getOriginalMessage()
          + "); fix it, or write to another one with --file");
    }
    // owner-only, as kubectl's own: the file holds a token
    AtomicFiles.replace(target, Kubeconfigs.text(merged).getBytes(StandardCharsets.UTF_8));
    out().println("Merged \"" + ctx + "\" as current context in " + target);
    out().flush();
    return 0;
  }

  private String readerToken() {
    Path f = home().dir().resolve("reader-token");
    try {
      return Files.readString(f).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the server's reader token " + f + " (" + e.getMessage() + "): --read-only works"
          + " with the local server, whose home holds it", e);
    }
  }

}
