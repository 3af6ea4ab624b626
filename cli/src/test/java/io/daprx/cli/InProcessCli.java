package io.daprx.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
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
    CommandLine cl = Main.newCommandLine(env, args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
