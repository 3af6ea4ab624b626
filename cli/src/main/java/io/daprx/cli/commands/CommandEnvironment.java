package io.daprx.cli.commands;

import java.util.Map;
import picocli.CommandLine;

/**
 * The environment client commands read ({@code DAPRX_HOME}, {@code DAPRX_ENDPOINT}, {@code DAPRX_TOKEN}), handed to
 * every command picocli makes: the process's own in {@code daprx}, another one where the CLI runs in-process, e.g. a
 * test that points it at its own server and home directory.
 */
public final class CommandEnvironment implements CommandLine.IFactory {

  private final Map<String, String> env;
  private final Terminal terminal;
  private final CommandLine.IFactory defaults = CommandLine.defaultFactory();

  public CommandEnvironment(Map<String, String> env) {
    this(env, Terminal.system());
  }

  /** With {@code terminal} standing for the process's standard streams (a test's, answering prompts). */
  public CommandEnvironment(Map<String, String> env, Terminal terminal) {
    this.env = Map.copyOf(env);
    this.terminal = terminal;
  }

  @Override
  public <K> K create(Class<K> cls) throws Exception {
    return apply(defaults.create(cls));
  }

  /** Gives a command made elsewhere (a top-level one) this environment. */
  public <T> T apply(T command) {
    if (command instanceof ClientCommand c) {
      c.environment = env;
      c.terminal = terminal;
    }
    if (command instanceof CurrentCluster.Aware a) {
      a.useEnvironment(env);
    }
    return command;
  }
}
