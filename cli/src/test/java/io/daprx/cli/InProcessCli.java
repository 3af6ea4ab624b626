package io.daprx.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import io.daprx.cli.commands.CommandEnvironment;
import io.daprx.cli.commands.Terminal;
import picocli.CommandLine;

/** The {@code daprx} command run in this JVM, as the launcher builds it, with what it printed captured. */
final class InProcessCli {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A finished command: exit code and what it printed. */
  record Result(int code, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
      }
    }
  }

  private InProcessCli() {}

  static Result run(String... args) {
    return run(System.getenv(), args);
  }

  /** With the client commands reading {@code env} (e.g. a test's DAPRX_HOME) instead of the process's environment. */
  static Result run(Map<String, String> env, String... args) {
    return run(new CommandEnvironment(env), args);
  }

  /** With the client commands seeing {@code terminal} as their standard streams, e.g. one that answers a prompt. */
  static Result run(Map<String, String> env, Terminal terminal, String... args) {
    return run(new CommandEnvironment(env, terminal), args);
  }

  private static Result run(CommandEnvironment environment, String... args) {
    CommandLine cl = Main.newCommandLine(environment, args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
