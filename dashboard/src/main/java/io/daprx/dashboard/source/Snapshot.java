package io.daprx.dashboard.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What a {@link ClusterSource} saw at one moment.
 *
 * @param pods the control plane's replicas
 * @param trustAnchorsPem the trust bundle's {@code ca.crt}, or null when there is none yet
 * @param workloads dapr-enabled workloads; null where the cluster has no workload objects (a local cluster)
 * @param extension the Dapr extension's ARM resource, or null when not reported
 * @param operations its operations ({@code {"value":[...]}} as the API serves them, or the bare array), or null when the source
 *     has no history
 * @param problems what could not be read, in words, so the page says it instead of showing nothing
 */
public record Snapshot(List<PodView> pods, String trustAnchorsPem, List<AppView> workloads, JsonNode extension,
    JsonNode operations, List<String> problems) {

  public Snapshot {
    pods = List.copyOf(pods);
    workloads = workloads == null ? null : List.copyOf(workloads);
    problems = List.copyOf(problems);
  }
}
