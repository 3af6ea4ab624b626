package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.cli.output.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code daprx provider}: resource-provider registrations, as {@code az provider}. */
@Command(name = "provider", mixinStandardHelpOptions = true, description = "Manage resource provider registrations.",
    subcommands = {ProviderCommand.Register.class, ProviderCommand.Unregister.class, ProviderCommand.ListProviders.class, ProviderCommand.Show.class})
public final class ProviderCommand {

  abstract static class Named extends ClientCommand {
    @Option(names = {"--namespace", "-n"}, required = true, description = "the resource provider namespace, e.g. Microsoft.KubernetesConfiguration")
    String namespace;
  }

  @Command(name = "register", mixinStandardHelpOptions = true, description = "Register a resource provider.")
  static final class Register extends Named implements Callable<Integer> {
    @Option(names = "--wait", description = "wait until the registration is complete")
    boolean await;

    @Override
    public Integer call() throws InterruptedException {
      api().send("POST", subPath() + "/providers/" + namespace + "/register", null, Map.of());
      if (!await) {
        warn("Registering is still on-going. You can monitor using 'daprx provider show -n " + namespace + "'");
        return 0;
      }
      waitFor(this, subPath() + "/providers/" + namespace, "Registered");
      return 0;
    }
  }

  @Command(name = "unregister", mixinStandardHelpOptions = true, description = "Unregister a resource provider.")
  static final class Unregister extends Named implements Callable<Integer> {
    @Option(names = "--wait", description = "wait until the unregistration is complete")
    boolean await;

    @Override
    public Integer call() throws InterruptedException {
      api().send("POST", subPath() + "/providers/" + namespace + "/unregister", null, Map.of());
      if (!await) {
        warn("Unregistering is still on-going. You can monitor using 'daprx provider show -n " + namespace + "'");
        return 0;
      }
      waitFor(this, subPath() + "/providers/" + namespace, "NotRegistered");
      return 0;
    }
  }

  static void waitFor(ClientCommand cmd, String path, String state) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    try (Progress p = Progress.start(cmd.err(), cmd.showsProgress(), "Running")) {
      while (!state.equals(cmd.api().get(path).body().path("registrationState").asText())) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("the registration did not complete within 5 minutes; check it with 'daprx provider show'");
        }
        p.tick();
        Thread.sleep(250); // polls the server, as az does
      }
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a resource provider and its registration state.")
  static final class Show extends Named implements Callable<Integer> {
    @Override
    public Integer call() {
      print(api().get(subPath() + "/providers/" + namespace).body());
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List resource providers.")
  static final class ListProviders extends ClientCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      JsonNode list = items(api().get(subPath() + "/providers").body());
      print(list, java.util.List.of(new io.daprx.cli.output.Output.Column("Namespace", "namespace"),
          new io.daprx.cli.output.Output.Column("RegistrationPolicy", "registrationPolicy"),
          new io.daprx.cli.output.Output.Column("RegistrationState", "registrationState")));
      return 0;
    }
  }
}
