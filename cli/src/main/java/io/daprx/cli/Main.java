package io.daprx.cli;

import io.daprx.common.runtime.GoDuration;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import io.daprx.cli.client.ApiError;
import io.daprx.cli.commands.ClusterCommand;
import io.daprx.cli.commands.ExtensionCommand;
import io.daprx.cli.commands.FeatureCommand;
import io.daprx.cli.commands.GetCommand;
import io.daprx.cli.commands.GroupCommand;
import io.daprx.cli.commands.K8sExtensionCommand;
import io.daprx.cli.commands.LogsCommand;
import io.daprx.cli.commands.ProviderCommand;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code daprx} command: control-plane components and the tools around them. */
@Command(name = "daprx",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "The Dapr control plane in Java, and the extension that provisions it.",
    subcommands = {
        FeatureCommand.class, ProviderCommand.class, ExtensionCommand.class, K8sExtensionCommand.class,
        GroupCommand.class, ClusterCommand.class, GetCommand.class, LogsCommand.class,
        MtlsCommand.class, ServerCommand.class, SentryCommand.class, CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code; used by tests without a new JVM. */
  public static int run(String... args) {
    return newCommandLine().execute(args);
  }

  static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.registerConverter(Duration.class, value -> conversion(() -> GoDuration.parse(value)));
    cl.setExecutionExceptionHandler(Main::handleError);
    return cl;
  }

  /** Runs a flag-value parser so that its message becomes picocli's usage error, without a class name in it. */
  static <T> T conversion(java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  /**
   * Errors a user can fix are one line saying what is wrong (exit 1); anything else is a bug and shows
   * its stack trace.
   */
  private static int handleError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof ApiError api) {
      // az's shape: "(Code) Message"; a missing resource exits 3, as az does
      err.println("ERROR: (" + api.code() + ") " + api.getMessage());
      err.flush();
      return api.status() == 404 ? 3 : 1;
    }
    if (e.getClass().getSimpleName().equals("OperationCancelled")) {
      err.println("Operation cancelled.");
      return 1;
    }
    if (e instanceof IllegalArgumentException || e instanceof IllegalStateException || e instanceof UncheckedIOException
        || e.getClass().getSimpleName().equals("CaBundleException")) {
      err.println("ERROR: " + e.getMessage());
      if (Boolean.getBoolean("daprx.debug")) {
        e.printStackTrace(err);
      }
      return 1;
    }
    err.println("ERROR: " + e);
    e.printStackTrace(err);
    return 2;
  }

  /** The version baked into the jar at build time. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"daprx " + (v == null ? "dev" : v)};
    }
  }
}
