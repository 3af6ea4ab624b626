package io.daprx.operator.resources;

import io.daprx.common.dapr.ResourceKind;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import java.util.List;

/**
 * One custom resource as the operator holds it: immutable once built (the {@code raw} tree is never changed after
 * construction; copies are made to resolve secrets).
 *
 * @param raw the whole resource as read (what an unauthenticated caller may get: no secret values in it)
 * @param json {@code raw} as JSON bytes, the payload when secrets are not resolved
 * @param resolved the payload with {@code secretKeyRef} values filled in from Kubernetes Secrets; {@code json} itself
 *     when there was nothing to resolve
 * @param scopes the app ids the resource is limited to; empty = every app of the namespace
 * @param needsSecrets the resource names Kubernetes secrets to resolve (lists resolve them afresh)
 */
public record Resource(ResourceKind kind, String namespace, String name, ObjectNode raw, ByteString json, ByteString resolved,
    List<String> scopes, boolean needsSecrets) {

  public Resource {
    scopes = List.copyOf(scopes);
  }

  /** Whether an app may see this resource: unscoped, or scoped to it. A caller without app id sees only unscoped ones. */
  public boolean inScope(String appId) {
    return scopes.isEmpty() || (appId != null && scopes.contains(appId));
  }

  /** The bytes to send: with secrets resolved only to a caller whose identity was verified. */
  public ByteString payload(boolean trusted) {
    return trusted ? resolved : json;
  }

  /** Same content as {@code other}: an informer resync or a rewrite of an unchanged file is not an update. */
  public boolean sameContent(Resource other) {
    return other != null && json.equals(other.json) && resolved.equals(other.resolved);
  }

  /** {@code Kind(ns/name)}, as logs name resources. */
  public String describe() {
    return kind.describe(namespace, name);
  }
}
