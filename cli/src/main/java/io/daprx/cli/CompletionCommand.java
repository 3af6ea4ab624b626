package io.daprx.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code daprx completion bash|zsh|fish}: a completion script for the shell, generated from the command model so it
 * never falls behind the commands. bash and zsh get picocli's script (it runs in zsh through bashcompinit); fish has
 * no picocli generator, so its {@code complete} lines are written here from the same model.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Print a shell completion script.",
        "bash: source <(daprx completion bash)   zsh: source <(daprx completion zsh)   fish: daprx completion fish | source"})
final class CompletionCommand implements Callable<Integer> {

  enum Shell { bash, zsh, fish }

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SHELL", description = "bash, zsh or fish")
  Shell shell;

  @Override
  public Integer call() {
    CommandLine all = Main.newCommandLine();
    String script = switch (shell) {
      case bash, zsh -> AutoComplete.bash("daprx", all);
      case fish -> fish(all);
    };
    spec.commandLine().getOut().print(script);
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** One {@code complete} line per subcommand and per option, each guarded by the command path it belongs to. */
  static String fish(CommandLine root) {
    StringBuilder out = new StringBuilder("# daprx completion for fish: daprx completion fish | source\ncomplete -c daprx -f\n");
    fish(root, new ArrayList<>(), out);
    return out.toString();
  }

  private static void fish(CommandLine cl, List<String> path, StringBuilder out) {
    String at = path.stream().map(p -> "__fish_seen_subcommand_from " + p).collect(Collectors.joining("; and "));
    Map<String, CommandLine> subs = new java.util.LinkedHashMap<>();
    cl.getSubcommands().forEach((name, sub) -> {
      if (sub.getCommandName().equals(name)) {
        subs.put(name, sub);
      }
    });
    // subcommands are offered until one of them is typed
    String none = subs.isEmpty() ? "" : "not __fish_seen_subcommand_from " + String.join(" ", subs.keySet());
    String offer = path.isEmpty() ? "__fish_use_subcommand" : none.isEmpty() ? at : at + "; and " + none;
    subs.forEach((name, sub) -> out.append("complete -c daprx -n '").append(offer).append("' -a ").append(name)
        .append(" -d ").append(quote(firstLine(sub.getCommandSpec()))).append('\n'));
    for (OptionSpec o : cl.getCommandSpec().options()) {
      if (o.hidden()) {
        continue;
      }
      StringBuilder line = new StringBuilder("complete -c daprx");
      if (!path.isEmpty()) {
        line.append(" -n '").append(at).append("'");
      }
      for (String name : o.names()) {
        line.append(name.startsWith("--") ? " -l " + name.substring(2) : " -s " + name.substring(1));
      }
      if (o.arity().max > 0) {
        line.append(o.type().equals(java.nio.file.Path.class) || o.type().equals(java.io.File.class) ? " -r -F" : " -r");
      }
      if (o.description().length > 0) {
        line.append(" -d ").append(quote(o.description()[0]));
      }
      out.append(line).append('\n');
    }
    subs.forEach((name, sub) -> {
      List<String> next = new ArrayList<>(path);
      next.add(name);
      fish(sub, next, out);
    });
  }

  private static String firstLine(CommandSpec spec) {
    String[] d = spec.usageMessage().description();
    return d.length == 0 ? "" : d[0];
  }

  private static String quote(String text) {
    String plain = text.replaceAll("\\$\\{[A-Z-]+}", "").replace("%n", " ");
    return "'" + plain.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
