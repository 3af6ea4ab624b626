package io.daprx.manager.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.daprx.manager.store.Doc;
import java.nio.file.Path;

/**
 * What a local cluster runs, as kubectl-style views: the pods and Services of its installs and where a pod logs.
 * {@link LocalClusters} reads the supervisor; the Kubernetes API's tests give fixed pods.
 */
public interface ClusterWorkloads {

  /** Each pod: name, namespace, component, ready ("1/1"), status, restarts, createdAt, version, pid, lastExitReason, ports. */
  ArrayNode pods(Doc cluster, String namespace);

  /** Each Service: name, namespace, type, createdAt (when its install made it), address, port, endpoints. */
  ArrayNode services(Doc cluster, String namespace);

  /** Where a pod's log is; a not-found error when the cluster has no such pod. */
  Path logFile(Doc cluster, String namespace, String pod);
}
