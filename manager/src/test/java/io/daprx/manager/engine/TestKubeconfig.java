package io.daprx.manager.engine;

/** A one-cluster kubeconfig with a bearer token, as a user's file would hold it, for tests against a mock API server. */
public final class TestKubeconfig {

  private TestKubeconfig() {}

  public static String of(String server, String context, String token) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c1
          cluster:
            server: %s
            insecure-skip-tls-verify: true
        users:
        - name: u1
          user:
            token: %s
        contexts:
        - name: %s
          context:
            cluster: c1
            user: u1
        current-context: %s
        """.formatted(server, token, context, context);
  }
}
