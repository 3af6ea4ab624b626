package io.daprx.cli.commands;

import picocli.CommandLine.Option;

/** {@code --cluster-name/-c} and {@code --resource-group/-g}: the managed cluster a command works on, by default the current one. */
public final class ClusterOptions {

  @Option(names = {"--cluster-name", "-c"}, description = "the cluster (default: the current cluster)")
  String name;

  @Option(names = {"--resource-group", "-g"}, description = "its resource group (default: the current cluster's)")
  String resourceGroup;
}
