package io.daprx.cli.commands;

import java.io.Console;
import java.util.Locale;

/** Confirmation prompts as az asks them: on a terminal a y/n question, elsewhere an error naming --yes. */
final class Confirm {

  private Confirm() {}

  static void ask(ClientCommand cmd, String question) {
    Console console = System.console();
    if (console == null) {
      throw new IllegalArgumentException("Unable to prompt for confirmation as no tty available. Use --yes.");
    }
    String answer = console.readLine("%s (y/n): ", question);
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
