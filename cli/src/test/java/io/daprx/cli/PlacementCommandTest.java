package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.manager.install.InstallPlan;
import io.daprx.manager.install.LocalCluster;
import io.daprx.manager.model.DaprSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code daprx placement}'s 1.18 flag {@code --disseminate-coalesce-window}, as users and the manager write it. */
class PlacementCommandTest {

  @Test
  void theCoalesceWindowTakesDaprsDurationsAndIsOffByDefault() {
    assertThat(parse().disseminateCoalesceWindow).isZero();
    assertThat(parse("--disseminate-coalesce-window", "250ms").disseminateCoalesceWindow).isEqualTo(Duration.ofMillis(250));
    assertThatThrownBy(() -> parse("--disseminate-coalesce-window", "soon"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("invalid duration 'soon'");
  }

  @Test
  void theWindowTheManagerRendersIsTheOnePlacementRunsWith() {
    InstallPlan plan = InstallPlan.forLocal(new LocalCluster("rg/c1", Path.of("clusters", "c1"), 32000), "dapr-system",
        DaprSettings.parse(Map.of("dapr_placement.disseminateCoalesceWindow", "1500ms")));
    List<String> args = plan.pods().stream().filter(p -> p.component().equals("placement")).findFirst().orElseThrow().args();

    assertThat(parse(args.subList(1, args.size()).toArray(String[]::new)).disseminateCoalesceWindow)
        .isEqualTo(Duration.ofMillis(1500));
  }

  private static PlacementCommand parse(String... flags) {
    String[] args = new String[flags.length + 1];
    args[0] = "placement";
    System.arraycopy(flags, 0, args, 1, flags.length);
    CommandLine cl = Main.newCommandLine(args);
    cl.parseArgs(args);
    return cl.getSubcommands().get("placement").getCommand();
  }
}
