package io.daprx.operator.server;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.PeerIdentity;
import io.grpc.Status;

/**
 * Who asks, and for which namespace.
 *
 * @param appId null when the caller has no verified identity (TLS off)
 * @param trusted the identity was verified, so secret values may be sent
 */
record Caller(String namespace, String appId, boolean trusted) {

  /**
   * Authorizes a request for {@code namespace}, as upstream's {@code authz.Request}: with mTLS the caller's SPIFFE
   * namespace must be the requested one (else PERMISSION_DENIED; no identity is UNAUTHENTICATED).
   *
   * <p>Without TLS there is no identity to check. The request's namespace is served, but as to an anonymous caller:
   * only resources without {@code scopes}, and with {@code secretKeyRef}s unresolved, so a plaintext caller never gets a
   * secret value or a resource limited to some app.
   */
  static Caller authorize(String namespace, boolean tls) {
    if (!tls) {
      if (namespace == null || namespace.isEmpty()) {
        throw Status.INVALID_ARGUMENT.withDescription("namespace is required").asRuntimeException();
      }
      return new Caller(namespace, null, false);
    }
    SpiffeId id = PeerIdentity.current().orElseThrow(() ->
        Status.UNAUTHENTICATED.withDescription("no SPIFFE identity in the client certificate").asRuntimeException());
    if (namespace == null || namespace.isEmpty() || !namespace.equals(id.namespace())) {
      throw Status.PERMISSION_DENIED.withDescription("identity " + id + " does not match requested namespace '" + namespace + "'")
          .asRuntimeException();
    }
    return new Caller(namespace, id.appId(), true);
  }

  /**
   * For {@code ListSubscriptions(Empty)}, which names no namespace: the caller's own namespace (upstream passes an
   * empty namespace on and so denies every such call).
   */
  static Caller ownNamespace(boolean tls) {
    if (!tls) {
      throw Status.PERMISSION_DENIED.withDescription("ListSubscriptions names no namespace and a plaintext caller has no identity;"
          + " use ListSubscriptionsV2").asRuntimeException();
    }
    SpiffeId id = PeerIdentity.current().orElseThrow(() ->
        Status.UNAUTHENTICATED.withDescription("no SPIFFE identity in the client certificate").asRuntimeException());
    return new Caller(id.namespace(), id.appId(), true);
  }
}
