package io.daprx.manager.deploy;

import io.daprx.manager.catalog.Release;
import io.daprx.manager.model.DaprSettings;
import java.util.Objects;

/**
 * What a target is asked to run: one daprx release with these settings in the release namespace.
 *
 * @param applyCrds whether the CRDs are applied (installs and upgrades; skipped on a downgrade unless
 *     {@code hooks.applyCrds} says otherwise), meaningful on Kubernetes only
 * @param owner the extension the install belongs to (its id), so a target that holds one control plane per cluster never
 *     lets a second extension take over or remove the first one's; null when the caller has none (tests, tools)
 * @param caExisted whether a CA existed for this install before (it ran with success once): a target then refuses to make
 *     a new one when the old one is missing, instead of silently cutting off every sidecar that trusts it
 */
public record Install(String namespace, DaprSettings settings, Release release, boolean applyCrds, String owner, boolean caExisted) {

  public Install(String namespace, DaprSettings settings, Release release, boolean applyCrds) {
    this(namespace, settings, release, applyCrds, null, false);
  }

  public Install {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(release, "release");
  }

  public String version() {
    return release.version().toString();
  }
}
