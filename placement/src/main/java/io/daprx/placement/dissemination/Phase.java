package io.daprx.placement.dissemination;

import io.daprx.proto.placement.v1.HostOperation;

/** Where a namespace's dissemination round is: idle (sidecars report), or waiting for lock, update or unlock acks. */
public enum Phase {
  IDLE, LOCK, UPDATE, UNLOCK;

  /** The phase a sidecar acknowledges with this operation, or null for REPORT/UNKNOWN. */
  static Phase acknowledgedBy(HostOperation op) {
    return switch (op) {
      case LOCK -> LOCK;
      case UPDATE -> UPDATE;
      case UNLOCK -> UNLOCK;
      default -> null;
    };
  }

  String lowerCase() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
