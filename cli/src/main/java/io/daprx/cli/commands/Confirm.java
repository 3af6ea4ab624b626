package io.daprx.cli.commands;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Confirmation prompts as az asks them: when stdin is a terminal a y/n question (on stderr, so that output redirected
 * to a file stays the command's result), elsewhere an error naming --yes.
 */
final class Confirm {

  private Confirm() {}

  static void ask(ClientCommand cmd, String question) {
    Terminal terminal = cmd.terminal();
    if (!terminal.stdinIsTerminal()) {
      throw new IllegalArgumentException("Unable to prompt for confirmation as no tty available. Use --yes.");
    }
    PrintWriter err = cmd.err();
    err.print(question + " (y/n): ");
    err.flush();
    String answer = terminal.readLine();
    if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).startsWith("y")) {
      throw new OperationCancelled();
    }
  }

  /** The user said no: nothing was done, exit quietly with an error code. */
  static final class OperationCancelled extends RuntimeException {
    OperationCancelled() {
      super("Operation cancelled.", null, false, false);
    }
  }
}
