package io.daprx.scheduler.server;

import io.daprx.common.spiffe.SpiffeId;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Upstream's rule: every request names a namespace and an app id, and under mTLS they must be the caller's own
 * (the namespace and app id of its SPIFFE ID).
 */
final class Authorizer {

  private final boolean identityChecks;
  private final Supplier<Optional<SpiffeId>> caller;

  /**
   * @param identityChecks mTLS is on
   * @param caller the current call's verified SPIFFE ID (common's {@code PeerIdentity::current} in production)
   */
  Authorizer(boolean identityChecks, Supplier<Optional<SpiffeId>> caller) {
    this.identityChecks = identityChecks;
    this.caller = caller;
  }

  /** @throws StatusRuntimeException INVALID_ARGUMENT, UNAUTHENTICATED or PERMISSION_DENIED */
  void check(String namespace, String appId) {
    if (namespace.isEmpty() || appId.isEmpty()) {
      throw Status.INVALID_ARGUMENT.withDescription("missing namespace or appID in request").asRuntimeException();
    }
    if (!identityChecks) {
      return;
    }
    SpiffeId id = caller.get().orElseThrow(() ->
        Status.UNAUTHENTICATED.withDescription("no SPIFFE ID in the client certificate").asRuntimeException());
    if (!id.namespace().equals(namespace) || !id.appId().equals(appId)) {
      throw Status.PERMISSION_DENIED.withDescription("identity " + id + " does not match request namespace " + namespace
          + " and app id " + appId).asRuntimeException();
    }
  }
}
