package io.daprx.manager.install;

/** A Service of a local install: a stable loopback address in front of a workload's ready replicas. */
public record ServicePlan(String name, String workload, String targetPort, int port) {}
