package io.daprx.manager.catalog;

/**
 * One installable daprx version of a release train.
 *
 * @param version the daprx version
 * @param imageTag the tag of the {@code daprx} image that runs it on Kubernetes
 * @param daprVersion the Dapr runtime version its control plane speaks: the {@code daprd} it injects
 * @param distribution where a local cluster gets this version's {@code daprx.jar}; null when the catalog offers
 *     none (then only the build the server runs from can serve it locally, under its own version)
 */
public record Release(Semver version, String imageTag, String daprVersion, Distribution distribution) {

  public Release(Semver version, String imageTag, String daprVersion) {
    this(version, imageTag, daprVersion, null);
  }

  /**
   * A downloadable build of daprx for local clusters, installed side by side with the others.
   *
   * @param url an {@code https:}, {@code http:} or {@code file:} URL of the jar
   * @param sha256 the jar's SHA-256 in hex: what is fetched is checked against it before it is ever run
   */
  public record Distribution(String url, String sha256) {}
}
