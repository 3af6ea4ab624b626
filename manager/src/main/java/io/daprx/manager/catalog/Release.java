package io.daprx.manager.catalog;

/**
 * One installable daprx version of a release train.
 *
 * @param version the daprx version
 * @param imageTag the tag of the {@code daprx} image that runs it
 * @param daprVersion the Dapr runtime version its control plane speaks: the {@code daprd} it injects
 */
public record Release(Semver version, String imageTag, String daprVersion) {}
