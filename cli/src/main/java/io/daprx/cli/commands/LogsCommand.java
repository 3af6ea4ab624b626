package io.daprx.cli.commands;

import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code daprx logs POD}: a control-plane pod's log, as {@code kubectl logs} (the same route kubectl reads through the
 * cluster's Kubernetes API). {@code -c} is the container, as kubectl's; the cluster is {@code --cluster}.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = {"Print the log of a pod of the current cluster, as kubectl logs.",
    "  daprx logs dapr-sentry-0 -n dapr-system -f", "  daprx logs dapr-operator-1 --tail 20 --since 10m", "  daprx logs dapr-sentry-0 -p"})
public final class LogsCommand extends ClientCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "POD")
  String pod;

  @Option(names = {"--namespace", "-n"}, description = "the pod's namespace (default: dapr-system)", defaultValue = "dapr-system")
  String namespace;

  @Option(names = {"--follow", "-f"}, description = "keep printing what the pod logs")
  boolean follow;

  @Option(names = "--tail", paramLabel = "LINES", defaultValue = "-1", description = "only the last LINES lines (default: all)")
  long tail;

  @Option(names = "--since", paramLabel = "DURATION", description = "only lines logged in the last DURATION, e.g. 30s, 5m, 2h")
  String since;

  @Option(names = {"--previous", "-p"}, description = "the log of the run before the pod's last restart")
  boolean previous;

  @Option(names = {"--container", "-c"}, description = "the container (a local pod has one: its component)")
  String container;

  @Option(names = {"--cluster", "--cluster-name"}, description = "the cluster (default: the current cluster)")
  String clusterName;

  @Option(names = {"--resource-group", "-g"}, description = "its resource group (default: the current cluster's)")
  String resourceGroup;

  @Override
  public Integer call() {
    StringBuilder path = new StringBuilder(clusterPath(cluster(resourceGroup, clusterName, null)) + "/kube/api/v1/namespaces/"
        + enc(namespace) + "/pods/" + enc(pod) + "/log?follow=" + follow);
    if (tail >= 0) {
      path.append("&tailLines=").append(tail);
    }
    if (since != null) {
      path.append("&sinceSeconds=").append(seconds(since));
    }
    if (previous) {
      path.append("&previous=true");
    }
    if (container != null) {
      path.append("&container=").append(enc(container));
    }
    OutputStream sink = new OutputStream() {
      @Override
      public void write(int b) {
        out().write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        out().print(new String(b, off, len, StandardCharsets.UTF_8));
      }

      @Override
      public void flush() {
        out().flush();
      }
    };
    api().stream(path.toString(), sink);
    out().flush();
    return 0;
  }

  /** kubectl's --since: a Go duration (30s, 5m, 1h30m). */
  static long seconds(String d) {
    try {
      return Math.max(1, io.daprx.common.runtime.GoDuration.parse(d).toSeconds());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid argument \"" + d + "\" for \"--since\": use a duration such as 30s, 5m or 1h30m");
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
