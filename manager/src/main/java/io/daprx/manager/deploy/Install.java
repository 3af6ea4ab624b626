package io.daprx.manager.deploy;

import io.daprx.manager.catalog.Release;
import io.daprx.manager.model.DaprSettings;
import java.util.Objects;

/**
 * What a target is asked to run: one daprx release with these settings in the release namespace.
 *
 * @param applyCrds whether the CRDs are applied (installs and upgrades; skipped on a downgrade unless
 *     {@code hooks.applyCrds} says otherwise), meaningful on Kubernetes only
 */
public record Install(String namespace, DaprSettings settings, Release release, boolean applyCrds) {

  public Install {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(release, "release");
  }

  public String version() {
    return release.version().toString();
  }
}
