package io.daprx.manager.install;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One control-plane replica of a local install: the process to run and the ports it serves on.
 *
 * @param workload the Deployment/StatefulSet it belongs to, e.g. {@code dapr-sentry}
 * @param version the daprx version the pod runs (empty in a plan made without one)
 * @param args the arguments after the launcher, e.g. {@code sentry --port 32000 ...}
 * @param ports named ports: grpc, healthz, metrics (and raft for placement)
 */
public record PodPlan(String name, String component, String workload, int ordinal, String version, List<String> args,
    Map<String, Integer> ports, Path logFile, URI readiness) {

  public PodPlan {
    args = List.copyOf(args);
    ports = Map.copyOf(ports);
  }
}
