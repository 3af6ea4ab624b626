package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --help} is the first thing a user types after a command's name: it must print the usage and exit 0 on every
 * command, whatever options the command requires or how it declares them.
 */
class HelpEverywhereTest {

  @Test
  void everyCommandPrintsItsUsageOnHelpAndExitsZero() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.newCommandLine(), new ArrayList<>(), paths);
    assertThat(paths).as("the walk reaches nested commands")
        .contains(List.of("k8s-extension", "create"), List.of("k8s-extension", "update"), List.of("manifests", "render"));
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      InProcessCli.Result r = InProcessCli.run(args.toArray(String[]::new));
      assertThat(r.code()).as("daprx %s --help exits 0; stderr: %s", String.join(" ", path), r.err()).isZero();
      assertThat(r.out()).as("daprx %s --help", String.join(" ", path)).startsWith("Usage: daprx " + String.join(" ", path));
    }
  }

  private static void collect(CommandLine cl, List<String> prefix, List<List<String>> into) {
    cl.getSubcommands().forEach((name, sub) -> {
      if (name.equals("help") || !sub.getCommandName().equals(name)) {
        return; // picocli's own help command; aliases are walked under their main name
      }
      List<String> path = new ArrayList<>(prefix);
      path.add(name);
      into.add(path);
      collect(sub, path, into);
    });
  }
}
