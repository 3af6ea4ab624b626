package io.daprx.dashboard.source;

import io.daprx.common.dapr.ResourceKind;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Where the dashboard reads a cluster from: the management server's API for a local cluster, the Kubernetes API
 * server in a real one. Read-only; no implementation reads a Secret.
 */
public interface ClusterSource extends AutoCloseable {

  /** The control plane's pods, trust anchors, workloads and extension, as they are now. */
  Snapshot snapshot();

  /** Every object of a Dapr kind, whole (the dashboard redacts before showing), in one namespace or all (null). */
  List<JsonNode> resources(ResourceKind kind, String namespace);

  /**
   * The scheduler as the management server reports it: replicas and what each triggers, jobs by namespace and owner,
   * the soonest triggers, the jobs whose current tick failed.
   *
   * @throws IllegalStateException saying why it cannot be read (not installed, not available from this source)
   */
  default JsonNode scheduler() {
    throw new IllegalStateException("the scheduler's jobs are not available from " + this + " yet: use daprx scheduler list"
        + " against a local cluster, or the Dapr CLI's dapr scheduler list -k");
  }

  @Override
  default void close() {}
}
