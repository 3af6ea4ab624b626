package io.daprx.operator.cache;

import com.google.protobuf.ByteString;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.proto.operator.v1.ResourceEventType;
import io.grpc.Status;

/** One update stream of one sidecar, as the cache sees it. */
public interface Subscriber {

  ResourceKind kind();

  String namespace();

  /** The caller's app id (scopes are matched against it); null when the caller has no verified identity. */
  String appId();

  /** Whether the caller's identity was verified (only then are secret values sent). */
  boolean trusted();

  /**
   * Queues one event; must not block (the cache's loop calls it for every stream). A stream that cannot take more
   * closes itself.
   */
  void offer(ResourceEventType type, ByteString payload);

  /** Ends the stream with {@code status} (e.g. the operator is stopping). */
  void close(Status status);
}
