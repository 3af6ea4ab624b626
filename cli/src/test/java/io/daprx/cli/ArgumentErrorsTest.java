package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.cli.InProcessCli.Result;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A mistyped argument is a usage error, exit 2 as in az (argparse), found before anything is sent: scripts tell it from
 * a failed operation (exit 1) and a missing resource (exit 3). No server runs here: none is needed to refuse these.
 */
class ArgumentErrorsTest {

  /** An endpoint no one answers at: reaching it would be a different error (exit 1). */
  static final Map<String, String> NOWHERE = Map.of("DAPRX_ENDPOINT", "http://127.0.0.1:1", "DAPRX_TOKEN", "t");

  static Result run(String... args) {
    return InProcessCli.run(NOWHERE, args);
  }

  @Test
  void badQueryOutputBooleanAndUnknownOptionExit2WithWhatWasWrong() {
    Result query = run("group", "list", "--query", "[?name=='x'");
    assertThat(query.code()).as(query.err()).isEqualTo(2);
    assertThat(query.err()).contains("invalid jmespath_type value: \"[?name=='x'\"").contains("query-azure-cli");

    Result output = run("group", "list", "-o", "xml");
    assertThat(output.code()).as(output.err()).isEqualTo(2);
    assertThat(output.err()).contains("'xml' is not a valid value for '--output'. Allowed values: json, jsonc, yaml, table, tsv, none.");

    Result bool = run("k8s-extension", "update", "-g", "rg", "-c", "c", "-n", "dapr", "--auto-upgrade-minor-version", "maybe");
    assertThat(bool.code()).as(bool.err()).isEqualTo(2);
    assertThat(bool.err()).contains("--auto-upgrade-minor-version").contains("'maybe' is not true or false");

    Result unknown = run("group", "list", "--nope");
    assertThat(unknown.code()).as(unknown.err()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown option: '--nope'");
  }

  @Test
  void upperCaseOutputAndSpelledBooleansAreAccepted() {
    // parsed, then refused only because no server answers: exit 1, not a usage error
    assertThat(run("group", "list", "-o", "TABLE").code()).isEqualTo(1);
    // commands whose -o takes kubectl's or the Dapr CLI's values check it themselves
    assertThat(run("get", "pods", "-g", "rg", "-c", "c", "-o", "wide").code()).isEqualTo(1);
    assertThat(run("scheduler", "list", "-g", "rg", "-c", "c", "-o", "wide").code()).isEqualTo(1);
    assertThat(run("k8s-extension", "update", "-g", "rg", "-c", "c", "-n", "dapr", "--auto-upgrade-minor-version", "Yes", "--yes")
        .code()).isEqualTo(1);
  }
}
