package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.catalog.Catalog;
import io.daprx.manager.catalog.CatalogException;
import io.daprx.manager.catalog.CatalogSource;
import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.deploy.Targets;
import io.daprx.manager.model.ArmIds;
import io.daprx.manager.model.DomainException;
import io.daprx.manager.store.Doc;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which release of the catalog an extension gets, by EXTENSION.md's rules, and which a cluster can install: the catalog's
 * trains and windows seen from one cluster (a local cluster runs only releases it has a jar for).
 */
final class Releases {

  private final CatalogSource catalog;
  private final Semver build;

  /** @param build the version of the build this server runs, which local clusters run without a download */
  Releases(CatalogSource catalog, Semver build) {
    this.catalog = catalog;
    this.build = build;
  }

  /** Which releases a cluster can run: any on Kubernetes; on a local cluster, those with a jar for it. */
  Predicate<Release> runsOn(Doc cluster) {
    return Targets.isConnected(cluster) ? r -> true : r -> Catalog.runsLocally(r, build);
  }

  /**
   * The versions of an extension type a cluster can install ({@code extension-types list-versions-by-cluster}): the
   * supported window of the train (the latest patch of the newest three minors) that the cluster can run, oldest first.
   */
  ArrayNode versions(Doc cluster, String clusterArmId, String extensionType, String train, String majorVersion, boolean latestOnly) {
    if (!Extensions.DAPR_TYPE.equalsIgnoreCase(extensionType)) {
      throw DomainException.notFound("ExtensionTypeNotFound", "Extension type '" + extensionType
          + "' is not available: the only extension type is '" + Extensions.DAPR_TYPE + "'.");
    }
    Catalog c = catalog.current();
    String t = train == null || train.isBlank() ? Catalog.DEFAULT_TRAIN : train.toLowerCase(Locale.ROOT);
    List<Release> found;
    try {
      found = c.supported(t).stream().filter(runsOn(cluster))
          .filter(r -> majorVersion == null || majorVersion.isBlank() || String.valueOf(r.version().major()).equals(majorVersion.trim()))
          .toList();
    } catch (CatalogException e) {
      throw DomainException.invalid("InvalidReleaseTrain", e.getMessage());
    }
    if (latestOnly && !found.isEmpty()) {
      found = List.of(found.get(found.size() - 1));
    }
    ArrayNode out = Json.MAPPER.createArrayNode();
    String base = clusterArmId + "/providers/" + ArmIds.EXTENSIONS_RP + "/extensionTypes/" + Extensions.DAPR_TYPE.toLowerCase(Locale.ROOT)
        + "/versions/";
    for (Release r : found) {
      ObjectNode o = out.addObject();
      o.put("id", base + r.version());
      o.put("name", r.version().toString());
      o.put("type", ArmIds.EXTENSIONS_RP + "/extensionTypes/versions");
      ObjectNode p = o.putObject("properties");
      p.put("version", r.version().toString());
      p.put("releaseTrain", Character.toUpperCase(t.charAt(0)) + t.substring(1));
      p.put("daprVersion", r.daprVersion());
      ArrayNode types = p.putArray("supportedClusterTypes");
      types.add("connectedClusters");
      if (Catalog.runsLocally(r, build)) {
        types.add("managedClusters");
      }
    }
    return out;
  }

  /**
   * The release an operation moves to: a pinned {@code --version} (auto-upgrade off) if the train has it, it is supported
   * and the cluster can run it; else the newest of the train above what runs ({@code current}), never below it and never
   * the version whose auto-upgrade failed ({@code failedUpgrade}); a fresh install gets the train's newest.
   */
  Release target(Doc cluster, String version, boolean autoUpgrade, String train, Release current, String failedUpgrade) {
    if (version != null && autoUpgrade) {
      throw DomainException.invalid("InvalidVersion", "To pin to specific version, auto-upgrade-minor-version must be set to 'false'.");
    }
    Catalog c = catalog.current();
    Predicate<Release> runs = runsOn(cluster);
    try {
      if (version != null) {
        Release r = c.requested(version, train);
        if (!runs.test(r)) {
          throw DomainException.invalid("InvalidVersion", "Version '" + version + "' cannot run on local cluster '"
              + cluster.body().path("name").asText() + "': the catalog offers no local distribution of it. Versions for this cluster: "
              + versionsFor(c, train, runs));
        }
        return r;
      }
      if (current != null) {
        return autoUpgrade ? c.autoUpgradeTarget(current.version(), train, true, runs.and(r -> !r.version().toString().equals(failedUpgrade)))
            .orElse(current) : current;
      }
      return c.defaultVersion(train, runs).orElseThrow(() -> DomainException.invalid("InvalidVersion", "Release train '" + train
          + "' of " + catalog.describe() + " has no version this cluster can run."));
    } catch (CatalogException e) {
      throw DomainException.invalid("InvalidVersion", e.getMessage());
    }
  }

  /** The train as shown ({@code Stable}, {@code Dev}): one the catalog has; the default when none is asked for. */
  String train(String asked) {
    String name = asked == null ? Catalog.DEFAULT_TRAIN : asked.toLowerCase(Locale.ROOT);
    Set<String> known = catalog.current().trains().keySet();
    if (!known.contains(name)) {
      throw DomainException.invalid("InvalidReleaseTrain", "Invalid release train '" + asked + "': use " + String.join(" or ", known) + ".");
    }
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  private static String versionsFor(Catalog c, String train, Predicate<Release> runs) {
    List<String> v = c.supported(train).stream().filter(runs).map(r -> r.version().toString()).toList();
    return v.isEmpty() ? "none" : String.join(", ", v);
  }
}
