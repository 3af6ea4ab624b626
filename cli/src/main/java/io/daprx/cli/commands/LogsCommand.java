package io.daprx.cli.commands;

import java.io.OutputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code daprx logs POD}: a control-plane pod's log, as {@code kubectl logs}. */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print the log of a pod of the current cluster.")
public final class LogsCommand extends ClientCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "POD")
  String pod;

  @Option(names = {"--namespace", "-n"}, description = "the pod's namespace (default: dapr-system)", defaultValue = "dapr-system")
  String namespace;

  @Option(names = {"--follow", "-f"}, description = "keep printing what the pod logs")
  boolean follow;

  @Mixin
  ClusterOptions cluster;

  @Override
  public Integer call() {
    String path = clusterPath(cluster) + "/pods/" + pod + "/log?namespace=" + namespace + "&follow=" + follow;
    OutputStream sink = new OutputStream() {
      @Override
      public void write(int b) {
        out().write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        out().print(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
      }

      @Override
      public void flush() {
        out().flush();
      }
    };
    api().stream(path, sink);
    out().flush();
    return 0;
  }
}
