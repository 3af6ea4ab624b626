package io.daprx.placement.dissemination;

import io.grpc.Status;

/**
 * What a namespace loop needs from one sidecar's {@code ReportDaprStatus} stream. Implementations never block the
 * caller: orders are queued per stream and written as the transport allows.
 */
public interface SidecarStream {

  /** Queues an order for the sidecar. A stream that cannot keep up closes itself and reports {@code Left}. */
  void send(SerializedOrder order);

  /** Ends the stream with {@code status}; later sends are dropped. */
  void close(Status status);

  /** Lets the sidecar's next message in: the loop asks for one message at a time (inbound back-pressure). */
  void readNext();
}
