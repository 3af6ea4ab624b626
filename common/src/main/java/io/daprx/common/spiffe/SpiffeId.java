package io.daprx.common.spiffe;

import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Dapr SPIFFE identity: {@code spiffe://<trust domain>/ns/<namespace>/<app id>}.
 *
 * <p>Dapr puts exactly three path segments in every workload identity, so this type only models that
 * shape; anything else is rejected at parse time rather than half-understood later.
 */
public record SpiffeId(String trustDomain, String namespace, String appId) {

  /** Longest app id sentry signs; longer ids are refused (WIRE.md). */
  public static final int MAX_ID_LENGTH = 64;

  /** The control plane's trust domain: sidecars, sentry and every component agree on it, as upstream's default. */
  public static final String CONTROL_PLANE_TRUST_DOMAIN = "cluster.local";

  /**
   * The management server's app id in the control-plane namespace: the one identity the scheduler's admin API
   * serves. The manager mints its certificate from the cluster's issuer itself; sentry never signs it, for any
   * token validator, so reaching a sentry is not a way to become the manager.
   */
  public static final String MANAGER_APP_ID = "daprx-manager";

  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]{1,255}");
  // Kubernetes namespace rules (DNS-1123 label), which also hold for Dapr's standalone "default".
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  // SPIFFE path segment characters; Dapr app ids are a subset of these.
  private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9._-]+");

  public SpiffeId {
    requireValidTrustDomain(trustDomain);
    requireValidNamespace(namespace);
    requireValidAppId(appId);
  }

  public static SpiffeId of(String trustDomain, String namespace, String appId) {
    return new SpiffeId(trustDomain, namespace, appId);
  }

  /** Parses {@code spiffe://td/ns/ns/id}; throws {@link IllegalArgumentException} saying what is wrong. */
  public static SpiffeId parse(String uri) {
    Objects.requireNonNull(uri, "SPIFFE ID");
    if (!uri.startsWith("spiffe://")) {
      throw new IllegalArgumentException("not a SPIFFE ID (must start with spiffe://): " + uri);
    }
    String rest = uri.substring("spiffe://".length());
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException("SPIFFE ID has no path: " + uri);
    }
    String td = rest.substring(0, slash);
    String[] path = rest.substring(slash + 1).split("/", -1);
    if (path.length != 3 || !"ns".equals(path[0])) {
      throw new IllegalArgumentException("SPIFFE ID must look like spiffe://<trust-domain>/ns/<namespace>/<app-id>: " + uri);
    }
    return new SpiffeId(td, path[1], path[2]);
  }

  public static void requireValidTrustDomain(String td) {
    if (td == null || !TRUST_DOMAIN.matcher(td).matches()) {
      throw new IllegalArgumentException(
          "invalid trust domain '" + td + "': use 1-255 lowercase letters, digits, '.', '-' or '_'");
    }
  }

  public static void requireValidNamespace(String ns) {
    if (ns == null || ns.isEmpty()) {
      throw new IllegalArgumentException("namespace is required");
    }
    if (!NAMESPACE.matcher(ns).matches()) {
      throw new IllegalArgumentException(
          "invalid namespace '" + ns + "': use at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit");
    }
  }

  public static void requireValidAppId(String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("id is required");
    }
    if (id.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException("id is " + id.length() + " characters long; at most " + MAX_ID_LENGTH + " are allowed");
    }
    if (!APP_ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
      throw new IllegalArgumentException("invalid id '" + id + "': use letters, digits, '.', '-' or '_'");
    }
  }

  public URI toUri() {
    return URI.create(toString());
  }

  @Override
  public String toString() {
    return "spiffe://" + trustDomain + "/ns/" + namespace + "/" + appId;
  }
}
