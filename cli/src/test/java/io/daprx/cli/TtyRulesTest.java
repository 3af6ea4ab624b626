package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.cli.InProcessCli.Result;
import io.daprx.cli.commands.Terminal;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.Test;

/**
 * Prompts follow stdin, as az's do: {@code daprx cluster delete ... > out.json} typed at a terminal asks (on stderr,
 * leaving the file to the result); the same command fed from a pipe or CI refuses and names {@code --yes}.
 */
class TtyRulesTest {

  /** Refused before any request: the endpoint is never reached unless the user says yes. */
  static final Map<String, String> NOWHERE = Map.of("DAPRX_ENDPOINT", "http://127.0.0.1:1", "DAPRX_TOKEN", "t");

  /** Standard streams as a test sets them: which are terminals, and the lines typed on stdin. */
  record FakeTerminal(boolean stdinIsTerminal, boolean stdoutIsTerminal, boolean stderrIsTerminal, Queue<String> typed) implements Terminal {
    static FakeTerminal typing(boolean stdin, boolean stdout, boolean stderr, String... lines) {
      return new FakeTerminal(stdin, stdout, stderr, new ArrayDeque<>(List.of(lines)));
    }

    @Override
    public String readLine() {
      return typed.poll();
    }
  }

  @Test
  void promptsWhenStdinIsATerminalEvenWithStdoutRedirected() {
    Result no = InProcessCli.run(NOWHERE, FakeTerminal.typing(true, false, false, "n"), "cluster", "delete", "-g", "rg", "-n", "c");
    assertThat(no.code()).isEqualTo(1);
    assertThat(no.out()).isEmpty();
    assertThat(no.err()).isEqualTo("Are you sure you want to perform this operation? (y/n): Operation cancelled.\n");

    Result yes = InProcessCli.run(NOWHERE, FakeTerminal.typing(true, false, false, "y"), "cluster", "delete", "-g", "rg", "-n", "c");
    assertThat(yes.err()).as("a yes goes on to the server, which is not there")
        .startsWith("Are you sure you want to perform this operation? (y/n): ERROR: ").doesNotContain("cancelled");
  }

  @Test
  void refusesToPromptWhenStdinIsNotATerminal() {
    Result r = InProcessCli.run(NOWHERE, FakeTerminal.typing(false, true, true, "y"), "cluster", "delete", "-g", "rg", "-n", "c");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("ERROR: Unable to prompt for confirmation as no tty available. Use --yes.\n");
  }
}
