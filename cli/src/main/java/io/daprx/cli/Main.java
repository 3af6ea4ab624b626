package io.daprx.cli;

import io.daprx.common.runtime.ComponentFlags;
import io.daprx.common.runtime.GoDuration;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import io.daprx.cli.client.ApiError;
import io.daprx.cli.commands.ApplyCommand;
import io.daprx.cli.commands.ClientCommand;
import io.daprx.cli.commands.ClusterCommand;
import io.daprx.cli.commands.CommandEnvironment;
import io.daprx.cli.commands.ConnectedK8sCommand;
import io.daprx.cli.commands.DeleteCommand;
import io.daprx.cli.commands.ExtensionCommand;
import io.daprx.cli.commands.FeatureCommand;
import io.daprx.cli.commands.GetCommand;
import io.daprx.cli.commands.GroupCommand;
import io.daprx.cli.commands.K8sExtensionCommand;
import io.daprx.cli.commands.LogsCommand;
import io.daprx.cli.commands.ManifestsCommand;
import io.daprx.cli.commands.ProviderCommand;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code daprx} command: control-plane components and the tools around them. */
@Command(name = "daprx",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "The Dapr control plane in Java, and the extension that provisions it.",
    commandListHeading = "%nCommands:%n")
public final class Main {

  public static void main(String[] args) {
    System.exit(run(componentSpelling(args)));
  }

  /**
   * Installs made by an earlier daprx start the dashboard component as {@code daprx dashboard --mode ...}; that is
   * {@code daprx dashboard serve} now, so a rollout planned by an older server still starts this build's dashboard.
   * ({@code --mode} is a component flag: {@code daprx dashboard} itself, which opens the running one, has none.)
   */
  static String[] componentSpelling(String[] args) {
    if (args.length > 1 && args[0].equals("dashboard") && !args[1].equals("serve")
        && java.util.Arrays.asList(args).contains(ComponentFlags.MODE)) {
      String[] serve = new String[args.length + 1];
      serve[0] = "dashboard";
      serve[1] = "serve";
      System.arraycopy(args, 1, serve, 2, args.length - 1);
      return serve;
    }
    return args;
  }

  /** Top-level commands in the order help lists them; built on demand (see {@link #newCommandLine(String...)}). */
  private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("feature", FeatureCommand::new);
    COMMANDS.put("provider", ProviderCommand::new);
    COMMANDS.put("extension", ExtensionCommand::new);
    COMMANDS.put("k8s-extension", K8sExtensionCommand::new);
    COMMANDS.put("group", GroupCommand::new);
    COMMANDS.put("cluster", ClusterCommand::new);
    COMMANDS.put("connectedk8s", ConnectedK8sCommand::new);
    COMMANDS.put("apply", ApplyCommand::new);
    COMMANDS.put("get", GetCommand::new);
    COMMANDS.put("delete", DeleteCommand::new);
    COMMANDS.put("logs", LogsCommand::new);
    COMMANDS.put("status", io.daprx.cli.commands.StatusCommand::new);
    COMMANDS.put("mtls", MtlsCommand::new);
    COMMANDS.put("manifests", ManifestsCommand::new);
    COMMANDS.put("server", ServerCommand::new);
    COMMANDS.put("sentry", SentryCommand::new);
    COMMANDS.put("placement", PlacementCommand::new);
    COMMANDS.put("scheduler", SchedulerCommand::new);
    COMMANDS.put("operator", OperatorCommand::new);
    COMMANDS.put("injector", InjectorCommand::new);
    COMMANDS.put("inject", InjectCommand::new);
    COMMANDS.put("dashboard", io.daprx.cli.commands.DashboardCommand::new);
    COMMANDS.put("completion", CompletionCommand::new);
    COMMANDS.put("help", CommandLine.HelpCommand::new);
  }

  /** Runs a command line and returns its exit code; used by tests without a new JVM. */
  public static int run(String... args) {
    return newCommandLine(args).execute(args);
  }

  static CommandLine newCommandLine() {
    return newCommandLine(new String[0]);
  }

  /**
   * Builds the command line with only the top-level command the arguments name (all of them for help or
   * an unknown name): picocli reflects over every command it is given, which would cost every short
   * command a tenth of a second.
   */
  static CommandLine newCommandLine(String... args) {
    return newCommandLine(System.getenv(), args);
  }

  /** As {@link #newCommandLine(String...)}, with the client commands reading {@code env} instead of the process's environment. */
  static CommandLine newCommandLine(Map<String, String> env, String... args) {
    return newCommandLine(new CommandEnvironment(env), args);
  }

  /** As {@link #newCommandLine(String...)}, with the client commands in {@code environment} (a test's variables and terminal). */
  static CommandLine newCommandLine(CommandEnvironment environment, String... args) {
    CommandLine cl = new CommandLine(new Main(), environment);
    String first = args.length > 0 ? args[0] : "";
    if (COMMANDS.containsKey(first) && !first.equals("help")) {
      cl.addSubcommand(first, environment.apply(COMMANDS.get(first).get()));
    } else {
      COMMANDS.forEach((name, make) -> cl.addSubcommand(name, environment.apply(make.get())));
    }
    cl.registerConverter(Duration.class, value -> conversion(() -> GoDuration.parse(value)));
    cl.setExecutionExceptionHandler(Main::handleError);
    cl.setExecutionStrategy(Main::checkThenRun);
    return cl;
  }

  /** Runs the command after its own argument checks, whose errors are usage errors (exit 2) as picocli's are. */
  private static int checkThenRun(CommandLine.ParseResult parsed) {
    CommandLine leaf = parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1);
    if (!leaf.isUsageHelpRequested() && !leaf.isVersionHelpRequested() && leaf.getCommand() instanceof ClientCommand c) {
      try {
        c.checkArguments();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(leaf, e.getMessage(), e);
      }
    }
    return new CommandLine.RunLast().execute(parsed);
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
