package io.daprx.dashboard.source;

import java.util.Locale;

/** The {@code dapr.io} kinds the dashboard lists, with their API versions. */
public enum ResourceKind {
  COMPONENTS("Component", "components", "v1alpha1"),
  CONFIGURATIONS("Configuration", "configurations", "v1alpha1"),
  RESILIENCIES("Resiliency", "resiliencies", "v1alpha1"),
  SUBSCRIPTIONS("Subscription", "subscriptions", "v2alpha1"),
  HTTPENDPOINTS("HTTPEndpoint", "httpendpoints", "v1alpha1");

  public static final String GROUP = "dapr.io";

  public final String kind;
  public final String plural;
  public final String version;

  ResourceKind(String kind, String plural, String version) {
    this.kind = kind;
    this.plural = plural;
    this.version = version;
  }

  /** By plural ({@code components}), case-insensitively; null when unknown. */
  public static ResourceKind byPlural(String plural) {
    for (ResourceKind k : values()) {
      if (k.plural.equals(plural.toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    return null;
  }
}
