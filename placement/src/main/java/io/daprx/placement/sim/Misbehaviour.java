package io.daprx.placement.sim;

/** How a simulated sidecar deviates from daprd when it answers orders. */
public enum Misbehaviour {
  /** Acks every order as daprd 1.17+ does: {@code Host{operation, version, id, namespace}}. */
  NONE,
  /** Receives orders but never acks them (a hung sidecar). */
  NEVER_ACK,
  /** Acks with the previous version, as a sidecar that missed a round would. */
  STALE_ACK,
  /** Acks like clients before the versioned protocol: a full report with operation UNKNOWN and no version. */
  UNKNOWN_OPERATION,
  /** Never asks for messages, so orders stay with placement (a sidecar that stopped reading). */
  NEVER_READ
}
