package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.cli.InProcessCli.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code daprx completion}: the script a user sources, tried in a real bash as the shell calls it on TAB. */
class CompletionCommandTest {

  @TempDir
  Path dir;

  /** What bash offers for {@code words}, the last one being completed, with the script sourced. */
  String bashCompletes(Path script, String... words) throws IOException, InterruptedException {
    String line = String.join(" ", words);
    String probe = "source " + script + "\nCOMP_WORDS=(" + line + ")\nCOMP_CWORD=" + (words.length - 1) + "\nCOMP_LINE='" + line
        + "'\nCOMP_POINT=${#COMP_LINE}\n_complete_daprx daprx\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", probe).redirectError(ProcessBuilder.Redirect.DISCARD).start(); // compopt complains outside a real TAB
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void bashScriptCompletesCommandsAndTheirOptions() throws Exception {
    Result r = InProcessCli.run("completion", "bash");
    assertThat(r.code()).as(r.err()).isZero();
    Path script = dir.resolve("daprx.bash");
    Files.writeString(script, r.out());

    assertThat(bashCompletes(script, "daprx", "k8s-e")).isEqualTo("k8s-extension\n");
    assertThat(bashCompletes(script, "daprx", "k8s-extension", "create", "--cluster-t")).isEqualTo("--cluster-type\n");
    assertThat(bashCompletes(script, "daprx", "mtls", "")).contains("expiry");
  }

  @Test
  void zshGetsTheBashScriptThroughBashcompinitAndFishItsOwnLines() {
    assertThat(InProcessCli.run("completion", "zsh").out()).contains("bashcompinit").contains("k8s-extension");

    String fish = InProcessCli.run("completion", "fish").out();
    assertThat(fish).contains("complete -c daprx -n '__fish_use_subcommand' -a k8s-extension")
        .contains("complete -c daprx -n '__fish_seen_subcommand_from k8s-extension; and __fish_seen_subcommand_from create' -l cluster-name -s c -r")
        .doesNotContain("${DEFAULT-VALUE}");
  }

  @Test
  void anUnknownShellIsAUsageError() {
    Result r = InProcessCli.run("completion", "powershell");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("bash, zsh, fish");
  }
}
