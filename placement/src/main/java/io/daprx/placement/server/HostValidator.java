package io.daprx.placement.server;

import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.HostOperation;
import io.grpc.Status;

/**
 * Checks one message of a {@code ReportDaprStatus} stream before it reaches a namespace loop: its shape, and under
 * mTLS that the sender is who it says it is. Returns the status to close the stream with, or null when the message
 * is fine.
 */
final class HostValidator {

  static final int MAX_NAME_LENGTH = 512;
  static final int MAX_ACTOR_TYPES = 1_000;
  static final int MAX_ACTOR_TYPE_LENGTH = 512;

  private final boolean identityChecks;

  /** @param identityChecks whether mTLS is on: the peer's SPIFFE ID must then match the reported id and namespace */
  HostValidator(boolean identityChecks) {
    this.identityChecks = identityChecks;
  }

  /**
   * @param peer the caller's SPIFFE ID (null without mTLS, or when it presented none)
   * @param streamNamespace the namespace of the stream's first report; null for the first report itself
   */
  Status check(Host h, SpiffeId peer, String streamNamespace) {
    HostOperation op = h.getOperation();
    if (op == HostOperation.UNRECOGNIZED) {
      return invalid("unknown operation " + h.getOperationValue());
    }
    if (h.getId().isEmpty() || h.getNamespace().isEmpty()) {
      return invalid("host id and namespace must be provided");
    }
    if (streamNamespace == null && op != HostOperation.REPORT && op != HostOperation.UNKNOWN) {
      return invalid("the first message of a stream must be a REPORT, got " + op);
    }
    if (streamNamespace != null && !streamNamespace.equals(h.getNamespace())) {
      return invalid("the namespace of a stream cannot change: it was " + streamNamespace + ", now " + h.getNamespace());
    }
    if (identityChecks) {
      if (peer == null) {
        return Status.UNAUTHENTICATED.withDescription("no SPIFFE ID in the client certificate");
      }
      if (!h.getId().equals(peer.appId())) {
        return Status.PERMISSION_DENIED.withDescription(
            "provided app ID " + h.getId() + " doesn't match the one in the SPIFFE ID (" + peer + ")");
      }
      if (!h.getNamespace().equals(peer.namespace())) {
        return Status.PERMISSION_DENIED.withDescription(
            "provided namespace " + h.getNamespace() + " doesn't match the one in the SPIFFE ID (" + peer + ")");
      }
    }
    if (op == HostOperation.REPORT || op == HostOperation.UNKNOWN) {
      return checkReport(h);
    }
    return null; // acks carry only id, namespace, operation and version
  }

  private static Status checkReport(Host h) {
    if (h.getName().isEmpty()) {
      return invalid("host name (the sidecar's internal gRPC address) must be provided");
    }
    if (h.getName().length() > MAX_NAME_LENGTH) {
      return invalid("host name is " + h.getName().length() + " characters long; at most " + MAX_NAME_LENGTH + " are accepted");
    }
    if (h.getEntitiesCount() > MAX_ACTOR_TYPES) {
      return invalid(h.getEntitiesCount() + " actor types reported; at most " + MAX_ACTOR_TYPES + " are accepted");
    }
    for (String type : h.getEntitiesList()) {
      if (type.isEmpty() || type.length() > MAX_ACTOR_TYPE_LENGTH) {
        return invalid("actor type names must be 1-" + MAX_ACTOR_TYPE_LENGTH + " characters long");
      }
      if (!reservedTypeAllowed(type, h.getNamespace(), h.getId())) {
        return Status.PERMISSION_DENIED.withDescription("entity " + type + " is not allowed for app ID " + h.getId()
            + " in namespace " + h.getNamespace() + ": dapr.internal.<namespace>.<app-id>.* is reserved to that app");
      }
    }
    return null;
  }

  /**
   * {@code dapr.internal.<ns>.<appid>} and {@code dapr.internal.<ns>.<appid>.*} belong to app {@code appid} of
   * namespace {@code ns} only. Compared as a prefix, not split at dots, because app ids may contain dots.
   */
  static boolean reservedTypeAllowed(String type, String namespace, String appId) {
    if (!type.equals("dapr.internal") && !type.startsWith("dapr.internal.")) {
      return true;
    }
    String own = "dapr.internal." + namespace + "." + appId;
    return type.equals(own) || type.startsWith(own + ".");
  }

  private static Status invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description);
  }
}
