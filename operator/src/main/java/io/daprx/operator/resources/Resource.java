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
 * @param content what a change is judged by: the resolved tree with {@code metadata} cut to name and namespace (see
 *     {@link #sameContent}); never changed after construction
 */
public record Resource(ResourceKind kind, String namespace, String name, ObjectNode raw, ByteString json, ByteString resolved,
    List<String> scopes, boolean needsSecrets, ObjectNode content) {

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

  /**
   * Same content as {@code other}, so no event is sent: an informer resync, a rewrite or touch of an unchanged file, or a
   * change of metadata alone ({@code resourceVersion}, {@code managedFields}, {@code generation}, labels, annotations).
   * daprd 1.18 restarts itself on every UPDATED Configuration, Resiliency or HTTPEndpoint that differs from what it runs,
   * and judges that difference with metadata cut to the name (upstream's {@code EmptyMetaDeepCopy}); judging by the same
   * rule here means an event is sent exactly when daprd would act on it. The resolved form is compared, as it is the
   * raw form plus secret values: a changed Secret is a change, a changed reference too. Trees are compared, not bytes,
   * so the order of keys in a rewritten file is no change either (daprd compares decoded objects).
   */
  public boolean sameContent(Resource other) {
    return other != null && content.equals(other.content);
  }

  /** {@code Kind(ns/name)}, as logs name resources. */
  public String describe() {
    return kind.describe(namespace, name);
  }
}
