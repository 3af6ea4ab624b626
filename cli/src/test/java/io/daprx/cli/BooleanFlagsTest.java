package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A bare boolean flag means true, as in Go's flag package that Dapr's components and charts use: {@code --tls-enabled}
 * alone must not turn TLS off (picocli's default for an optional-value boolean is to toggle its default).
 */
class BooleanFlagsTest {

  @Test
  void everyOptionalValueBooleanFlagOfEveryCommandIsTrueWhenGivenBare() {
    List<String> checked = new ArrayList<>();
    CommandLine all = Main.newCommandLine();
    for (CommandLine sub : all.getSubcommands().values()) {
      for (OptionSpec o : sub.getCommandSpec().options()) {
        boolean optionalValueBoolean = (o.type() == boolean.class || o.type() == Boolean.class) && o.arity().min == 0
            && o.arity().max == 1;
        if (!optionalValueBoolean) {
          continue;
        }
        String name = sub.getCommandName();
        CommandLine fresh = Main.newCommandLine(name);
        try {
          fresh.parseArgs(name, o.longestName());
        } catch (CommandLine.MissingParameterException otherRequiredOptions) {
          // the flag's value is applied before required options are checked
        }
        OptionSpec parsed = fresh.getSubcommands().get(name).getCommandSpec().findOption(o.longestName());
        assertThat((Boolean) parsed.getValue()).as("daprx %s %s", name, o.longestName()).isTrue();
        checked.add(name + " " + o.longestName());
      }
    }
    // the flags this guards exist: the components' TLS switch above all
    assertThat(checked).contains("scheduler --tls-enabled", "placement --tls-enabled", "operator --tls-enabled",
        "injector --enable-metrics");
  }
}
