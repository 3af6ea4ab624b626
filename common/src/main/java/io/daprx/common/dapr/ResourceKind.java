package io.daprx.common.dapr;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The Dapr custom resources, group {@code dapr.io}, all namespaced: what the operator serves and the dashboard shows.
 *
 * <p>{@link #servedVersion()} is the version the operator reads and sends: for Subscription that is the storage
 * version {@code v2alpha1}, as upstream's ListSubscriptionsV2 returns only v2alpha1 objects. {@link #versions()} are all
 * the versions its CRD accepts, which a user may apply.
 */
public enum ResourceKind {
  COMPONENT("Component", "components", "v1alpha1"),
  CONFIGURATION("Configuration", "configurations", "v1alpha1"),
  SUBSCRIPTION("Subscription", "subscriptions", "v2alpha1", "v1alpha1"),
  RESILIENCY("Resiliency", "resiliencies", "v1alpha1"),
  HTTP_ENDPOINT("HTTPEndpoint", "httpendpoints", "v1alpha1"),
  /** Dapr 1.18: an MCP server whose tools a sidecar calls as workflows. */
  MCP_SERVER("MCPServer", "mcpservers", "v1alpha1"),
  /** Dapr 1.18: which apps may run which workflow operations and activities on an app. */
  WORKFLOW_ACCESS_POLICY("WorkflowAccessPolicy", "workflowaccesspolicies", "v1alpha1");

  public static final String GROUP = "dapr.io";

  private final String kind;
  private final String plural;
  private final String servedVersion;
  private final List<String> versions;

  ResourceKind(String kind, String plural, String servedVersion, String... olderVersions) {
    this.kind = kind;
    this.plural = plural;
    this.servedVersion = servedVersion;
    List<String> all = new ArrayList<>(List.of(servedVersion));
    all.addAll(List.of(olderVersions));
    this.versions = List.copyOf(all);
  }

  /** The Kubernetes {@code kind}, e.g. {@code HTTPEndpoint}. */
  public String kind() {
    return kind;
  }

  public String plural() {
    return plural;
  }

  public String servedVersion() {
    return servedVersion;
  }

  /** Every version the CRD accepts, the served one first. */
  public List<String> versions() {
    return versions;
  }

  /** kubectl's resource reference, e.g. {@code component.dapr.io}. */
  public String reference() {
    return kind.toLowerCase(Locale.ROOT) + "." + GROUP;
  }

  /** The kind a user names on a command line: plural, singular, kind or {@code <plural>.dapr.io}, in any case. */
  public static Optional<ResourceKind> resolve(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    if (w.endsWith("." + GROUP)) {
      w = w.substring(0, w.length() - GROUP.length() - 1);
    }
    for (ResourceKind k : values()) {
      if (w.equals(k.kind.toLowerCase(Locale.ROOT)) || w.equals(k.plural)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** The kinds' names, for messages: {@code Component, Configuration, ...}. */
  public static String known() {
    List<String> names = new ArrayList<>();
    for (ResourceKind k : values()) {
      names.add(k.kind);
    }
    return String.join(", ", names);
  }

  /** {@code dapr.io/<served version>}. */
  public String apiVersion() {
    return GROUP + "/" + servedVersion;
  }

  /** The kind with this plural ({@code components}), case-insensitively, if there is one. */
  public static Optional<ResourceKind> ofPlural(String plural) {
    for (ResourceKind k : values()) {
      if (k.plural.equals(plural.toLowerCase(Locale.ROOT))) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** The kind with this Kubernetes {@code kind} name, if the operator serves it. */
  public static Optional<ResourceKind> ofKind(String kind) {
    for (ResourceKind k : values()) {
      if (k.kind.equals(kind)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** How logs name one resource: {@code Kind(ns/name)}. */
  public String describe(String namespace, String name) {
    return kind + "(" + namespace + "/" + name + ")";
  }
}
