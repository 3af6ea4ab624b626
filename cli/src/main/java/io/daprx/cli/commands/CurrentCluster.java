package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * What commands outside the client group ({@code daprx mtls expiry}, {@code daprx inject}) read from the current
 * cluster when no file is given, as {@code dapr mtls expiry -k} reads the cluster kubectl points at: its trust anchors
 * and issuer certificate, from the management server.
 */
public final class CurrentCluster {

  /** A command that falls back to the current cluster; {@link CommandEnvironment} hands it the environment to find it with. */
  public interface Aware {
    void useEnvironment(Map<String, String> env);
  }

  /**
   * The public half of a cluster's CA.
   *
   * @param cluster the cluster's name, for messages
   * @param caCrt the trust anchors (PEM), the current root first
   * @param issuerCrt the issuer certificate (PEM), null from a server that does not say
   */
  public record Trust(String cluster, String caCrt, String issuerCrt) {}

  private CurrentCluster() {}

  /**
   * The current cluster's trust; empty when no cluster is current (the caller says which flag would do instead).
   *
   * @param instead the flags that would have named the CA, for the error when the current cluster cannot answer
   */
  public static Optional<Trust> trust(Map<String, String> env, String instead) {
    ClientCommand client = new ClientCommand() {};
    client.global = new GlobalOptions();
    client.environment = env;
    Optional<ClientCommand.ClusterRef> current = client.currentCluster();
    if (current.isEmpty()) {
      return Optional.empty();
    }
    ClientCommand.ClusterRef ref = current.get();
    if (!ref.type().equalsIgnoreCase("managedClusters")) {
      throw new IllegalArgumentException("the current cluster '" + ref.name() + "' is a connected Kubernetes cluster, whose CA is in"
          + " its dapr-trust-bundle Secret: give " + instead);
    }
    JsonNode bundle = client.api().get(client.clusterPath(ref) + "/trustBundle").body();
    return Optional.of(new Trust(ref.name(), bundle.path("ca.crt").asText(""), bundle.path("issuer.crt").asText(null)));
  }
}
